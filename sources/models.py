import datetime
import functools
import hashlib

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .search import name_vector

# What the public sees instead of a protected source's name.
PROTECTED_NAME = "Protected source"


def _published():
    from django.apps import apps

    return apps.get_model("incidents", "Incident").Status.PUBLISHED


def _cited_q(outer):
    """A published incident's claim or denial names the source ``outer`` refers to.

    As the source, the accused party, an intermediary, or the publisher of the report.
    """
    from django.apps import apps
    from django.db.models import Exists

    claim = apps.get_model("incidents", "Claim")
    denial = apps.get_model("incidents", "Denial")
    via = apps.get_model("incidents", "ClaimVia")
    on_public = {"incident__status": _published()}
    return (
        Exists(claim.objects.filter(source=outer, **on_public))
        | Exists(claim.objects.filter(attributed_to=outer, **on_public))
        | Exists(denial.objects.filter(source=outer, **on_public))
        | Exists(via.objects.filter(source=outer, claim__incident__status=_published()))
        | Exists(claim.objects.filter(report__publisher=outer, **on_public))
        | Exists(denial.objects.filter(report__publisher=outer, **on_public))
    )


def touch_citing_incidents(name, columns, cited_by, key="id"):
    """A statement-level trigger: when these rows change in a way the incidents show
    (``columns``), the incidents that cite them are touched (new ``updated_at`` and
    version), so that their pages' and API answers' validators and cache keys change
    and mirrors syncing by ``updated_since`` fetch them again: a source renamed or
    newly protected must not linger in anyone's copy.

    ``cited_by`` is SQL selecting incident ids for the changed rows' ``key`` column in
    ``changed`` (as ``id``).
    """
    old = ", ".join(f"o.{column}" for column in columns)
    new = ", ".join(f"n.{column}" for column in columns)
    selected = "n.id" if key == "id" else f"n.{key} AS id"
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Update,
        referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
        func=f"""
            UPDATE incidents_incident SET updated_at = clock_timestamp() WHERE id IN (
                WITH changed AS (
                    SELECT {selected} FROM new_rows n JOIN old_rows o ON o.{key} = n.{key}
                    WHERE ({old}) IS DISTINCT FROM ({new})
                )
                {cited_by}
            );
            RETURN NULL;
        """,
    )


# The incidents citing a source, and those accusing one of its children: whether an
# incident is contested depends on an accused party's parent and grandparent
# (incidents.search.CONTESTED_SQL).
CITING_SOURCE = """
    SELECT incident_id FROM incidents_claim WHERE source_id IN (SELECT id FROM changed)
    UNION SELECT incident_id FROM incidents_claim
        WHERE attributed_to_id IN (SELECT id FROM changed)
    UNION SELECT incident_id FROM incidents_claim WHERE attributed_to_id IN (
        SELECT id FROM sources_source WHERE parent_id IN (SELECT id FROM changed)
    )
    UNION SELECT incident_id FROM incidents_denial WHERE source_id IN (SELECT id FROM changed)
    UNION SELECT c.incident_id FROM incidents_claimvia v
        JOIN incidents_claim c ON c.id = v.claim_id WHERE v.source_id IN (SELECT id FROM changed)
    UNION SELECT c.incident_id FROM incidents_claim c JOIN sources_report r ON r.id = c.report_id
        WHERE r.publisher_id IN (SELECT id FROM changed)
    UNION SELECT d.incident_id FROM incidents_denial d JOIN sources_report r ON r.id = d.report_id
        WHERE r.publisher_id IN (SELECT id FROM changed)
"""

CITING_REPORT = """
    SELECT incident_id FROM incidents_claim WHERE report_id IN (SELECT id FROM changed)
    UNION SELECT incident_id FROM incidents_denial WHERE report_id IN (SELECT id FROM changed)
"""


class SourceQuerySet(models.QuerySet):
    def public(self):
        """Sources whose identity may be shown to the public."""
        return self.filter(protected=False)

    def listed(self):
        """Sources with a public page: not protected, and part of published material.

        Named by a published incident's claim or denial (as its source, accused party,
        intermediary or report publisher), or the parent organisation of such a source
        (a ministry whose spokesman spoke). A source entered only for unpublished work
        stays out of every public list, page, sitemap and API answer.
        """
        from django.db.models import Exists, OuterRef

        member = Source.objects.filter(parent=OuterRef("pk"))
        return self.public().filter(
            _cited_q(OuterRef("pk"))
            | Exists(member.filter(_cited_q(OuterRef("pk"))))
            | Exists(
                Source.objects.filter(parent__parent=OuterRef("pk")).filter(
                    _cited_q(OuterRef("pk"))
                )
            )
        )


class ReportQuerySet(models.QuerySet):
    def listed(self):
        """Reports a published incident's claim or denial rests on."""
        from django.apps import apps
        from django.db.models import Exists, OuterRef

        claim = apps.get_model("incidents", "Claim")
        denial = apps.get_model("incidents", "Denial")
        return self.filter(
            Exists(claim.objects.filter(report=OuterRef("pk"), incident__status=_published()))
            | Exists(denial.objects.filter(report=OuterRef("pk"), incident__status=_published()))
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Source(models.Model):
    """Who makes a claim or a denial: a monitor, a ministry, a spokesman, an activist."""

    class Kind(models.TextChoices):
        MONITOR = "monitor", "Monitor"
        NGO = "ngo", "NGO"
        GOVERNMENT = "government", "Government"
        ARMED_FORCE = "armed_force", "Armed force"
        MEDIA = "media", "Media outlet"
        UN_BODY = "un_body", "UN body"
        INDIVIDUAL = "individual", "Individual"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    description = models.TextField(blank=True)
    based_in = models.CharField(
        max_length=200, blank=True, help_text="Where the source is based, e.g. “United Kingdom”."
    )
    url = models.URLField(max_length=500, blank=True, verbose_name="URL")
    aliases = ArrayField(
        models.CharField(max_length=200),
        blank=True,
        default=list,
        help_text="Other names, transliterations and pseudonyms, separated by commas.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The organisation this source speaks for or belongs to "
        "(a spokesman's ministry, a ministry's state).",
    )
    protected = models.BooleanField(
        default=False,
        help_text="Withhold this source's identity from the public (an activist at risk). "
        "Staff still see it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="source_not_own_parent",
                violation_error_message="A source cannot be its own parent organisation.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="source_name_not_empty",
                violation_error_message="A source needs a name.",
            ),
        ]
        indexes = [
            # Full-text search on source names (incidents.search.text_search_q).
            GinIndex(name_vector(), name="source_name_search"),
        ]
        triggers = [
            touch_citing_incidents(
                "touch_citing_incidents",
                ["name", "slug", "kind", "protected", "parent_id"],
                CITING_SOURCE,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sources:detail", args=[self.slug])

    @property
    def public_name(self):
        """The name the public may see: protected sources are shown only by their kind."""
        return self.public_name_of(self.name, self.kind, self.protected)

    @classmethod
    def public_name_of(cls, name, kind, protected):
        """public_name for a source known only by its values (a row of the API's read path)."""
        if protected:
            return f"{PROTECTED_NAME} ({cls.Kind(kind).label.lower()})"
        return name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Report(models.Model):
    """Where claims were published: a news article, a press release, a monitor's bulletin."""

    url = models.URLField(max_length=2000, blank=True, verbose_name="URL")
    publisher = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(max_length=500)
    published_on = models.DateField(null=True, blank=True)
    language = models.CharField(
        max_length=35, blank=True, help_text="Language code of the report, e.g. “en” or “ar”."
    )
    archive_url = models.URLField(
        max_length=2000,
        blank=True,
        verbose_name="archived copy URL",
        help_text="A copy kept by an archive (e.g. the Wayback Machine).",
    )
    content_sha256 = models.CharField(
        max_length=64,
        blank=True,
        verbose_name="SHA-256 of archived content",
        help_text="64 lowercase hexadecimal characters.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [
            # A report cited without its URL is found by its title (and publisher).
            models.Index(fields=["title"], name="report_title"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="report_url_unique",
                violation_error_message="A report with this URL already exists.",
            ),
            models.CheckConstraint(
                condition=Q(content_sha256="") | Q(content_sha256__regex=r"^[0-9a-f]{64}$"),
                name="report_sha256_format",
                violation_error_message="The SHA-256 must be 64 lowercase hexadecimal characters.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="report_title_not_empty",
                violation_error_message="A report needs a title.",
            ),
        ]
        triggers = [
            # updated_at too: a new capture of the report touches it (Capture's trigger).
            touch_citing_incidents(
                "touch_citing_incidents",
                ["url", "title", "published_on", "publisher_id", "updated_at"],
                CITING_REPORT,
            )
        ]

    def __str__(self):
        date = f", {self.published_on:%d %b %Y}" if self.published_on else ""
        return f"{self.title} ({self.publisher.name}{date})"

    def save(self, *args, capture_requested_by=None, **kwargs):
        """Save, and archive the page when the report gets a new URL.

        Archiving runs in the background once the transaction commits; pass
        ``capture_requested_by`` (a user) to record who asked for it.
        """
        url_is_new = bool(self.url) and (
            self._state.adding or self.url != getattr(self, "_loaded_url", None)
        )
        super().save(*args, **kwargs)
        self._loaded_url = self.url
        if url_is_new:
            self.request_capture(requested_by=capture_requested_by)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remembered so save() archives again only when the address changes.
        instance._loaded_url = instance.__dict__.get("url")
        return instance

    def request_capture(self, requested_by=None):
        """Archive the report's current URL in the background, once the transaction commits."""
        from .tasks import archive_report

        if not self.url:
            return
        transaction.on_commit(
            functools.partial(
                archive_report.enqueue,
                report_id=self.pk,
                url=self.url,
                requested_by_id=requested_by.pk if requested_by else None,
            ),
            using=self._state.db,
            robust=True,
        )

    def latest_capture(self):
        """The newest archived capture (uses prefetched captures when there are some)."""
        archived = [c for c in self.captures.all() if c.status == Capture.Status.ARCHIVED]
        return max(archived, key=lambda c: (c.captured_at, c.pk), default=None)


# The same words come from the admin and from the trigger that backs them.
CAPTURE_IMMUTABLE = (
    "A capture is evidence and cannot be changed or deleted: archive the report again "
    "to add a new capture."
)


def capture_upload_to(instance, filename):
    return f"captures/{instance.captured_at:%Y/%m}/{filename}"


class CaptureQuerySet(models.QuerySet):
    def archived(self):
        return self.filter(status=Capture.Status.ARCHIVED)


class Capture(models.Model):
    """A report's page as fetched at one moment, kept as WARC records.

    What is hashed: ``sha256`` is the SHA-256 of the payload of the final WARC
    response record, that is the body of the HTTP response exactly as the server
    sent it, after the status line and headers (the archiver asks for no content
    encoding and speaks HTTP/1.0, so this is normally the document's own bytes).
    The WARC record carries the same digest in its WARC-Payload-Digest header, in
    base32, so standard WARC tools can check it. ``warc_sha256`` is the SHA-256 of
    the stored .warc.gz file as a whole. ``verify_captures`` recomputes both.

    Captures are append-only: a trigger refuses to update or delete them, and
    archiving again adds a new capture.
    """

    class Status(models.TextChoices):
        ARCHIVED = "archived", "Archived"
        FAILED = "failed", "Failed"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="captures")
    requested_url = models.URLField(
        max_length=2000, verbose_name="requested URL", help_text="The address archiving asked for."
    )
    final_url = models.URLField(
        max_length=2000,
        blank=True,
        verbose_name="final URL",
        help_text="The address the page was fetched from, after redirects.",
    )
    status = models.CharField(max_length=20, choices=Status)
    http_status = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name="HTTP status", help_text="The final response's status."
    )
    content_type = models.CharField(max_length=200, blank=True)
    remote_ip = models.GenericIPAddressField(
        null=True, blank=True, verbose_name="server address", help_text="The IP the page came from."
    )
    captured_at = models.DateTimeField(
        default=timezone.now, help_text="When the page was received (UTC)."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked for the capture; empty when it was made automatically.",
    )
    warc_file = models.FileField(
        upload_to=capture_upload_to, max_length=300, blank=True, verbose_name="WARC file"
    )
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        verbose_name="SHA-256",
        help_text="SHA-256 of the page as received: the payload of the WARC response record.",
    )
    warc_sha256 = models.CharField(
        max_length=64,
        blank=True,
        verbose_name="WARC file SHA-256",
        help_text="SHA-256 of the stored WARC file.",
    )
    size = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Bytes of the page as received."
    )
    text = models.TextField(blank=True, help_text="Text extracted from the page, for reading.")
    error = models.TextField(blank=True, help_text="Why archiving failed.")

    objects = CaptureQuerySet.as_manager()

    class Meta:
        ordering = ["-captured_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(sha256="") | Q(sha256__regex=r"^[0-9a-f]{64}$"))
                & (Q(warc_sha256="") | Q(warc_sha256__regex=r"^[0-9a-f]{64}$")),
                name="capture_sha256_format",
                violation_error_message="A SHA-256 is 64 lowercase hexadecimal characters.",
            ),
            models.CheckConstraint(
                condition=~Q(status="archived")
                | (
                    ~Q(sha256="")
                    & ~Q(warc_sha256="")
                    & ~Q(warc_file="")
                    & Q(http_status__isnull=False)
                    & Q(error="")
                ),
                name="capture_archived_complete",
                violation_error_message="An archived capture has its WARC file, its hashes and "
                "its HTTP status, and no error.",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | (~Q(error="") & Q(sha256="") & Q(warc_file="")),
                name="capture_failed_explained",
                violation_error_message="A failed capture says why and holds no file.",
            ),
        ]
        indexes = [
            # A report's captures, newest first (the admin inline, the API's report captures).
            models.Index(fields=["report", "-captured_at"], name="capture_report_recent"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="capture_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                func=f"RAISE EXCEPTION '{CAPTURE_IMMUTABLE}' USING ERRCODE = 'restrict_violation';",
            ),
            # A new capture changes what the API shows of its report: mirrors syncing
            # /reports/?updated_since= fetch the report again.
            pgtrigger.Trigger(
                name="capture_touches_report",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                referencing=pgtrigger.Referencing(new="new_rows"),
                func="UPDATE sources_report SET updated_at = clock_timestamp() "
                "WHERE id IN (SELECT report_id FROM new_rows); RETURN NULL;",
            ),
        ]

    def __str__(self):
        when = self.captured_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"{self.get_status_display()} capture of {self.requested_url} at {when}"

    def summary(self):
        """The capture as the API lists it under a report."""
        return {
            "sha256": self.sha256,
            "captured_at": self.captured_at,
            "url": self.final_url or self.requested_url,
            "status": self.http_status,
        }

    def verify(self):
        """Re-read the stored WARC file and re-hash it; return the problems found (none: intact)."""
        from .archiving import WarcError, final_response

        if self.status != self.Status.ARCHIVED:
            return []
        try:
            with self.warc_file.open("rb") as stored:
                data = stored.read()
        except (FileNotFoundError, OSError) as error:
            return [
                f"the WARC file {self.warc_file.name} cannot be read ({error.strerror or error})"
            ]
        problems = []
        file_hash = hashlib.sha256(data).hexdigest()
        if file_hash != self.warc_sha256:
            problems.append(
                f"the WARC file has changed: SHA-256 {file_hash}, recorded {self.warc_sha256}"
            )
        try:
            payload = final_response(data).payload
        except WarcError as error:
            problems.append(f"the page cannot be read back from the WARC file ({error})")
        else:
            payload_hash = hashlib.sha256(payload).hexdigest()
            if payload_hash != self.sha256:
                problems.append(
                    f"the archived page has changed: SHA-256 {payload_hash}, recorded {self.sha256}"
                )
        return problems

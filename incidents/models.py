import datetime
import hashlib
import os
from dataclasses import dataclass, field

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone

from sources.models import Capture, Report, Source, touch_citing_incidents

from .competing import (
    ClaimChain,
    Dispute,
    casualty_ranges,
    claim_chains,
    current_claims,
    dispute,
)
from .search import incident_vector, revised, search_document_sql, statement_vector
from .uploads import sniff, validate_evidence_file

# The same words come from the admin, the API and the database trigger that backs them.
DENIAL_OTHER_INCIDENT = "A denial can only answer claims about the same incident"
SUPERSEDES_OTHER = (
    "A claim can only supersede an earlier claim by the same source about the same incident"
)
SUPERSEDES_CYCLE = "A claim cannot supersede itself or one of its own revisions"
SUPERSEDES_EARLIER = "A revision cannot be dated before the claim it supersedes"
MEDIA_OTHER_INCIDENT = "Media attached to a claim must belong to the claim's incident"

# Statuses under which an incident has been shown to the public: its rows are never deleted.
PUBLIC_STATUSES = ("published", "withdrawn")
KEEP_PUBLISHED = {
    "incident": "A published incident cannot be deleted: withdraw it instead",
    "claim": "A claim of a published incident cannot be deleted: withdraw it instead",
    "denial": "A denial of a published incident cannot be deleted: withdraw it instead",
}


def _keep_published(what):
    """A trigger refusing to delete a row of an incident that has been public.

    Published material is withdrawn, never deleted (incidents.workflow), so mirrors and
    readers can always learn what happened to it; this is the database's last word when
    some code or a raw DELETE tries anyway.
    """
    statuses = ", ".join(f"'{status}'" for status in PUBLIC_STATUSES)
    message = f"{KEEP_PUBLISHED[what]} (incident %)"
    if what == "incident":
        check = f"OLD.status IN ({statuses})"
        row = "OLD.id"
    else:
        check = (
            "EXISTS (SELECT 1 FROM incidents_incident i "
            f"WHERE i.id = OLD.incident_id AND i.status IN ({statuses}))"
        )
        row = "OLD.incident_id"
    return pgtrigger.Trigger(
        name="keep_published",
        when=pgtrigger.Before,
        operation=pgtrigger.Delete,
        func=f"""
            IF {check} THEN
                RAISE EXCEPTION '{message}', {row} USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN OLD;
        """,
    )


def history_indexes(name, *fields):
    """The Meta of a model's history events (pghistory), with an index on each of these
    foreign keys: the only ones read (incidents.timeline), the others left unindexed
    (settings.PGHISTORY_FOREIGN_KEY_FIELD)."""
    return {
        "indexes": [
            models.Index(fields=[field], name=f"{name}_history_{field}") for field in fields
        ]
    }


def _touch_incidents(incident_ids):
    """Statement-level triggers that mark the incidents a change to their parts touched.

    Parts are claims, figures, denials and their links, related-incident links, and the
    evidence: media, intermediaries (via) and other monitors' identifiers.

    ``incident_ids`` is SQL selecting incident ids from the transition table ``{rows}``.
    The touched incidents get a new version (their ``bump_version`` trigger) and a new
    ``updated_at``, so an editor holding an older copy is told, and mirrors syncing by
    ``updated_since`` fetch them again. One UPDATE per statement, however many rows.
    """
    operations = [
        (pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), ["new_rows"]),
        (
            pgtrigger.Update,
            pgtrigger.Referencing(old="old_rows", new="new_rows"),
            ["old_rows", "new_rows"],
        ),
        (pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), ["old_rows"]),
    ]
    return [
        pgtrigger.Trigger(
            name=f"touch_incident_on_{str(operation).lower()}",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=operation,
            referencing=referencing,
            # clock_timestamp(), not now(): now() is the transaction's start, which
            # may be earlier than the incident's own save in the same transaction.
            func="UPDATE incidents_incident SET updated_at = clock_timestamp() WHERE id IN ("
            + " UNION ".join(incident_ids.format(rows=rows) for rows in tables)
            + "); RETURN NULL;",
        )
        for operation, referencing, tables in operations
    ]


# Rows of incidents_datachange kept behind the newest: enough to read recent activity,
# few enough that the table stays a page or two.
DATA_CHANGES_KEPT = 500


def _record_data_change():
    """A statement-level trigger noting that the incidents changed (see DataChange).

    Every change under an incident (claims, figures, denials, their links) touches the
    incident row (``_touch_incidents``), so one trigger here sees them all, whoever
    writes: a save, a bulk update, raw SQL, a COPY. Older rows are pruned as it goes,
    skipping any another transaction holds.
    """
    return pgtrigger.Trigger(
        name="record_data_change",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        declare=[("change_id", "bigint")],
        func=f"""
            INSERT INTO incidents_datachange (changed_at) VALUES (NOW())
                RETURNING id INTO change_id;
            IF change_id % {DATA_CHANGES_KEPT} = 0 THEN
                DELETE FROM incidents_datachange WHERE id IN (
                    SELECT id FROM incidents_datachange WHERE id <= change_id - {DATA_CHANGES_KEPT}
                    FOR UPDATE SKIP LOCKED
                );
            END IF;
            RETURN NULL;
        """,
    )


def _refresh_search_documents():
    """Statement-level triggers rebuilding the search documents of inserted or updated
    incidents (IncidentSearch).

    A change to an incident's claims, denials or cited sources touches the incident
    (``_touch_incidents``, sources' ``touch_citing_incidents``), so updates of the
    incident row are the one place where every change to what its search matches
    arrives, whoever writes. A bulk load that skips the touches rebuilds the documents
    itself (search.refresh_search_documents()).
    """
    return [
        pgtrigger.Trigger(
            name=f"refresh_search_on_{str(operation).lower()}",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=operation,
            referencing=pgtrigger.Referencing(new="new_rows"),
            func=search_document_sql("SELECT id FROM new_rows") + "; RETURN NULL;",
        )
        for operation in (pgtrigger.Insert, pgtrigger.Update)
    ]


class VersionField(models.PositiveIntegerField):
    """How many times a row has been saved, for refusing saves made from a stale copy.

    The database increments it on every UPDATE (the model's ``bump_version`` trigger),
    whoever writes: a save, a bulk update, raw SQL. A save reads the new value back
    (UPDATE ... RETURNING), so the instance stays current.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 1)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        if add:
            return super().pre_save(model_instance, add)
        return F(self.attname)


class IncidentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Incident.Status.PUBLISHED)

    def public_countries(self):
        """The countries of published incidents, each once, in order: one probe of the
        incident_status_country index per country, where DISTINCT would read the
        whole archive (40 ms at 100,000 incidents) on every list page the cache
        misses."""
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"""
            WITH RECURSIVE countries(country) AS (
                SELECT min(country) FROM {table} WHERE status = %s AND country > ''
                UNION ALL
                SELECT (
                    SELECT min(i.country) FROM {table} i
                    WHERE i.status = %s AND i.country > countries.country
                )
                FROM countries WHERE countries.country IS NOT NULL
            )
            SELECT country FROM countries WHERE country IS NOT NULL
        """
        status = Incident.Status.PUBLISHED
        with connection.cursor() as cursor:
            cursor.execute(sql, [status, status])
            return [country for (country,) in cursor.fetchall()]

    def withdrawn(self):
        """Incidents taken down after publication; their public reason stays readable."""
        return self.filter(status=Incident.Status.WITHDRAWN)

    def visible_to(self, user):
        """What this user may read: published incidents, and every incident for staff."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self
        return self.public()

    def touch(self):
        """Mark incidents as changed because something nested in them changed.

        Partners sync with ``updated_since``, which reads ``updated_at``: a new claim,
        figure or denial must bring its incident into the next sync.
        """
        return self.update(updated_at=timezone.now())

    def update(self, **kwargs):
        # Unpublishing in bulk (an admin action, say) leaves tombstones as one save does.
        status = kwargs.get("status")
        if status is not None and status != Incident.Status.PUBLISHED:
            with transaction.atomic(using=self.db):
                for incident in self.filter(status=Incident.Status.PUBLISHED).only("pk"):
                    Tombstone.record(incident, Tombstone.reason_for(status))
                return super().update(**kwargs)
        return super().update(**kwargs)

    def with_claims(self):
        """Load incidents with everything the competing-claims view needs.

        Issues a constant number of queries whatever the number of incidents:
        one for the incidents, then one each for claims (with source, report,
        publisher and accused party joined), figures, denials (with source and
        report joined), the claims each denial answers, and related incidents.
        Sources' parent organisations are joined, which the dispute rules read.
        Withdrawn claims and denials are left out: they no longer count.
        """
        claims = (
            Claim.objects.not_withdrawn()
            .with_revision_links()
            .select_related("source__parent", "report__publisher", "attributed_to__parent")
            .prefetch_related(
                Prefetch(
                    "figures",
                    queryset=Figure.objects.select_related("category").order_by(
                        "category__position", "id"
                    ),
                ),
            )
        )
        denials = (
            Denial.objects.current()
            .select_related("source__parent", "report__publisher")
            .prefetch_related(
                Prefetch(
                    "denies",
                    queryset=Claim.objects.not_withdrawn().only(
                        "id", "incident_id", "withdrawn_at"
                    ),
                )
            )
        )
        return self.prefetch_related(
            Prefetch("claims", queryset=claims.order_by("claimed_on", "id")),
            Prefetch("denials", queryset=denials.order_by("denied_on", "id")),
            Prefetch("related", queryset=Incident.objects.only("id", "slug", "title", "status")),
        )

    def counts_by_month(self, undated=False):
        """Incidents per month of their start date (undated ones left out), oldest first.

        With ``undated``, the undated ones are counted too, last, under the month None:
        the rows then add up to the number of incidents, in one pass over them.
        """
        queryset = self if undated else self.exclude(occurred_start=None)
        return (
            queryset.order_by()
            .annotate(month=TruncMonth("occurred_start"))
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("month")
        )

    def map_points(self):
        """The located incidents as light rows for a map: slug, title, coordinates, date."""
        return self.filter(latitude__isnull=False, longitude__isnull=False).values_list(
            "latitude", "longitude", "slug", "title", "occurred_start"
        )

    def with_evidence(self):
        """Add to with_claims() what the evidence sections read; chain it after with_claims().

        Five more queries, whatever the number of incidents: media, other monitors'
        identifiers, each claim's intermediaries (with their sources), and the
        archived captures of the claims' and the denials' reports.
        """
        captures = Capture.objects.archived().order_by("-captured_at", "-id")
        return self.prefetch_related(
            Prefetch("media", queryset=Media.objects.order_by("id")),
            Prefetch(
                "identifiers", queryset=IncidentIdentifier.objects.order_by("scheme", "value")
            ),
            Prefetch(
                "claims__via_links",
                queryset=ClaimVia.objects.select_related("source__parent").order_by("position"),
            ),
            Prefetch("claims__report__captures", queryset=captures),
            Prefetch("denials__report__captures", queryset=captures),
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Incident(models.Model):
    """One event in time and place, about which sources make competing claims."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class DatePrecision(models.TextChoices):
        EXACT = "exact", "Exact time"
        DAY = "day", "Day"
        APPROXIMATE = "approximate", "Approximate"
        UNKNOWN = "unknown", "Unknown"

    class LocationPrecision(models.TextChoices):
        EXACT = "exact", "Exact point"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
        CITY = "city", "City, town or village"
        DISTRICT = "district", "District"
        REGION = "region", "Region or province"
        COUNTRY = "country", "Country"

    class Grade(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        FAIR = "fair", "Fair"
        WEAK = "weak", "Weak"
        CONTESTED = "contested", "Contested"
        DISCOUNTED = "discounted", "Discounted"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True)

    occurred_start = models.DateField(
        null=True, blank=True, help_text="The day it happened, or began. Empty when unknown."
    )
    occurred_time = models.TimeField(
        null=True, blank=True, help_text="Time of day (UTC), only when the precision is exact."
    )
    occurred_end = models.DateField(null=True, blank=True, help_text="Last day, if it lasted.")
    occurred_precision = models.CharField(
        max_length=20,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How well the date is known: “approximate” when a report only says "
        "“last week”, “unknown” when it gives no date at all.",
    )

    place_name = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=200, blank=True, help_text="Province or governorate.")
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code in capitals, e.g. “SY”."
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_precision = models.CharField(
        max_length=20,
        choices=LocationPrecision,
        blank=True,
        help_text="How closely the coordinates pin the place.",
    )

    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.DRAFT,
        help_text="Drafts are private; researchers submit them for review and editors "
        "publish them. A published incident is withdrawn, never deleted.",
    )
    withdrawn_reason = models.TextField(
        blank=True, help_text="Shown to the public with a withdrawn incident: why it was withdrawn."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    assessment = models.CharField(
        max_length=20,
        choices=Grade,
        blank=True,
        help_text="How well the incident is supported, all claims considered.",
    )
    assessment_rationale = models.TextField(blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = VersionField(
        help_text="Goes up on every change to the incident or its claims, figures and "
        "denials; a save from an older version is refused."
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_start", "-id"]
        permissions = [
            ("publish_incident", "Can publish incidents (and edit published ones)"),
            ("review_incident", "Can review incidents submitted for review"),
            ("set_assessment", "Can set the editorial assessment of incidents"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="bump_version",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                func="NEW.version := OLD.version + 1; RETURN NEW;",
            ),
            _keep_published("incident"),
            _record_data_change(),
            *_refresh_search_documents(),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_end__isnull=True) | Q(occurred_end__gte=F("occurred_start")),
                name="incident_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(occurred_precision="unknown") | Q(occurred_start__isnull=False),
                name="incident_start_known",
                violation_error_message="Give the start date, or set the date precision "
                "to “unknown”.",
            ),
            models.CheckConstraint(
                condition=Q(occurred_time__isnull=True) | Q(occurred_precision="exact"),
                name="incident_time_only_when_exact",
                violation_error_message="A time of day needs the date precision “exact time”.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="incident_latitude_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="incident_longitude_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_coordinates_paired",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="incident_country_iso",
                violation_error_message="The country must be a two-letter ISO code in capitals, "
                "e.g. “SY”.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="incident_title_not_empty",
                violation_error_message="An incident needs a title.",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                name="incident_withdrawal_has_reason",
                violation_error_message="Say publicly why the incident is withdrawn.",
            ),
        ]
        indexes = [
            # The public list, newest first: status filter + ordering by date.
            models.Index(
                fields=["status", "-occurred_start", "-id"], name="incident_public_recent"
            ),
            # Full-text search on title and summary (search.text_search_q).
            GinIndex(incident_vector(), name="incident_search"),
            # Incremental sync: updated_since with ordering=updated_at (the API's cursor).
            models.Index(fields=["status", "updated_at", "id"], name="incident_public_updated"),
            # A country's incidents, newest first (the country filter), their dates alone
            # for the list page's timeline, and the countries the list page offers
            # (IncidentQuerySet.public_countries()).
            models.Index(
                fields=["status", "country", "-occurred_start", "-id"],
                name="incident_status_country",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields:
            # The database bumps the version on any UPDATE; read it back even then.
            kwargs["update_fields"] = {*update_fields, "version"}
        unpublished = (
            getattr(self, "_status_in_db", None) == self.Status.PUBLISHED
            and self.status != self.Status.PUBLISHED
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            if unpublished:
                Tombstone.record(self, Tombstone.reason_for(self.status))
        self._status_in_db = self.status

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remembered so that save() can tell when an incident leaves public view.
        instance._status_in_db = instance.__dict__.get("status")
        return instance

    def touch(self):
        Incident.objects.filter(pk=self.pk).touch()

    @property
    def permalink(self):
        """The incident's public address, for citations and feeds read away from the site."""
        return settings.SITE_URL + self.get_absolute_url()

    def is_public_material(self):
        """True once the incident has been shown to the public (published or withdrawn)."""
        return self.status in PUBLIC_STATUSES

    def standing_claims(self):
        """Claims not withdrawn, revised ones included (no query after with_claims())."""
        return [claim for claim in self.claims.all() if claim.withdrawn_at is None]

    def current_claims(self):
        """The claims that count: not withdrawn, and no later claim of their source
        supersedes them: each source's latest word (no extra query after with_claims()).

        Also records on every loaded claim which claim revises it, so ``claim.current``
        and ``claim.superseded_by_id`` need no query either.
        """
        return current_claims(self.standing_claims())

    def current_denials(self):
        return [denial for denial in self.denials.all() if denial.withdrawn_at is None]

    def claim_history(self) -> dict[Source, list[ClaimChain]]:
        """Per source, its claims as chains of revisions, oldest first (no extra query).

        A source that revised its toll (23 on 31 May, 30 on 1 June) has one chain of
        two claims; a claim never revised is a chain of one.
        """
        return claim_chains(self.standing_claims())

    def casualty_ranges(self):
        """Per casualty category: the reported range and the sources behind it.

        Only current claims count: a withdrawn figure, or one its source has since
        revised, is history.
        """
        return casualty_ranges(self.standing_claims())

    def denials_by_claim(self):
        """Map each claim id to the denials that answer it (no extra query)."""
        answered = {}
        for denial in self.current_denials():
            for claim in denial.denies.all():
                if claim.withdrawn_at is None:
                    answered.setdefault(claim.pk, []).append(denial)
        return answered

    def claim_entries(self):
        """Each claim paired with the denials that answer it."""
        answered = self.denials_by_claim()
        return [(claim, answered.get(claim.pk, [])) for claim in self.current_claims()]

    def current_claim_entries(self):
        """Each current claim paired with the denials that answer it."""
        answered = self.denials_by_claim()
        return [(claim, answered.get(claim.pk, [])) for claim in self.current_claims()]

    def dispute(self, reveal_protected=False) -> Dispute:
        """Whether accounts of this incident conflict, with reasons in plain words.

        Only current claims count, as for the casualty ranges.
        """
        return dispute(
            self.current_claims(), self.current_denials(), reveal_protected=reveal_protected
        )

    def unanswered_denials(self):
        """Denials that answer none of the recorded claims (a blanket denial)."""
        return [denial for denial in self.denials.all() if not denial.denies.all()]

    def public_related(self):
        """Related incidents the public may see (no extra query after with_claims())."""
        return [other for other in self.related.all() if other.status == self.Status.PUBLISHED]

    def statement_timeline(self):
        """Claims and denials in the order they were made; undated ones last.

        A list of TimelineEntry, read from what with_claims() loaded (no query).
        """
        entries = [
            TimelineEntry(claim.claimed_on, claim, is_denial=False) for claim in self.claims.all()
        ]
        entries += [
            TimelineEntry(denial.denied_on, denial, is_denial=True) for denial in self.denials.all()
        ]
        return sorted(
            entries, key=lambda e: (e.date is None, e.date or datetime.date.min, e.is_denial)
        )

    def cited_reports(self):
        """Each report that a claim or denial rests on, with what it carries, oldest first.

        A list of CitedReport, read from what with_claims() loaded (no query).
        """
        cited = {}
        for statement in [*self.claims.all(), *self.denials.all()]:
            if statement.report_id is None:
                continue
            entry = cited.setdefault(statement.report_id, CitedReport(statement.report))
            if isinstance(statement, Denial):
                entry.denials.append(statement)
            else:
                entry.claims.append(statement)
            if statement.source not in entry.sources:
                entry.sources.append(statement.source)
        return sorted(
            cited.values(),
            key=lambda c: (c.report.published_on is None, c.report.published_on, c.report.pk),
        )

    def claims_without_report(self):
        """Claims and denials recorded without the report they appeared in."""
        return [s for s in [*self.claims.all(), *self.denials.all()] if s.report_id is None]


@dataclass
class TimelineEntry:
    """A claim or denial at the date it was made."""

    date: object
    statement: object
    is_denial: bool


@dataclass
class CitedReport:
    """A report with the claims and denials it carries and the sources they come from."""

    report: object
    claims: list = field(default_factory=list)
    denials: list = field(default_factory=list)
    sources: list = field(default_factory=list)


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public=True)


class Correction(models.Model):
    """Why a published incident changed: the corrections log shown with the incident.

    Recorded by incidents.workflow whenever published material changes; the field by
    field record of the change itself is in the incident's history. Append-only: the
    database refuses to change or delete a correction.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="corrections")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who made the change (empty when made outside the application).",
    )
    reason = models.TextField(help_text="What changed and why, in words readers understand.")
    public = models.BooleanField(
        default=True,
        help_text="Shown in the public corrections log. Untick only when the reason itself "
        "would reveal what must stay private (e.g. a protected source).",
    )
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The incident's version after the change."
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="correction_reason_not_empty",
                violation_error_message="Give the reason for this change.",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.created_at:%d %b %Y %H:%M}: {self.reason}"


class WithdrawableQuerySet(models.QuerySet):
    def current(self):
        """Rows that count: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)


def _withdrawal_constraint(name):
    return models.CheckConstraint(
        condition=Q(withdrawn_at__isnull=True, withdrawn_reason="")
        | (Q(withdrawn_at__isnull=False) & ~Q(withdrawn_reason="")),
        name=f"{name}_withdrawal_has_reason",
        violation_error_message="Say why it is withdrawn.",
    )


class CasualtyCategory(models.Model):
    """A kind of casualty figure (killed, injured, children killed...). Add more in the admin."""

    slug = models.SlugField(max_length=50, primary_key=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100, help_text="Order on pages.")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "casualty categories"
        # Its name shows in the dispute's words, and its position orders the figures:
        # renaming or moving it changes every incident with a figure in it.
        triggers = [
            touch_citing_incidents(
                "touch_citing_incidents",
                ["name", "position"],
                """SELECT c.incident_id FROM incidents_claim c
                JOIN incidents_figure f ON f.claim_id = c.id
                WHERE f.category_id IN (SELECT id FROM changed)""",
                key="slug",
            )
        ]

    def __str__(self):
        return self.name


class ClaimQuerySet(WithdrawableQuerySet):
    def public(self):
        """Claims about published incidents."""
        return self.filter(incident__status=Incident.Status.PUBLISHED)

    def not_withdrawn(self):
        return self.filter(withdrawn_at__isnull=True)

    def current(self):
        """Claims that count: not withdrawn, and no later claim of their source supersedes."""
        return self.not_withdrawn().filter(~revised())

    def with_revision_links(self):
        """Annotate ``superseded_by_id``, so ``claim.current`` needs no query."""
        return self.annotate(
            superseded_by_id=Subquery(
                Claim.objects.filter(supersedes=OuterRef("pk"), withdrawn_at__isnull=True).values(
                    "pk"
                )[:1]
            )
        )


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta=history_indexes("claim", "incident"),
)
class Claim(models.Model):
    """One assertion by one source about one incident, as published in one report."""

    class Kind(models.TextChoices):
        CASUALTIES = "casualties", "Casualties"
        ATTRIBUTION = "attribution", "Attribution"
        DAMAGE = "damage", "Damage or target"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="claims")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="claims", help_text="Who makes the claim."
    )
    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        help_text="Where the claim was published.",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    statement = models.TextField(help_text="The claim in the source's own words, verbatim.")
    claimed_on = models.DateField(null=True, blank=True, help_text="When the claim was made.")
    attributed_to = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions",
        verbose_name="accused party",
        help_text="For an attribution: who the source says did it.",
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
        # The unique constraint below indexes the column.
        db_index=False,
        help_text="An earlier claim by the same source about the same incident that this one "
        "revises (a toll raised from 23 to 30). Pages show the latest by default.",
    )
    via = models.ManyToManyField(
        Source,
        through="ClaimVia",
        related_name="relayed_claims",
        blank=True,
        verbose_name="reported via",
        help_text="Intermediaries the claim reached the report through, nearest the source first.",
    )

    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the claim was withdrawn from a published incident: it no longer "
        "counts, but is kept.",
    )
    withdrawn_reason = models.TextField(blank=True, editable=False)

    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["claimed_on", "id"]
        triggers = [
            _keep_published("claim"),
            *_touch_incidents("SELECT incident_id FROM {rows}"),
        ]
        constraints = [
            _withdrawal_constraint("claim"),
            models.CheckConstraint(
                condition=Q(kind="attribution", attributed_to__isnull=False)
                | (~Q(kind="attribution") & Q(attributed_to__isnull=True)),
                name="claim_accused_iff_attribution",
                violation_error_message="An attribution names the accused party; "
                "other kinds of claim do not.",
            ),
            models.CheckConstraint(
                condition=~Q(statement=""),
                name="claim_statement_not_empty",
                violation_error_message="Quote the claim's statement verbatim.",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")),
                name="claim_not_superseding_itself",
                violation_error_message=f"{SUPERSEDES_CYCLE}.",
            ),
            models.UniqueConstraint(
                fields=["supersedes"],
                name="claim_superseded_once",
                violation_error_message="That claim has already been superseded by another "
                "claim: supersede the latest revision instead.",
            ),
        ]
        indexes = [
            # Filters on "has a claim of this kind" per incident.
            models.Index(fields=["incident", "kind"], name="claim_incident_kind"),
            # Full-text search on statements (search.text_search_q).
            GinIndex(statement_vector(), name="claim_statement_search"),
            # Incremental sync of the flat claims list: updated_since.
            models.Index(fields=["updated_at"], name="claim_updated_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} claim by {self.source_id and self.source.name}"

    def clean(self):
        super().clean()
        previous = self.supersedes if self.supersedes_id else None
        if previous is None or self.source_id is None:
            return
        if previous.source_id != self.source_id or (
            self.incident_id is not None and previous.incident_id != self.incident_id
        ):
            raise ValidationError({"supersedes": f"{SUPERSEDES_OTHER}."}, code="supersedes_other")
        if self.claimed_on and previous.claimed_on and self.claimed_on < previous.claimed_on:
            raise ValidationError(
                {"supersedes": f"{SUPERSEDES_EARLIER} ({previous.claimed_on:%d %b %Y})."},
                code="supersedes_earlier",
            )
        if self.pk is not None:
            seen, step = set(), previous
            while step is not None and step.pk not in seen:
                if step.pk == self.pk:
                    raise ValidationError(
                        {"supersedes": f"{SUPERSEDES_CYCLE}."}, code="supersedes_cycle"
                    )
                seen.add(step.pk)
                step = step.supersedes if step.supersedes_id else None

    @property
    def superseded_by_id(self):
        """The id of the claim that revises this one, or None.

        Annotated by ``with_claims()`` and ``with_revision_links()``; one query otherwise.
        """
        try:
            return self._superseded_by_id
        except AttributeError:
            if self.pk is None:
                return None
            self._superseded_by_id = (
                Claim.objects.filter(supersedes=self.pk).values_list("pk", flat=True).first()
            )
            return self._superseded_by_id

    @superseded_by_id.setter
    def superseded_by_id(self, value):
        self._superseded_by_id = value

    @property
    def current(self):
        """True unless a later claim of the same source supersedes this one."""
        return self.superseded_by_id is None

    def intermediaries(self):
        """The sources the claim was relayed through, nearest the source first."""
        return [link.source for link in self.via_links.all()]

    def provenance_chain(self, reveal_protected=False):
        """How the claim reached us: source, then intermediaries, then report, then publisher.

        Uses the prefetched intermediaries of ``with_evidence()`` when present.
        Protected sources are named only when ``reveal_protected`` is true.
        """

        def name(source):
            return source.name if reveal_protected else source.public_name

        steps = [ProvenanceStep("source", name(self.source), self.source)]
        steps += [ProvenanceStep("via", name(source), source) for source in self.intermediaries()]
        if self.report_id:
            steps.append(ProvenanceStep("report", self.report.title, self.report))
            publisher = self.report.publisher
            steps.append(ProvenanceStep("publisher", name(publisher), publisher))
        return steps


class FigureQuerySet(models.QuerySet):
    def public(self):
        """Figures in claims about published incidents."""
        return self.filter(claim__incident__status=Incident.Status.PUBLISHED)

    def compared_with_other_sources(self):
        """Annotate each figure with what other sources say for the same incident and category.

        Adds ``others_low`` (their lowest low end), ``others_high`` (their highest high
        end), ``others_open`` (one of them has no maximum, “at least 300”),
        ``others_sources`` (how many other sources) and ``comparison``: ``above`` when
        this figure's low end is above every other figure's possible value, ``below``
        when its maximum is below every other figure's low end, ``within`` when they
        overlap, ``alone`` when no other source gives a number, ``unquantified`` when
        this figure has no number. Figures are read as intervals: “at least 23” is
        23 or more, so it is below nothing. One query, by correlated subqueries.
        """
        others = Figure.objects.filter(
            claim__incident=OuterRef("claim__incident"), category=OuterRef("category")
        ).exclude(claim__source=OuterRef("claim__source"))
        grouped = others.order_by().values("category")
        return self.annotate(
            others_low=Subquery(
                grouped.annotate(v=Min(Coalesce("min_count", "max_count"))).values("v")
            ),
            others_high=Subquery(
                grouped.annotate(v=Max(Coalesce("max_count", "min_count"))).values("v")
            ),
            others_open=Exists(others.filter(min_count__isnull=False, max_count__isnull=True)),
            others_sources=Coalesce(
                Subquery(grouped.annotate(v=Count("claim__source", distinct=True)).values("v")),
                0,
            ),
            own_low=Coalesce("min_count", "max_count"),
        ).annotate(
            comparison=Case(
                When(own_low__isnull=True, then=Value("unquantified")),
                When(others_low__isnull=True, then=Value("alone")),
                When(others_open=False, own_low__gt=F("others_high"), then=Value("above")),
                When(max_count__isnull=False, max_count__lt=F("others_low"), then=Value("below")),
                default=Value("within"),
                output_field=models.CharField(),
            )
        )


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta=history_indexes("figure", "claim"),
    # A figure has no history page of its own: its events are read by their claim.
    obj_field=pghistory.ObjForeignKey(db_index=False, related_name="events"),
)
class Figure(models.Model):
    """A casualty figure within a claim, as said and as comparable numbers.

    “at least 23” is min 23 and no max; “over 200” is min 200; “50” is min 50 and max 50;
    “some 250” is 250-250, approximate. A vague figure (“several”) may leave both empty.
    """

    # A claim's figures are found through figure_one_per_category (claim, category): an
    # index of the claim alone would be kept up on every insert for nothing. Nor are
    # figures looked up by their category without their claim (the few categories
    # each hold a large share of all figures).
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="figures", db_index=False
    )
    category = models.ForeignKey(
        CasualtyCategory, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    min_count = models.IntegerField(
        null=True, blank=True, verbose_name="min", help_text="Lowest number the words allow."
    )
    max_count = models.IntegerField(
        null=True,
        blank=True,
        verbose_name="max",
        help_text="Highest number the words allow; empty when open-ended (“at least 23”).",
    )
    approximate = models.BooleanField(default=False, help_text="“some 250”, “about 40”.")
    as_said = models.CharField(
        max_length=300, help_text="The figure in the source's words, e.g. “at least 23”."
    )

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "id"]
        triggers = _touch_incidents(
            "SELECT c.incident_id FROM {rows} JOIN incidents_claim c ON c.id = {rows}.claim_id"
        )
        constraints = [
            models.CheckConstraint(
                condition=Q(min_count__isnull=True) | Q(min_count__gte=0),
                name="figure_min_not_negative",
                violation_error_message="A count cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(max_count__isnull=True) | Q(max_count__gte=0),
                name="figure_max_not_negative",
                violation_error_message="A count cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(min_count__isnull=True)
                | Q(max_count__isnull=True)
                | Q(min_count__lte=F("max_count")),
                name="figure_min_not_above_max",
                violation_error_message="The minimum cannot be above the maximum.",
            ),
            models.CheckConstraint(
                condition=~Q(as_said=""),
                name="figure_as_said_not_empty",
                violation_error_message="Give the figure as the source said it.",
            ),
            models.UniqueConstraint(
                fields=["claim", "category"],
                name="figure_one_per_category",
                violation_error_message="A claim gives one figure per category.",
            ),
        ]

    def __str__(self):
        return f"{self.category_id}: {self.as_said}"

    @property
    def low(self):
        return self.min_count if self.min_count is not None else self.max_count

    @property
    def high(self):
        return self.max_count if self.max_count is not None else self.min_count


class DenialQuerySet(WithdrawableQuerySet):
    def public(self):
        """Denials about published incidents."""
        return self.filter(incident__status=Incident.Status.PUBLISHED)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta=history_indexes("denial", "incident"),
)
class Denial(models.Model):
    """A source rejecting one or more claims about an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="denials")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="denials")
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="denials"
    )
    statement = models.TextField(help_text="The denial in the source's own words, verbatim.")
    denied_on = models.DateField(null=True, blank=True)
    denies = models.ManyToManyField(
        Claim,
        related_name="denials",
        blank=True,
        help_text="The claims this denial answers; they must be about the same incident. "
        "Save the incident's claims first.",
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the denial was withdrawn from a published incident: it no longer "
        "counts, but is kept.",
    )
    withdrawn_reason = models.TextField(blank=True, editable=False)

    updated_at = models.DateTimeField(auto_now=True)

    objects = DenialQuerySet.as_manager()

    class Meta:
        ordering = ["denied_on", "id"]
        triggers = [
            _keep_published("denial"),
            *_touch_incidents("SELECT incident_id FROM {rows}"),
        ]
        constraints = [
            _withdrawal_constraint("denial"),
            models.CheckConstraint(
                condition=~Q(statement=""),
                name="denial_statement_not_empty",
                violation_error_message="Quote the denial's statement verbatim.",
            ),
        ]
        indexes = [
            # Full-text search on statements (search.text_search_q).
            GinIndex(statement_vector(), name="denial_statement_search"),
        ]

    def __str__(self):
        return f"Denial by {self.source_id and self.source.name}"

    def check_denies(self, claims):
        """Refuse claims about another incident, with a message that names them."""
        foreign = [c for c in claims if c.incident_id != self.incident_id]
        if foreign:
            ids = ", ".join(f"#{c.pk}" for c in foreign)
            raise ValidationError(
                {"denies": f"{DENIAL_OTHER_INCIDENT} (claim {ids})."},
                code="denial_other_incident",
            )


class ProvenanceStep:
    """One link of a claim's provenance chain: its role, the name to show, the object."""

    __slots__ = ("name", "obj", "role")

    def __init__(self, role, name, obj):
        self.role, self.name, self.obj = role, name, obj

    def __repr__(self):
        return f"ProvenanceStep({self.role!r}, {self.name!r})"

    def __eq__(self, other):
        return isinstance(other, ProvenanceStep) and (self.role, self.obj) == (
            other.role,
            other.obj,
        )

    __hash__ = None


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta=history_indexes("claimvia", "claim"),
)
class ClaimVia(models.Model):
    """An intermediary a claim was relayed through (the Observatory's toll, reported by AP)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="via_links")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", help_text="Who relayed the claim."
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the intermediary nearest the source, then 2, 3..."
    )

    class Meta:
        ordering = ["claim", "position"]
        verbose_name = "intermediary"
        triggers = _touch_incidents(
            "SELECT c.incident_id FROM {rows} JOIN incidents_claim c ON c.id = {rows}.claim_id"
        )
        verbose_name_plural = "reported via"
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "position"],
                name="claim_via_position_unique",
                violation_error_message="Two intermediaries of a claim cannot share a position.",
            ),
            models.UniqueConstraint(
                fields=["claim", "source"],
                name="claim_via_source_unique",
                violation_error_message="An intermediary appears once in a claim's chain.",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="claim_via_position_positive",
                violation_error_message="Positions start at 1.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.source_id and self.source.name}"


def media_upload_to(instance, filename):
    # Named by content, so the name itself says which bytes it holds.
    extension = os.path.splitext(filename)[1].lower()
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}{extension}"


class MediaQuerySet(models.QuerySet):
    def public(self):
        """Media of published incidents."""
        return self.filter(incident__status=Incident.Status.PUBLISHED)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta=history_indexes("media", "incident"),
)
class Media(models.Model):
    """A photo, video, sound recording or document that an incident or a claim rests on."""

    class Kind(models.TextChoices):
        PHOTO = "photo", "Photo"
        VIDEO = "video", "Video"
        AUDIO = "audio", "Audio"
        DOCUMENT = "document", "Document"

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        VERIFIED = "verified", "Verified"
        DISPUTED = "disputed", "Disputed"
        FAKE = "fake", "Fake"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="media")
    claim = models.ForeignKey(
        Claim,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="media",
        help_text="The claim this item supports, if it supports one claim in particular.",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    description = models.TextField(
        help_text="What it shows, as a person who has not seen it needs to know."
    )
    file = models.FileField(
        upload_to=media_upload_to,
        max_length=300,
        blank=True,
        validators=[validate_evidence_file],
        help_text="JPEG, PNG, WebP, MP4, WebM, MP3, Ogg, WAV or PDF.",
    )
    url = models.URLField(
        max_length=2000, blank=True, verbose_name="URL", help_text="Where it is published."
    )
    original_filename = models.CharField(max_length=255, blank=True, editable=False)
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        verbose_name="SHA-256",
        help_text="SHA-256 of the uploaded file, computed on upload.",
    )
    size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="media",
        help_text="The report that published or described it.",
    )
    acquired_from = models.CharField(
        max_length=300, blank=True, help_text="Who it was obtained from, e.g. “Associated Press”."
    )
    acquired_at = models.DateTimeField(null=True, blank=True, help_text="When it was obtained.")
    acquired_by = models.CharField(
        max_length=300, blank=True, help_text="Who obtained it (a researcher, a reporter)."
    )
    verification_status = models.CharField(
        max_length=20, choices=Verification, default=Verification.UNVERIFIED
    )
    verification_note = models.TextField(
        blank=True, help_text="How it was verified, or why it is disputed or fake."
    )
    verified_by = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who verified it: a person or an organisation. The admin fills in your name "
        "when you change the status and leave this empty.",
    )
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the verification status was last set here."
    )
    graphic = models.BooleanField(
        default=False, help_text="Shows death or injury: pages hide it until the reader asks."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MediaQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "id"]
        verbose_name = "media evidence"
        triggers = _touch_incidents("SELECT incident_id FROM {rows}")
        verbose_name_plural = "media evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="media_sha256_format",
                violation_error_message="The SHA-256 must be 64 lowercase hexadecimal characters.",
            ),
            models.CheckConstraint(
                condition=Q(file="") | ~Q(sha256=""),
                name="media_file_hashed",
                violation_error_message="An uploaded file needs its SHA-256.",
            ),
            models.CheckConstraint(
                condition=Q(verification_status="unverified") | ~Q(verification_note=""),
                name="media_verification_explained",
                violation_error_message="Explain the verification in the note: how it was "
                "verified, or why it is disputed or fake.",
            ),
            models.CheckConstraint(
                condition=~Q(description=""),
                name="media_description_not_empty",
                violation_error_message="Describe what it shows.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description[:60]}"

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            self.original_filename = os.path.basename(self.file.name)[:255]
            digest, size = hashlib.sha256(), 0
            for chunk in self.file.chunks():
                digest.update(chunk)
                size += len(chunk)
            self.sha256, self.size = digest.hexdigest(), size
            self.file.seek(0)
            found = sniff(self.file.read(64))
            self.file.seek(0)
            self.content_type = found.mime if found else "application/octet-stream"
        if self.claim_id and not self.incident_id:
            self.incident_id = self.claim.incident_id
        if self._state.adding:
            status_changed = self.verification_status != self.Verification.UNVERIFIED
            status_changed = status_changed and self.verified_at is None
        else:
            loaded = getattr(self, "_loaded_verification", None)
            status_changed = loaded is not None and loaded != self.verification_status
        if status_changed:
            self.verified_at = timezone.now()
        super().save(*args, **kwargs)
        self._loaded_verification = self.verification_status

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_verification = instance.__dict__.get("verification_status")
        return instance

    def clean(self):
        super().clean()
        errors = {}
        if self.claim_id and self.incident_id and self.claim.incident_id != self.incident_id:
            errors["claim"] = f"{MEDIA_OTHER_INCIDENT}."
        if self.file and not self.file._committed:
            self.file.seek(0)
            found = sniff(self.file.read(64))
            self.file.seek(0)
            if found and found.kind != self.kind:
                errors["kind"] = (
                    f"The file is {found.label}: set the kind to "
                    f"“{self.Kind(found.kind).label.lower()}”."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def public_url(self):
        """Where the public can see it: our file view for an upload, else its published URL."""
        if self.file:
            return reverse("incidents:media_file", args=[self.pk])
        return self.url

    def summary(self):
        """The item as the API lists it under an incident (``url`` is a path or an address)."""
        return {
            "id": self.pk,
            "url": self.public_url,
            "kind": self.kind,
            "sha256": self.sha256,
            "verification": {"status": self.verification_status, "note": self.verification_note},
            "graphic": self.graphic,
        }


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta=history_indexes("identifier", "incident"),
)
class IncidentIdentifier(models.Model):
    """Another monitor's identifier for the same event (an Airwars or ACLED record)."""

    class Scheme(models.TextChoices):
        AIRWARS = "airwars", "Airwars"
        ACLED = "acled", "ACLED"
        UCDP = "ucdp", "UCDP"
        SYRIAN_ARCHIVE = "syrian-archive", "Syrian Archive"
        OTHER = "other", "Other"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=Scheme)
    value = models.CharField(max_length=200, help_text="The identifier as the monitor writes it.")
    url = models.URLField(
        max_length=2000, blank=True, verbose_name="URL", help_text="The monitor's page for it."
    )

    class Meta:
        ordering = ["scheme", "value"]
        verbose_name = "identifier elsewhere"
        triggers = _touch_incidents("SELECT incident_id FROM {rows}")
        verbose_name_plural = "identifiers elsewhere"
        constraints = [
            # Value first: the index also serves the `identifier` filter given a bare value.
            models.UniqueConstraint(
                fields=["value", "scheme"],
                name="incident_identifier_unique",
                violation_error_message="Another incident already carries this identifier.",
            ),
            models.CheckConstraint(
                condition=~Q(value=""),
                name="incident_identifier_not_empty",
                violation_error_message="Give the identifier's value.",
            ),
        ]

    def __str__(self):
        return f"{self.scheme}:{self.value}"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.DeleteEvent(),
    obj_field=None,
    model_name="DenialDeniesEvent",
    meta=history_indexes("denies", "denial"),
)
class DenialDenies(Denial.denies.through):
    """Which claims a denial answers: the link table, declared to track and guard it."""

    class Meta:
        proxy = True
        triggers = _touch_incidents(
            "SELECT d.incident_id FROM {rows} JOIN incidents_denial d ON d.id = {rows}.denial_id"
        )

    def __str__(self):
        return f"Denial #{self.denial_id} answers claim #{self.claim_id}"


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.DeleteEvent(),
    obj_field=None,
    model_name="IncidentRelatedEvent",
    meta=history_indexes("related", "from_incident"),
)
class IncidentRelated(Incident.related.through):
    """Links between related incidents (two rows per link: the relation is symmetrical)."""

    class Meta:
        proxy = True
        triggers = _touch_incidents("SELECT from_incident_id FROM {rows}")

    def __str__(self):
        return f"Incident #{self.from_incident_id} related to #{self.to_incident_id}"


class Tombstone(models.Model):
    """An incident, claim or denial that left public view, so that mirrors can drop it.

    Written when one is deleted or its incident unpublished (see Tombstone.record and
    incidents.signals); read by partners through /api/v1/deleted/.
    """

    class ObjectType(models.TextChoices):
        INCIDENT = "incident", "Incident"
        CLAIM = "claim", "Claim"
        DENIAL = "denial", "Denial"

    class Reason(models.TextChoices):
        DELETED = "deleted", "Deleted"
        UNPUBLISHED = "unpublished", "Unpublished"
        WITHDRAWN = "withdrawn", "Withdrawn"

    object_type = models.CharField(max_length=20, choices=ObjectType)
    object_id = models.BigIntegerField()
    deleted_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=20, choices=Reason)

    class Meta:
        ordering = ["id"]
        indexes = [
            # /api/v1/deleted/?since=...
            models.Index(fields=["deleted_at"], name="tombstone_deleted_at"),
        ]

    def __str__(self):
        return f"{self.object_type} #{self.object_id} {self.reason}"

    @classmethod
    def reason_for(cls, status):
        """Why an incident that leaves the published status leaves public view: the new
        status itself when it is also a reason (a "withdrawn" status, say), else
        "unpublished"."""
        return status if status in cls.Reason.values else cls.Reason.UNPUBLISHED

    @classmethod
    def record(cls, obj, reason):
        """Record that ``obj`` (an incident, claim or denial) left public view.

        An incident takes its claims and denials with it. Callers decide whether the
        object was public; this only writes.
        """
        now = timezone.now()

        def stone(object_type, pk):
            return cls(object_type=object_type, object_id=pk, deleted_at=now, reason=reason)

        if isinstance(obj, Incident):
            stones = [stone(cls.ObjectType.INCIDENT, obj.pk)]
            stones += [
                stone(cls.ObjectType.CLAIM, pk)
                for pk in Claim.objects.filter(incident_id=obj.pk).values_list("pk", flat=True)
            ]
            stones += [
                stone(cls.ObjectType.DENIAL, pk)
                for pk in Denial.objects.filter(incident_id=obj.pk).values_list("pk", flat=True)
            ]
        elif isinstance(obj, Claim):
            stones = [stone(cls.ObjectType.CLAIM, obj.pk)]
        elif isinstance(obj, Denial):
            stones = [stone(cls.ObjectType.DENIAL, obj.pk)]
        else:
            raise TypeError(f"No tombstones for {type(obj).__name__}")
        return cls.objects.bulk_create(stones)


class IncidentSearch(models.Model):
    """Every word the public search can match for an incident, in one indexed tsvector.

    The lexemes of its title and summary, its current claims' and denials' statements
    and its unprotected sources' names (search.SEARCH_DOCUMENT_SQL), without positions.
    Any document text_search_q() matches puts its words here, so an incident whose
    document does not match a query (without negation) matches it nowhere: the search
    looks here first, with one index, and checks each statement only for the few
    incidents left. It also keeps the incident's highest current number of killed and
    the parties its current attributions name and whether it is contested, for the
    killed_min, attributed_to and contested filters. Written only by the database's
    triggers (and bulk loads).
    """

    incident = models.OneToOneField(
        Incident,
        on_delete=models.DB_CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    document = SearchVectorField()
    killed_high = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The highest number of killed a current claim gives (search.KILLED_HIGH_SQL): "
        "what the killed_min filter compares, one row per incident instead of its figures.",
    )
    attributed_to = ArrayField(
        models.TextField(),
        default=list,
        blank=True,
        help_text="The slugs of the sources its current attributions name "
        "(search.ATTRIBUTED_TO_SQL): what the attributed_to filter looks up, in one index.",
    )
    contested = models.BooleanField(
        default=False,
        help_text="Whether dispute() finds it contested (search.CONTESTED_SQL): what the "
        "contested filter reads, one row per incident instead of its claims and denials.",
    )

    class Meta:
        indexes = [
            GinIndex(fields=["document"], name="incident_document_search"),
            GinIndex(fields=["attributed_to"], name="incident_document_attributed"),
            # The killed_min, attributed_to and contested filters test each listed
            # incident's row here: with their columns in the index, the test reads the
            # index alone, not the wide row holding the document.
            models.Index(
                fields=["incident"],
                include=["killed_high", "attributed_to", "contested"],
                name="incident_search_filters",
            ),
        ]

    def __str__(self):
        return f"Search document of incident #{self.incident_id}"


class DataChange(models.Model):
    """A change to the incidents or the sources, noted by the database.

    Written by ``_record_data_change`` on incidents and by a trigger on the sources
    table (migration 0017_source_data_change), in the transaction of the change.

    The newest id is the data's version: the public list caches what it aggregates over
    every matching incident (the count, the timeline, the map, the countries) under it,
    so a new version, noted in the same transaction as the change, makes them be read
    again. Never written by the application.
    """

    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Change #{self.pk} at {self.changed_at:%Y-%m-%d %H:%M:%S}"

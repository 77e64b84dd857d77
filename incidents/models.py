import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from sources.models import Report, Source

from .competing import Dispute, casualty_ranges, dispute
from .search import incident_vector, statement_vector

# The same words come from the admin, the API and the database trigger that backs them.
DENIAL_OTHER_INCIDENT = "A denial can only answer claims about the same incident"

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


def _touch_incidents(incident_ids):
    """Statement-level triggers that mark the incidents a change to their parts touched.

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
            func="UPDATE incidents_incident SET updated_at = NOW() WHERE id IN ("
            + " UNION ".join(incident_ids.format(rows=rows) for rows in tables)
            + "); RETURN NULL;",
        )
        for operation, referencing, tables in operations
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

    def withdrawn(self):
        """Incidents taken down after publication; their public reason stays readable."""
        return self.filter(status=Incident.Status.WITHDRAWN)

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
            Claim.objects.current()
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
            .select_related("source__parent__parent", "report__publisher")
            .prefetch_related(
                Prefetch(
                    "denies",
                    queryset=Claim.objects.current().only("id", "incident_id", "withdrawn_at"),
                )
            )
        )
        return self.prefetch_related(
            Prefetch("claims", queryset=claims.order_by("claimed_on", "id")),
            Prefetch("denials", queryset=denials.order_by("denied_on", "id")),
            Prefetch("related", queryset=Incident.objects.only("id", "slug", "title", "status")),
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
            ("publish_incident", "Can publish incidents"),
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
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields:
            # The database bumps the version on any UPDATE; read it back even then.
            kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.slug])

    @property
    def is_public_material(self):
        """True once the incident has been shown to the public (published or withdrawn)."""
        return self.status in PUBLIC_STATUSES

    def current_claims(self):
        """The claims that count: not withdrawn (no query when loaded by with_claims())."""
        return [claim for claim in self.claims.all() if claim.withdrawn_at is None]

    def current_denials(self):
        return [denial for denial in self.denials.all() if denial.withdrawn_at is None]

    def casualty_ranges(self):
        """Per casualty category: the reported range and the sources behind it."""
        return casualty_ranges(self.current_claims())

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

    def dispute(self, reveal_protected=False) -> Dispute:
        """Whether accounts of this incident conflict, with reasons in plain words."""
        return dispute(
            self.current_claims(), self.current_denials(), reveal_protected=reveal_protected
        )


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

    def __str__(self):
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the claim was withdrawn from a published incident: it no longer "
        "counts, but is kept.",
    )
    withdrawn_reason = models.TextField(blank=True, editable=False)

    objects = WithdrawableQuerySet.as_manager()

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
        ]
        indexes = [
            # Filters on "has a claim of this kind" per incident.
            models.Index(fields=["incident", "kind"], name="claim_incident_kind"),
            # Full-text search on statements (search.text_search_q).
            GinIndex(statement_vector(), name="claim_statement_search"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} claim by {self.source_id and self.source.name}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Figure(models.Model):
    """A casualty figure within a claim, as said and as comparable numbers.

    “at least 23” is min 23 and no max; “over 200” is min 200; “50” is min 50 and max 50;
    “some 250” is 250-250, approximate. A vague figure (“several”) may leave both empty.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="figures")
    category = models.ForeignKey(CasualtyCategory, on_delete=models.PROTECT, related_name="+")
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


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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

    objects = WithdrawableQuerySet.as_manager()

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


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.DeleteEvent(),
    obj_field=None,
    model_name="DenialDeniesEvent",
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
)
class IncidentRelated(Incident.related.through):
    """Links between related incidents (two rows per link: the relation is symmetrical)."""

    class Meta:
        proxy = True
        triggers = _touch_incidents("SELECT from_incident_id FROM {rows}")

    def __str__(self):
        return f"Incident #{self.from_incident_id} related to #{self.to_incident_id}"

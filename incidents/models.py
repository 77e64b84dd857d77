import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
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

from sources.models import Report, Source

from .competing import Dispute, casualty_ranges, dispute
from .search import incident_vector, statement_vector

# The same words come from the admin, the API and the database trigger that backs them.
DENIAL_OTHER_INCIDENT = "A denial can only answer claims about the same incident"


class IncidentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Incident.Status.PUBLISHED)

    def with_claims(self):
        """Load incidents with everything the competing-claims view needs.

        Issues a constant number of queries whatever the number of incidents:
        one for the incidents, then one each for claims (with source, report,
        publisher and accused party joined), figures, denials (with source and
        report joined), the claims each denial answers, and related incidents.
        Sources' parent organisations are joined, which the dispute rules read.
        """
        claims = Claim.objects.select_related(
            "source__parent", "report__publisher", "attributed_to__parent"
        ).prefetch_related(
            Prefetch(
                "figures",
                queryset=Figure.objects.select_related("category").order_by(
                    "category__position", "id"
                ),
            ),
        )
        denials = Denial.objects.select_related(
            "source__parent__parent", "report__publisher"
        ).prefetch_related(Prefetch("denies", queryset=Claim.objects.only("id", "incident_id")))
        return self.prefetch_related(
            Prefetch("claims", queryset=claims.order_by("claimed_on", "id")),
            Prefetch("denials", queryset=denials.order_by("denied_on", "id")),
            Prefetch("related", queryset=Incident.objects.only("id", "slug", "title", "status")),
        )

    def counts_by_month(self):
        """Incidents per month of their start date (undated ones left out), oldest first."""
        return (
            self.exclude(occurred_start=None)
            .order_by()
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


class Incident(models.Model):
    """One event in time and place, about which sources make competing claims."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

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

    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
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

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_start", "-id"]
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

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.slug])

    @property
    def permalink(self):
        """The incident's public address, for citations and feeds read away from the site."""
        return settings.SITE_URL + self.get_absolute_url()

    def casualty_ranges(self):
        """Per casualty category: the reported range and the sources behind it."""
        return casualty_ranges(self.claims.all())

    def denials_by_claim(self):
        """Map each claim id to the denials that answer it (no extra query)."""
        answered = {}
        for denial in self.denials.all():
            for claim in denial.denies.all():
                answered.setdefault(claim.pk, []).append(denial)
        return answered

    def claim_entries(self):
        """Each claim paired with the denials that answer it."""
        answered = self.denials_by_claim()
        return [(claim, answered.get(claim.pk, [])) for claim in self.claims.all()]

    def dispute(self, reveal_protected=False) -> Dispute:
        """Whether accounts of this incident conflict, with reasons in plain words."""
        return dispute(self.claims.all(), self.denials.all(), reveal_protected=reveal_protected)

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


class ClaimQuerySet(models.QuerySet):
    def public(self):
        """Claims about published incidents."""
        return self.filter(incident__status=Incident.Status.PUBLISHED)


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

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["claimed_on", "id"]
        constraints = [
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

    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "id"]
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


class DenialQuerySet(models.QuerySet):
    def public(self):
        """Denials about published incidents."""
        return self.filter(incident__status=Incident.Status.PUBLISHED)


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

    objects = DenialQuerySet.as_manager()

    class Meta:
        ordering = ["denied_on", "id"]
        constraints = [
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

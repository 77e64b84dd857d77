from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from sources.models import Report, Source

from .competing import Dispute, casualty_ranges, dispute
from .search import incident_vector, statement_vector

# The same words come from the admin, the API and the database trigger that backs them.
DENIAL_OTHER_INCIDENT = "A denial can only answer claims about the same incident"


class IncidentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Incident.Status.PUBLISHED)

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
        permissions = [("publish_incident", "Can publish incidents (and edit published ones)")]
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
            # Incremental sync: updated_since with ordering=updated_at (the API's cursor).
            models.Index(fields=["status", "updated_at", "id"], name="incident_public_updated"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
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
    updated_at = models.DateTimeField(auto_now=True)

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
            # Incremental sync of the flat claims list: updated_since.
            models.Index(fields=["updated_at"], name="claim_updated_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} claim by {self.source_id and self.source.name}"


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
    updated_at = models.DateTimeField(auto_now=True)

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

"""One FilterSet per list, shared by the API and the public HTML pages.

Every condition on claims, figures or denials is its own ``Exists()`` subquery, so
two conditions never get tied to the same claim row and no DISTINCT is needed.
Withdrawn claims and denials are left out of every condition.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from sources.filters import visible_sources
from sources.models import Source

from .models import (
    CasualtyCategory,
    Claim,
    Denial,
    Figure,
    Incident,
    IncidentIdentifier,
    IncidentSearch,
    Tombstone,
)
from .search import contested_q, revised, search_query, statement_vector, text_search_q


def _is_staff(request):
    return bool(request is not None and request.user.is_authenticated and request.user.is_staff)


class BBoxField(forms.CharField):
    default_error_messages = {
        "invalid": "Give the box as min_lon,min_lat,max_lon,max_lat, e.g. 35.5,35.5,37,36.5.",
        "range": "Longitudes must be within -180..180 and latitudes within -90..90, "
        "with each minimum below its maximum.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            min_lon, min_lat, max_lon, max_lat = (float(part) for part in value.split(","))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return (min_lon, min_lat, max_lon, max_lat)


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        if value is None:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(
            longitude__gte=min_lon,
            longitude__lte=max_lon,
            latitude__gte=min_lat,
            latitude__lte=max_lat,
        )


class CountryField(forms.CharField):
    def to_python(self, value):
        value = (super().to_python(value) or "").strip().upper()
        if value and not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise forms.ValidationError("Give the country as a two-letter ISO code, e.g. SY.")
        return value


class CountryFilter(django_filters.CharFilter):
    field_class = CountryField


class StrictBooleanField(forms.TypedChoiceField):
    """true/false (or 1/0); anything else is an error rather than "no filter"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("", "Any"), ("true", "Yes"), ("false", "No")])
        kwargs["coerce"] = lambda value: value in ("true", "1", True)
        kwargs["empty_value"] = None
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = {"1": "true", "0": "false", "True": "true", "False": "false"}.get(value, value)
        return super().to_python(value)


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class IncidentFilter(django_filters.FilterSet):
    """Filters of /api/v1/incidents/ and /incidents/ (see the API contract)."""

    ORDERINGS = {
        "occurred": ("occurred_start", "id"),
        "-occurred": ("-occurred_start", "-id"),
        "updated_at": ("updated_at", "id"),
        "-updated_at": ("-updated_at", "-id"),
        "-killed": ("-killed", "-id"),
    }

    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=200)
    occurred_after = django_filters.DateFilter(
        field_name="occurred_start", lookup_expr="gte", label="Occurred on or after"
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_start", lookup_expr="lte", label="Occurred on or before"
    )
    country = CountryFilter(field_name="country", label="Country (ISO code)")
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact")
    source = django_filters.CharFilter(method="filter_source", label="Source (slug)")
    attributed_to = django_filters.CharFilter(
        method="filter_attributed_to", label="Attributed to (slug)"
    )
    kind = django_filters.ChoiceFilter(
        choices=Claim.Kind.choices, method="filter_kind", label="Has a claim of kind"
    )
    killed_min = django_filters.NumberFilter(
        method="filter_killed_min",
        min_value=0,
        label="At least this many killed (any source's current figure)",
    )
    contested = StrictBooleanFilter(method="filter_contested", label="Contested")
    assessment = django_filters.ChoiceFilter(choices=Incident.Grade.choices)
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    bbox = BBoxFilter(label="Bounding box (min_lon,min_lat,max_lon,max_lat)")
    identifier = django_filters.CharFilter(
        method="filter_identifier",
        max_length=230,
        label="Another monitor's identifier (scheme:value, e.g. airwars:SY123, or a value)",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[
            ("-occurred", "Newest first"),
            ("occurred", "Oldest first"),
            ("-updated_at", "Recently updated"),
            ("updated_at", "Least recently updated"),
            ("-killed", "Most killed"),
        ],
        method="filter_ordering",
        label="Sort",
    )

    class Meta:
        model = Incident
        fields = []

    def _sources(self, slug):
        sources = Source.objects.filter(slug=slug)
        if not _is_staff(self.request):
            sources = sources.filter(protected=False)
        return sources.values("pk")

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(text_search_q(value, include_protected=_is_staff(self.request)))

    def filter_source(self, queryset, name, value):
        sources = self._sources(value)
        return queryset.filter(
            Q(
                Exists(
                    Claim.objects.not_withdrawn().filter(
                        incident=OuterRef("pk"), source__in=sources
                    )
                )
            )
            | Q(
                Exists(Denial.objects.current().filter(incident=OuterRef("pk"), source__in=sources))
            )
        )

    def filter_attributed_to(self, queryset, name, value):
        # The slugs of the parties each incident's current attributions name are kept
        # with its search document (one indexed row per incident, instead of its claims
        # and revisions). The slug is given as a constant, so that PostgreSQL weighs it
        # with the documents' statistics: it looks a rare party's incidents up in the
        # index, and walks the newest incidents for a common one.
        documents = IncidentSearch.objects.filter(
            incident=OuterRef("pk"), attributed_to__overlap=[value]
        )
        if _is_staff(self.request):
            return queryset.filter(Exists(documents))
        # The public cannot find out which incidents name a protected source.
        protected = Source.objects.filter(slug=value, protected=True)
        return queryset.filter(Exists(documents), ~Exists(protected))

    def filter_kind(self, queryset, name, value):
        return queryset.filter(
            Exists(Claim.objects.not_withdrawn().filter(incident=OuterRef("pk"), kind=value))
        )

    def filter_killed_min(self, queryset, name, value):
        # Each incident's highest current killed figure is kept with its search document
        # (one row by primary key, instead of its claims' figures and revisions).
        return queryset.filter(
            Exists(IncidentSearch.objects.filter(incident=OuterRef("pk"), killed_high__gte=value))
        )

    def filter_identifier(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        identifiers = IncidentIdentifier.objects.filter(incident=OuterRef("pk"))
        scheme, colon, rest = value.partition(":")
        if colon and scheme.strip().lower() in IncidentIdentifier.Scheme.values:
            identifiers = identifiers.filter(scheme=scheme.strip().lower(), value=rest.strip())
        else:
            identifiers = identifiers.filter(value=value)
        return queryset.filter(Exists(identifiers))

    def filter_contested(self, queryset, name, value):
        if value is None:
            return queryset
        # Whether each incident is contested is kept with its search document (one
        # indexed row per incident, instead of the rules over its claims and denials).
        return queryset.filter(contested_q()) if value else queryset.exclude(contested_q())

    def filter_ordering(self, queryset, name, value):
        if value == "-killed":
            highest = (
                Figure.objects.filter(
                    claim__incident=OuterRef("pk"),
                    claim__withdrawn_at__isnull=True,
                    category="killed",
                )
                .filter(~revised("claim_id"))
                .annotate(high=Coalesce("max_count", "min_count"))
                .filter(high__isnull=False)
                .order_by("-high")
                .values("high")[:1]
            )
            queryset = queryset.alias(killed=Coalesce(Subquery(highest), -1))
        return queryset.order_by(*self.ORDERINGS[value])


class StatementFilters:
    """What the claims and denials collections share: a search of their statements and
    their source (a protected one found by staff alone)."""

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.alias(statement_search=statement_vector()).filter(
            statement_search=search_query(value)
        )

    def filter_source(self, queryset, name, value):
        return queryset.filter(source__in=visible_sources(self.request, value))


class ClaimFilter(StatementFilters, django_filters.FilterSet):
    """Filters of /api/v1/claims/."""

    q = django_filters.CharFilter(method="filter_q", label="Search statements", max_length=200)
    incident = django_filters.NumberFilter(field_name="incident_id", min_value=1)
    incident_slug = django_filters.CharFilter(field_name="incident__slug")
    kind = django_filters.ChoiceFilter(choices=Claim.Kind.choices)
    source = django_filters.CharFilter(method="filter_source", label="Source (slug)")
    attributed_to = django_filters.CharFilter(
        method="filter_attributed_to", label="Attributed to (slug)"
    )
    category = django_filters.ModelChoiceFilter(
        queryset=CasualtyCategory.objects.all(),
        to_field_name="slug",
        method="filter_category",
        label="Gives a figure in this casualty category",
    )
    report = django_filters.NumberFilter(field_name="report_id", min_value=1)
    claimed_after = django_filters.DateFilter(field_name="claimed_on", lookup_expr="gte")
    claimed_before = django_filters.DateFilter(field_name="claimed_on", lookup_expr="lte")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Claim
        fields = []

    def filter_attributed_to(self, queryset, name, value):
        return queryset.filter(attributed_to__in=visible_sources(self.request, value))

    def filter_category(self, queryset, name, value):
        return queryset.filter(Exists(Figure.objects.filter(claim=OuterRef("pk"), category=value)))


class DenialFilter(StatementFilters, django_filters.FilterSet):
    """Filters of /api/v1/denials/."""

    q = django_filters.CharFilter(method="filter_q", label="Search statements", max_length=200)
    incident = django_filters.NumberFilter(field_name="incident_id", min_value=1)
    incident_slug = django_filters.CharFilter(field_name="incident__slug")
    source = django_filters.CharFilter(method="filter_source", label="Source (slug)")
    denies = django_filters.NumberFilter(
        method="filter_denies", min_value=1, label="Answers this claim (id)"
    )
    report = django_filters.NumberFilter(field_name="report_id", min_value=1)
    denied_after = django_filters.DateFilter(field_name="denied_on", lookup_expr="gte")
    denied_before = django_filters.DateFilter(field_name="denied_on", lookup_expr="lte")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Denial
        fields = []

    def filter_denies(self, queryset, name, value):
        answers = Denial.denies.through.objects.filter(denial=OuterRef("pk"), claim_id=value)
        return queryset.filter(Exists(answers))


class TombstoneFilter(django_filters.FilterSet):
    """Filters of /api/v1/deleted/."""

    since = django_filters.IsoDateTimeFilter(
        field_name="deleted_at", lookup_expr="gte", label="Deleted or unpublished at or after"
    )
    type = django_filters.ChoiceFilter(
        field_name="object_type", choices=Tombstone.ObjectType.choices
    )

    class Meta:
        model = Tombstone
        fields = []

"""FilterSets of the sources and reports collections (API and pages alike)."""

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchVector

from .models import Report, Source
from .search import SEARCH_CONFIG, name_vector


def is_staff(request):
    return bool(request is not None and request.user.is_authenticated and request.user.is_staff)


def visible_sources(request, slug):
    """Sources with this slug that this reader may know of: protected ones only for staff."""
    sources = Source.objects.filter(slug=slug)
    if not is_staff(request):
        sources = sources.filter(protected=False)
    return sources.values("pk")


def _search(text):
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


class SourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search names", max_length=200)
    kind = django_filters.ChoiceFilter(choices=Source.Kind.choices)
    parent = django_filters.CharFilter(method="filter_parent", label="Parent organisation (slug)")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Source
        fields = []

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.annotate(name_search=name_vector()).filter(name_search=_search(value))

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent__in=visible_sources(self.request, value))


class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search titles", max_length=200)
    publisher = django_filters.CharFilter(method="filter_publisher", label="Publisher (slug)")
    url = django_filters.CharFilter(field_name="url", max_length=2000)
    language = django_filters.CharFilter(field_name="language", lookup_expr="iexact")
    published_after = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Report
        fields = []

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        vector = SearchVector("title", config=SEARCH_CONFIG)
        return queryset.annotate(title_search=vector).filter(title_search=_search(value))

    def filter_publisher(self, queryset, name, value):
        return queryset.filter(publisher__in=visible_sources(self.request, value))

"""The public pages: incidents (list, detail, feed) and sources (index, detail).

Source pages live here, not in the sources app, because they show what sources
said about incidents, and the sources app never depends on incidents.
"""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.decorators.http import condition

from sources.models import Source

from . import charts
from .api_read import Reader
from .caching import (
    ListCache,
    incident_etag,
    incident_last_modified,
    incident_page,
    list_etag,
    list_last_modified,
)
from .filters import IncidentFilter
from .models import Claim, Correction, Denial, Figure, Incident

PAGE_SIZE = 25
DEFAULT_ORDERING = "-occurred"  # the model's own ordering: left out of addresses
SOURCE_PAGE_SIZE = 50
MAP_LIMIT = 1000
# The figures a list entry shows first, when the incident has them.
HEADLINE_CATEGORIES = ("killed", "injured", "killed_or_injured")
# Labels of active filters, in the words of the form.
FILTER_LABELS = {
    "q": "Search",
    "ordering": "Sort",
    "occurred_after": "From",
    "occurred_before": "To",
    "country": "Country",
    "region": "Region",
    "source": "Source",
    "attributed_to": "Attributed to",
    "kind": "Has a claim of kind",
    "killed_min": "At least killed",
    "contested": "Contested",
    "assessment": "Assessment",
    "updated_since": "Updated since",
    "bbox": "Map area",
}


# Filters set from elsewhere (the map, partner links) that the form carries as hidden fields.
HIDDEN_FILTERS = ("bbox", "updated_since")


def _non_empty(query):
    """The query without empty parameters (a submitted form sends every field)."""
    clean = QueryDict(mutable=True)
    for key, values in query.lists():
        kept = [value for value in values if value.strip()]
        if key == "ordering" and kept == [DEFAULT_ORDERING]:
            continue
        if kept:
            clean.setlist(key, kept)
    return clean


def _filtered(request):
    return IncidentFilter(
        _non_empty(request.GET), queryset=Incident.objects.public(), request=request
    )


@condition(etag_func=list_etag, last_modified_func=list_last_modified)
def home(request):
    return _incident_list(request, home=True)


@condition(etag_func=list_etag, last_modified_func=list_last_modified)
def incident_list(request):
    return _incident_list(request)


def _incident_list(request, home=False):
    params = _non_empty(request.GET)
    if len(params) != len(request.GET) or any(
        len(params.getlist(k)) != len(request.GET.getlist(k)) for k in params
    ):
        # Shareable addresses: drop the empty fields a submitted form adds.
        return redirect(request.path + (f"?{params.urlencode()}" if params else ""))
    filterset = _filtered(request)
    # What the page counts or gathers over every matching incident is cached under the
    # data's version: read again after any change, not on every request.
    aggregates = ListCache(request)
    context = {
        "home": home,
        "filterset": filterset,
        "form": filterset.form,
        "params": params,
        "data_params": _without(params, "page"),
        "countries": aggregates.get(
            "countries",
            (),
            lambda: Incident.objects.using(aggregates.using).public_countries(),
        ),
        "advanced_filters": bool(set(params) - {"q", "page"}),
    }
    if not filterset.is_valid():
        context["error_list"] = [
            (
                name if name in FILTER_LABELS and name not in HIDDEN_FILTERS else "",
                FILTER_LABELS.get(name, ""),
                errors,
            )
            for name, errors in filterset.errors.items()
        ]
        return render(request, "incidents/incident_list.html", context, status=400)

    incidents = filterset.qs.using(aggregates.using)

    def read_summary():
        # One pass over the matching incidents gives both the count and the timeline.
        months = list(incidents.counts_by_month(undated=True))
        return {
            "count": sum(row["count"] for row in months),
            "months": [row for row in months if row["month"] is not None],
            "points": [
                [lat, lon, slug, title, occurred.isoformat() if occurred else ""]
                for lat, lon, slug, title, occurred in incidents.map_points()[:MAP_LIMIT]
            ],
        }

    # The page number is the only parameter the summary does not depend on.
    filters = sorted(
        (key, value) for key in params if key != "page" for value in params.getlist(key)
    )
    summary = aggregates.get("summary", filters, read_summary)
    points = summary["points"]
    context.update(
        map_points=points,
        map_capped=len(points) == MAP_LIMIT,
        map_tile_url=settings.MAP_TILE_URL,
        map_tile_attribution=settings.MAP_TILE_ATTRIBUTION,
    )

    def render_results():
        # The results section (count, filters in use, map, timeline, the page's
        # entries), rendered once per version, filters, page and audience.
        paginator = CountedPaginator(incidents, PAGE_SIZE, count=summary["count"])
        page = paginator.get_page(params.get("page"))
        # The entries' ranges and dispute as the API works them out: two queries of
        # plain rows for the whole page.
        reader = Reader(request.user.is_staff, using=aggregates.using, cached=False)
        worked_out = reader.worked_out([incident.pk for incident in page])
        entries = []
        for incident in page:
            _, _, ranges, dispute = worked_out[incident.pk]
            headline = [ranges[slug] for slug in HEADLINE_CATEGORIES if slug in ranges][:2]
            entries.append((incident, headline or list(ranges.values())[:1], dispute))
        section = context | {
            "page": page,
            "entries": entries,
            "active_filters": _active_filters(filterset, params),
            "timeline": charts.month_chart(summary["months"]),
        }
        return str(render_to_string("incidents/incident_list.html#results", section, request))

    # The section also shows the map's tile settings.
    depends_on = (
        filters,
        params.get("page", ""),
        settings.MAP_TILE_URL,
        settings.MAP_TILE_ATTRIBUTION,
    )
    html = aggregates.get("results", depends_on, render_results)
    # Rendered by the template engine, which escaped what it had to.
    context["results_html"] = mark_safe(html)
    return render(request, "incidents/incident_list.html", context)


class CountedPaginator(Paginator):
    """A paginator told the number of items (counted once, cached), not counting them."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def _without(params, *keys):
    params = params.copy()
    for key in keys:
        params.pop(key, None)
    return params


def _active_filters(filterset, params):
    """The filters in use, each with its value in words and the address without it."""
    slugs = [params[key] for key in ("source", "attributed_to") if params.get(key)]
    names = {}
    if slugs:  # the listed sources' query costs milliseconds to build and run
        names = dict(Source.objects.listed().filter(slug__in=slugs).values_list("slug", "name"))
    active = []
    for key, label in FILTER_LABELS.items():
        value = params.get(key)
        if not value or key == "ordering":
            continue
        field = filterset.form.fields[key]
        if key in ("source", "attributed_to"):
            shown = names.get(value, value)
        elif getattr(field, "choices", None) is not None:
            shown = dict(field.choices).get(value, value)
        else:
            shown = value
        rest = _without(params, key, "page")
        active.append(
            {"key": key, "label": label, "value": shown, "remove": f"?{rest.urlencode()}"}
        )
    return active


def _incident_page_queryset():
    """Everything the incident page shows, in a constant number of queries."""
    return (
        Incident.objects.public()
        .with_claims()
        .with_evidence()
        .prefetch_related(
            Prefetch("corrections", queryset=Correction.objects.public().order_by("created_at"))
        )
    )


def incident_withdrawn(request, incident):
    """410 Gone: the incident was public and is withdrawn; the reason stays readable."""
    return render(request, "incidents/incident_withdrawn.html", {"incident": incident}, status=410)


@condition(etag_func=incident_etag, last_modified_func=incident_last_modified)
def incident_detail(request, slug):
    page = incident_page(request, slug, lambda: _incident_page(request, slug))
    if page is None:
        withdrawn = (
            Incident.objects.withdrawn()
            .filter(slug=slug)
            .only("slug", "withdrawn_reason", "withdrawn_at")
            .first()
        )
        if withdrawn is not None:
            return incident_withdrawn(request, withdrawn)
        raise Http404("No incident found matching the query")
    # The page's body was rendered by the template engine, which escaped what it had to.
    return render(
        request, "incidents/incident_detail.html", page | {"body": mark_safe(page["body"])}
    )


def _incident_page(request, slug):
    """The published incident's page as the shared cache keeps it (see incident_page()):
    its rendered body, and what the head shows of it. None when it is not published."""
    incident = _incident_page_queryset().filter(slug=slug).first()
    if incident is None:
        return None
    entries = incident.claim_entries()
    by_kind = {}
    for claim, denials in entries:
        by_kind.setdefault(claim.kind, []).append((claim, denials))
    other_kinds = [
        (kind.label, by_kind[kind])
        for kind in Claim.Kind
        if kind in by_kind and kind != "attribution"
    ]
    reports = incident.cited_reports()
    body = render_to_string(
        "incidents/incident_body.html",
        {
            "incident": incident,
            "ranges": incident.casualty_ranges(),
            "figure_history": _figure_history(incident),
            "dispute": incident.dispute(),
            "attributions": by_kind.get(Claim.Kind.ATTRIBUTION, []),
            "other_claims": other_kinds,
            "unanswered_denials": incident.unanswered_denials(),
            "timeline": incident.statement_timeline(),
            "reports": _with_captures(request, reports),
            "unreported": incident.claims_without_report(),
            "related": incident.public_related(),
            "media": list(incident.media.all()),
            "corrections": list(incident.corrections.all()),
            "nearby_bbox": _nearby_bbox(incident),
        },
        request,
    )
    return {
        "body": str(body),
        "incident": {
            "pk": incident.pk,
            "title": incident.title,
            "summary": incident.summary,
            "permalink": incident.permalink,
            "updated_at": incident.updated_at,
        },
        "structured_data": _incident_structured_data(incident),
    }


def _figure_history(incident):
    """For each source that revised a claim: per category, its figures over time.

    A list of (source, category, text), e.g. the Observatory, Killed, “at least 23
    people on 31 May 2016, at least 30 people on 1 June 2016”. Only categories an
    earlier (superseded) claim gave a figure in: those are what the table no longer shows.
    """
    categories = sorted(
        {
            figure.category_id: figure.category
            for claim in incident.standing_claims()
            for figure in claim.figures.all()
        }.values(),
        key=lambda category: (category.position, category.slug),
    )
    history = []
    for source, chains in incident.claim_history().items():
        for chain in chains:
            if not chain.revised:
                continue
            earlier = {
                figure.category_id for claim in chain.earlier for figure in claim.figures.all()
            }
            for category in categories:
                if category.slug in earlier:
                    history.append((source, category, chain.timeline_text(category.slug)))
    return history


def _with_captures(request, reports):
    """Give each cited report its newest archived capture, and the WARC link for staff only.

    The WARC file is evidence kept for the editors (it may hold what the publisher has
    since taken down): the public gets the hash to check a copy against, never the file.
    """
    for cited in reports:
        cited.capture = cited.report.latest_capture()
        cited.warc_url = ""
        if cited.capture is not None and request.user.is_staff and cited.capture.warc_file:
            cited.warc_url = reverse("admin:sources_capture_warc", args=[cited.capture.pk])
    return reports


def _nearby_bbox(incident, degrees=0.5):
    """A box of about 50 km around the incident, for “incidents nearby”."""
    if incident.latitude is None:
        return ""
    lat, lon = incident.latitude, incident.longitude
    return ",".join(
        f"{v:.4f}"
        for v in (
            max(lon - degrees, -180),
            max(lat - degrees, -90),
            min(lon + degrees, 180),
            min(lat + degrees, 90),
        )
    )


def _incident_structured_data(incident):
    """schema.org description of the page: a web page about an event."""
    event = {
        "@type": "Event",
        "name": incident.title,
        "description": incident.summary,
        "url": incident.permalink,
    }
    if incident.occurred_start and incident.occurred_precision != "unknown":
        event["startDate"] = incident.occurred_start.isoformat()
        if incident.occurred_end:
            event["endDate"] = incident.occurred_end.isoformat()
    place = {"@type": "Place", "name": incident.place_name}
    address = {"@type": "PostalAddress"}
    if incident.region:
        address["addressRegion"] = incident.region
    if incident.country:
        address["addressCountry"] = incident.country
    if len(address) > 1:
        place["address"] = address
    if incident.latitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": incident.latitude,
            "longitude": incident.longitude,
        }
    event["location"] = place
    reports = [c.report.url for c in incident.cited_reports() if c.report.url]
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": incident.title,
        "url": incident.permalink,
        "dateModified": incident.updated_at.isoformat(),
        "about": event,
    }
    if reports:
        data["isBasedOn"] = reports
    return data


def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"site_url": settings.SITE_URL},
        content_type="text/plain; charset=utf-8",
    )


# Sources


class SourceIndexForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Source.Kind.choices], required=False)
    q = forms.CharField(label="Name", max_length=200, required=False)


def _count(queryset):
    """The number of rows of a correlated subquery, as an expression (0 when none)."""
    return Coalesce(
        Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0
    )


def source_list(request):
    form = SourceIndexForm(request.GET)
    sources = Source.objects.listed().select_related("parent")
    if not form.is_valid():
        return render(request, "sources/source_list.html", {"form": form}, status=400)
    if form.cleaned_data["kind"]:
        sources = sources.filter(kind=form.cleaned_data["kind"])
    if form.cleaned_data["q"]:
        text = form.cleaned_data["q"]
        sources = sources.filter(Q(name__icontains=text) | Q(aliases__contains=[text]))
    claims = Claim.objects.public().filter(source=OuterRef("pk"))
    denials = Denial.objects.public().filter(source=OuterRef("pk"))
    incidents = Incident.objects.public().filter(
        Q(Exists(Claim.objects.filter(incident=OuterRef("pk"), source=OuterRef(OuterRef("pk")))))
        | Q(Exists(Denial.objects.filter(incident=OuterRef("pk"), source=OuterRef(OuterRef("pk")))))
    )
    sources = sources.annotate(
        claim_count=_count(claims),
        denial_count=_count(denials),
        incident_count=_count(incidents),
        accused_count=_count(Claim.objects.public().filter(attributed_to=OuterRef("pk"))),
    )
    page = Paginator(sources, 100).get_page(request.GET.get("page"))
    return render(request, "sources/source_list.html", {"form": form, "page": page})


def _page(request, queryset, param):
    return Paginator(queryset, SOURCE_PAGE_SIZE).get_page(request.GET.get(param))


def source_detail(request, slug):
    source = get_object_or_404(Source.objects.listed().select_related("parent"), slug=slug)
    family = Q(attributed_to=source) | Q(attributed_to__parent=source)
    family |= Q(attributed_to__parent__parent=source)
    figures = (
        Figure.objects.public()
        .filter(claim__source=source)
        .compared_with_other_sources()
        .select_related("category", "claim__incident")
        .order_by("-claim__incident__occurred_start", "claim__incident_id", "category__position")
    )
    claims = (
        Claim.objects.public()
        .filter(source=source)
        .select_related("incident", "report__publisher", "attributed_to")
        .prefetch_related(
            Prefetch("figures", Figure.objects.select_related("category")),
            Prefetch("denials", Denial.objects.select_related("source")),
        )
        .order_by("-incident__occurred_start", "incident_id", "claimed_on", "id")
    )
    denials = (
        Denial.objects.public()
        .filter(source=source)
        .select_related("incident", "report__publisher")
        .prefetch_related(
            Prefetch("denies", Claim.objects.select_related("source", "attributed_to"))
        )
        .order_by("-incident__occurred_start", "incident_id", "denied_on", "id")
    )
    accused = (
        Claim.objects.public()
        .filter(family, kind=Claim.Kind.ATTRIBUTION)
        .select_related("incident", "source", "report__publisher", "attributed_to")
        .prefetch_related(Prefetch("denials", Denial.objects.select_related("source")))
        .order_by("-incident__occurred_start", "incident_id", "claimed_on", "id")
    )
    comparison = dict(figures.order_by().values_list("comparison").annotate(n=Count("pk")))
    return render(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "members": source.members.listed().order_by("name"),
            "figures": _page(request, figures, "figures_page"),
            "comparison": comparison,
            "claims": _page(request, claims, "claims_page"),
            "denials": _page(request, denials, "denials_page"),
            "accused": _page(request, accused, "accused_page"),
            "site_url": settings.SITE_URL,
        },
    )

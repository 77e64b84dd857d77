"""What the benchmark measures: the read paths people and partner tools use.

Pages and API calls go through django.test.Client, so middleware, routing, rendering
and serialisation are all counted, as in production minus the network. An operation
whose URL or module does not exist in this build is reported as not available.
"""

import contextlib
import importlib.util
import json
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from config.renderers import dumps

from ..models import Denial, Incident
from .floor import floor_page
from .harness import Operation

API_LIST = "/api/v1/incidents/"
API_MAX_PAGE_SIZE = 200
DEEP_ROW = 50_000
BUNDLE_SIZE = 1000

# Generated data has these words, parties and places (incidents.benchmark.words).
API_FILTERS = {
    "q": {"q": "hospital"},
    "killed_min_attributed_to": {"killed_min": "10", "attributed_to": "russian-aerospace-forces"},
    "occurred_after_occurred_before": {
        "occurred_after": "2016-01-01",
        "occurred_before": "2016-12-31",
    },
    "bbox": {"bbox": "35.5,35.0,37.5,37.0"},  # Idlib and Aleppo
    "contested": {"contested": "true"},
}
API_FILTERS["all"] = {
    key: value for params in API_FILTERS.values() for key, value in params.items()
}
HTML_LIST = "/incidents/?country=SY&contested=true"

NAMES = [
    "floor_sql",
    "orm_with_claims",
    "html_incident",
    "html_incident_cached",
    "html_list",
    "html_list_uncached",
    "import_bundle_1000",
    "api_list",
    "api_list_deep",
    *[f"api_list_filter_{name}" for name in API_FILTERS],
    "api_detail",
    "api_list_cached",
    "api_detail_cached",
]


@contextlib.contextmanager
def unthrottled():
    """Lift the API's request rates while measuring, keeping the throttles' own work.

    The benchmark is one client making thousands of requests; the anonymous rate
    would refuse it after a minute's worth. The rate table is read when each request
    is throttled, so a rate no run reaches keeps the cache round-trip in the timing.
    """
    try:
        from rest_framework.throttling import SimpleRateThrottle
    except ImportError:
        yield
        return
    rates = {scope: "1000000/s" for scope in SimpleRateThrottle.THROTTLE_RATES}
    with mock.patch.dict(SimpleRateThrottle.THROTTLE_RATES, rates):
        yield


def _allowed_host():
    for host in settings.ALLOWED_HOSTS:
        if host != "*" and not host.startswith("."):
            return host.strip("[]") if host.startswith("[") else host
    return "localhost"


class PageClient:
    """A test client that fails loudly: a timing of an error page would be a false result."""

    def __init__(self):
        extra = {"HTTP_HOST": _allowed_host()}
        if getattr(settings, "SECURE_SSL_REDIRECT", False):
            extra |= {"wsgi.url_scheme": "https", "SERVER_PORT": "443"}
        self.client = Client(**extra)

    def get(self, url, **headers):
        response = self.client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
        return response

    def get_json(self, url):
        response = self.get(url, Accept="application/json")
        return json.loads(response.content)


def _resolves(path):
    try:
        resolve(urlsplit(path).path)
    except Resolver404:
        return False
    return True


def _sample_incident():
    """The newest published incident with a denial: a page with everything on it."""
    denied = Denial.objects.filter(incident=OuterRef("pk"))
    incident = Incident.objects.public().filter(Exists(denied)).first()
    return incident or Incident.objects.public().first()


def _without_page_size(url):
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page_size"]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def _deep_page(client):
    """Follow the cursor links to the page holding row DEEP_ROW (or the last page)."""
    url, seen = f"{API_LIST}?page_size={API_MAX_PAGE_SIZE}", 0
    while True:
        data = client.get_json(url)
        if "results" not in data:
            raise RuntimeError(f"{API_LIST} does not answer a paginated list")
        count = len(data["results"])
        if seen + count > DEEP_ROW or not data.get("next"):
            return _without_page_size(url), seen
        seen += count
        url = data["next"]


def _api_operations(client, incident):
    """The API's read path with nothing cached (every incident's claims and denials read
    and worked out, as for the first reader after a change), and then, as ``*_cached``,
    the same list and incident served while their incidents' entries are in the cache."""
    names = ["api_list", "api_list_deep", *[f"api_list_filter_{n}" for n in API_FILTERS]]
    names += ["api_detail", "api_list_cached", "api_detail_cached"]
    if not _resolves(API_LIST):
        reason = f"{API_LIST} does not resolve in this build"
        return [Operation(name, unavailable=reason) for name in names]

    def get(url, cached=False):
        def run():
            if cached:
                return client.get(url, Accept="application/json")
            with override_settings(API_CACHE_SECONDS=0):
                return client.get(url, Accept="application/json")

        return run

    deep_url, deep_row = _deep_page(client)
    operations = [
        Operation("api_list", get(API_LIST)),
        Operation("api_list_deep", get(deep_url), note=f"cursor page starting at row {deep_row}"),
    ]
    for name, params in API_FILTERS.items():
        operations.append(
            Operation(f"api_list_filter_{name}", get(f"{API_LIST}?{urlencode(params)}"))
        )
    detail = f"{API_LIST}{incident.pk}/"
    if _resolves(detail):
        operations.append(Operation("api_detail", get(detail)))
    else:
        operations.append(Operation("api_detail", unavailable=f"{detail} does not resolve"))
    operations.append(Operation("api_list_cached", get(API_LIST, cached=True)))
    if _resolves(detail):
        operations.append(Operation("api_detail_cached", get(detail, cached=True)))
    else:
        operations.append(Operation("api_detail_cached", unavailable=f"{detail} does not resolve"))
    return operations


def _import_operation():
    """Import a bundle of 1,000 incidents as new ones (rolled back after each run)."""
    if importlib.util.find_spec("incidents.bundles") is None:
        return Operation("import_bundle_1000", unavailable="incidents.bundles does not exist")
    bundles = importlib.import_module("incidents.bundles")
    export, load = getattr(bundles, "export_bundle", None), getattr(bundles, "import_bundle", None)
    if export is None or load is None:
        return Operation(
            "import_bundle_1000",
            unavailable="incidents.bundles has no export_bundle() and import_bundle()",
        )
    newest = Incident.objects.public().order_by("-id").values_list("pk", flat=True)
    # As a partner sends it: the JSON export_incidents writes, parsed again.
    bundle = json.loads(dumps(export(Incident.objects.filter(pk__in=list(newest[:BUNDLE_SIZE])))))
    runs = iter(range(1, 1_000_000))

    def run():
        n = next(runs)
        # New slugs, so the incidents are new each run. The import never changes its
        # input, so copying the incidents (not everything in them) is enough.
        fresh = {
            **bundle,
            "incidents": [
                {**incident, "slug": f"{incident['slug'][:180]}-import-{n}"}
                for incident in bundle["incidents"]
            ],
        }
        with transaction.atomic():
            load(fresh)
            # The checks a commit would run (the foreign keys are deferred), then undo.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            transaction.set_rollback(True)

    return Operation("import_bundle_1000", run, writes=True)


def _orm_page():
    """The page through the ORM (with_claims), computing ranges and disputes as pages do."""
    incidents = list(Incident.objects.public().with_claims()[:50])
    for incident in incidents:
        incident.casualty_ranges()
        incident.dispute()


def build_operations():
    client = PageClient()
    incident = _sample_incident()
    if incident is None:
        raise RuntimeError("No published incident to measure.")

    def uncached_page():
        with override_settings(INCIDENT_PAGE_CACHE_SECONDS=0):
            return client.get(incident.get_absolute_url())

    def uncached_list():
        with override_settings(LIST_CACHE_SECONDS=0):
            return client.get(HTML_LIST)

    operations = [
        Operation("floor_sql", lambda: floor_page(site_url=settings.SITE_URL)),
        Operation("orm_with_claims", _orm_page),
        # Rendered every time (as for the first reader after a change), then, as
        # html_incident_cached, kept rendered while the incident is unchanged.
        Operation("html_incident", uncached_page),
        Operation("html_incident_cached", lambda: client.get(incident.get_absolute_url())),
        Operation("html_list", lambda: client.get(HTML_LIST)),
        # Counted, charted and rendered every time, as for the first reader after any
        # change to the archive.
        Operation("html_list_uncached", uncached_list),
        _import_operation(),
        *_api_operations(client, incident),
    ]
    return operations

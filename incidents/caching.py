"""Conditional GET for the public pages, and the list page's shared cache.

The incident page: ETag and Last-Modified from its updated_at. The list page (and the
home page): from the data's version (``latest_change``), which also keys ListCache.

A reader (or a CDN) holding a copy revalidates with If-None-Match / If-Modified-Since
and gets 304 Not Modified after one small query instead of the whole page. The
validators change whenever the incident row is saved (auto_now), and database triggers
touch the incident's updated_at whenever one of its claims, figures, denials, links or
pieces of evidence changes, or what it shows of a source or report (a new capture
included), however it is written.

The public list keeps what it gathers over every matching incident (the count, the
timeline, the map points, the list of countries) and its rendered results in the
shared cache, under the data's version: see ``ListCache``.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.http import HttpResponse

from config.cache import code_digest
from config.renderers import dumps

from .models import DataChange, Incident

_NOT_LOOKED_UP = object()


def _updated_at(request, slug):
    # condition() asks for the ETag and the Last-Modified: one query serves both.
    cached = getattr(request, "_incident_updated_at", _NOT_LOOKED_UP)
    if cached is _NOT_LOOKED_UP:
        cached = (
            Incident.objects.public().filter(slug=slug).values_list("updated_at", flat=True).first()
        )
        request._incident_updated_at = cached
    return cached


def incident_last_modified(request, slug):
    """When the published incident was last saved (None for a draft or unknown slug: no 304)."""
    return _updated_at(request, slug)


def incident_etag(request, slug):
    updated_at = _updated_at(request, slug)
    if updated_at is None:
        return None
    # Staff may see more than the public (protected identities): never the same entity.
    audience = "staff" if request.user.is_staff else "public"
    return hashlib.sha256(f"{slug}|{updated_at.isoformat()}|{audience}".encode()).hexdigest()[:32]


_HERE = Path(__file__).resolve().parent
_TEMPLATES = settings.BASE_DIR / "templates"
# The code that renders the incident page's cached body, in its cache key.
PAGE_CODE = code_digest(
    _HERE / "views.py",
    _HERE / "models.py",
    _HERE / "competing.py",
    _HERE / "charts.py",
    _HERE / "templatetags" / "incident_pages.py",
    _TEMPLATES / "incidents" / "incident_body.html",
    _TEMPLATES / "incidents" / "_grade_meaning.html",
    _TEMPLATES / "sources" / "_source_name.html",
)


def incident_page(request, slug, compute):
    """The published incident's page (``compute()``'s value, None for no such page),
    from the shared cache while the incident has not changed.

    Its key holds what its ETag holds: the incident's updated_at, which every change to
    it or anything it shows of its claims, denials, sources, reports and evidence
    touches, and the audience (staff see the archived WARC files' links); and the code
    that renders it. Like a CDN's copy of the page, an entry may show a related
    incident's title as it was for INCIDENT_PAGE_CACHE_SECONDS (the same as
    PUBLIC_CACHE_SECONDS by default). The updated_at is read before the page, so an
    entry is never older than its key.
    """
    seconds = settings.INCIDENT_PAGE_CACHE_SECONDS
    updated_at = _updated_at(request, slug)
    if not seconds or updated_at is None:
        return compute()
    audience = "staff" if request.user.is_staff else "public"
    parts = f"{PAGE_CODE}|{audience}|{slug}|{updated_at.isoformat()}"
    key = "incidents:page:" + hashlib.sha256(parts.encode()).hexdigest()[:40]
    page = cache.get(key)
    if page is None:
        page = compute()
        if page is not None:
            cache.set(key, page, seconds)
    return page


def latest_change(request, using):
    """The data's version and when it last changed, as ``(version, changed_at)``.

    The newest DataChange, which the database notes in the transaction of every change
    to an incident or anything under it (a publication, an edit, a withdrawal, a new
    claim, figure, denial or piece of evidence) and to a source (whose name, parent or
    protection the filters read), by any path down to raw SQL. One small query, once per
    request: the list's validators and its cache share it.
    """
    cached = getattr(request, "_latest_change", None)
    if cached is None or cached[0] != using:
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT id, changed_at FROM {DataChange._meta.db_table} ORDER BY id DESC LIMIT 1"
            )
            row = cursor.fetchone() or (0, None)
        cached = request._latest_change = (using, (str(row[0]), row[1]))
    return cached[1]


def _list_audience(request):
    # Staff may match by protected sources' names and see their own name on the page.
    return f"staff:{request.user.pk}" if request.user.is_staff else "public"


def list_etag(request):
    """The list page's ETag: the data's version, the address (filters, page) and the
    audience. Any change to the data gives a new one."""
    version, _ = latest_change(request, router.db_for_read(Incident))
    parts = f"list|{version}|{_list_audience(request)}|{request.get_full_path()}"
    return hashlib.sha256(parts.encode()).hexdigest()[:32]


def list_last_modified(request):
    """When the data behind the list last changed (None before any change)."""
    return latest_change(request, router.db_for_read(Incident))[1]


def _key(*parts):
    return "incidents:list:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


class ListCache:
    """The public list's aggregates, from the shared cache while the data has not changed.

    What the list page counts or gathers over every matching incident (the count, the
    timeline, the map points, the countries), and its rendered results section, are
    kept under a key holding the data's
    version, read once per request (``latest_change``), the audience (staff may match by
    protected sources' names) and what the value depends on (the filters). A change to
    the data gives a new version, so the next request reads everything again. The
    version and the aggregates are read on one database (``using``): a replica that
    lags keeps its own, older, entries.

    The version is read before the aggregates, so they are never older than it. A
    transaction that commits after a later one (a long import, say) can leave entries
    read between the two commits without its rows: they expire after
    LIST_CACHE_SECONDS, as a CDN's copy of the page would after PUBLIC_CACHE_SECONDS.
    """

    def __init__(self, request):
        self.using = router.db_for_read(Incident)
        self.version, _ = latest_change(request, self.using)
        self.audience = "staff" if request.user.is_staff else "public"

    def get(self, name, depends_on, compute):
        """The cached value, or ``compute()``'s (it reads on ``self.using``), cached;
        with LIST_CACHE_SECONDS at 0, ``compute()``'s every time."""
        if settings.LIST_CACHE_SECONDS <= 0:
            return compute()
        key = _key(self.version, self.audience, name, repr(depends_on))
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, settings.LIST_CACHE_SECONDS)
        return value


class ApiPageCache:
    """A page of the API's incident list as sent, while nothing on it has changed.

    The key is made of the page's incident rows as the page query read them (every
    column shown, with each incident's version and ``updated_at``, which every change
    under the incident moves), the page's links, the address, the format and the
    audience. The page query runs on every request, so filters and cursors are always
    answered from the database; a page whose rows are unchanged is then sent without
    reading or rendering its claims and denials again. The key also serves as the
    page's ETag.

    Pages are large (a few hundred kilobytes), so they are kept only in a shared cache:
    ``API_PAGE_CACHE_SECONDS`` defaults to 60 with REDIS_URL and to 0 (off) without,
    where each process would hold its own copies.
    """

    HEADERS = ("Content-Type", "Link", "Content-Disposition")

    def __init__(self, request, rows, paginator, audience, code):
        parts = [
            code,
            audience,
            request.build_absolute_uri(),
            request.accepted_media_type or "",
            str(paginator.next_link),
            str(paginator.previous_link),
        ]
        digest = hashlib.sha256("\x1f".join(parts).encode() + dumps(rows)).hexdigest()[:40]
        self.key = f"incidents:api-page:{digest}"
        self.etag = f'"p{digest[:32]}"'
        self.enabled = settings.API_PAGE_CACHE_SECONDS > 0

    def get(self):
        """The cached response, or None."""
        if not self.enabled:
            return None
        found = cache.get(self.key)
        if found is None:
            return None
        content, headers = found
        response = HttpResponse(content, headers=headers)
        response["ETag"] = self.etag
        return response

    def keep(self, response):
        """Give the response its ETag, and keep it once rendered."""
        response["ETag"] = self.etag
        if self.enabled:
            response.add_post_render_callback(self._store)

    def _store(self, response):
        if response.status_code == 200:
            headers = {name: response[name] for name in self.HEADERS if response.has_header(name)}
            cache.set(self.key, (response.content, headers), settings.API_PAGE_CACHE_SECONDS)

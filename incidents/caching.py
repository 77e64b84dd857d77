"""Conditional GET for the public incident page: ETag and Last-Modified from updated_at.

The page also shows the incident's media and the archived captures of its reports,
which do not touch the incident: their newest change counts as well.

A reader (or a CDN) holding a copy revalidates with If-None-Match / If-Modified-Since
and gets 304 Not Modified after one small query instead of the whole page. The
validators change whenever the incident row is saved (auto_now), and database triggers
touch the incident's updated_at whenever one of its claims, figures, denials or links
changes, however it is written.

The public list keeps what it gathers over every matching incident (the count, the
timeline, the map points, the list of countries) and its rendered results in the
shared cache, under the data's version: see ``ListCache``.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from sources.models import Capture

from .models import Claim, DataChange, Denial, Incident, Media

_NOT_LOOKED_UP = object()


def _updated_at(request, slug):
    # condition() asks for the ETag and the Last-Modified: one query serves both.
    cached = getattr(request, "_incident_updated_at", _NOT_LOOKED_UP)
    if cached is _NOT_LOOKED_UP:
        cached = (
            Incident.objects.public()
            .filter(slug=slug)
            .annotate(changed=Greatest("updated_at", _newest_media(), _newest_capture()))
            .values_list("changed", flat=True)
            .first()
        )
        request._incident_updated_at = cached
    return cached


def _newest(queryset, field):
    # MAX as a plain function: one row per outer incident, with no GROUP BY.
    newest = queryset.order_by().annotate(at=Func(F(field), function="MAX")).values("at")
    return Coalesce(Subquery(newest[:1]), F("updated_at"))


def _newest_media():
    return _newest(Media.objects.filter(incident=OuterRef("pk")), "updated_at")


def _newest_capture():
    incident = OuterRef(OuterRef("pk"))
    reports = Q(report__in=Claim.objects.filter(incident=incident).values("report"))
    reports |= Q(report__in=Denial.objects.filter(incident=incident).values("report"))
    return _newest(Capture.objects.filter(reports), "captured_at")


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


def data_version(using):
    """What the public list depends on, as a short string: one small query.

    The newest DataChange, which the database notes in the transaction of every change
    to an incident or anything under it (a publication, an edit, a withdrawal, a new
    claim, figure or denial) and to a source (whose name, parent or protection the
    filters read), by any path down to raw SQL.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {DataChange._meta.db_table}")
        (change,) = cursor.fetchone()
    return str(change or 0)


def _key(*parts):
    return "incidents:list:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


class ListCache:
    """The public list's aggregates, from the shared cache while the data has not changed.

    What the list page counts or gathers over every matching incident (the count, the
    timeline, the map points, the countries), and its rendered results section, are
    kept under a key holding the data's
    version, read once per request (``data_version``), the audience (staff may match by
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
        self.version = data_version(self.using)
        self.audience = "staff" if request.user.is_staff else "public"

    def get(self, name, depends_on, compute):
        """The cached value, or ``compute()``'s (it reads on ``self.using``), cached."""
        key = _key(self.version, self.audience, name, repr(depends_on))
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, settings.LIST_CACHE_SECONDS)
        return value

"""Conditional GET for the public incident page: ETag and Last-Modified from updated_at.

The page also shows the incident's media and the archived captures of its reports,
which do not touch the incident: their newest change counts as well.

A reader (or a CDN) holding a copy revalidates with If-None-Match / If-Modified-Since
and gets 304 Not Modified after one small query instead of the whole page. The
validators change whenever the incident row is saved (auto_now), and database triggers
touch the incident's updated_at whenever one of its claims, figures, denials or links
changes, however it is written.
"""

import hashlib

from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from sources.models import Capture

from .models import Claim, Denial, Incident, Media

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

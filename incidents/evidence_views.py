"""Public views for evidence: media files, ClaimReview JSON-LD, the claims CSV."""

from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from .claimreview import claim_queryset, claim_review, denial_queryset, denial_review
from .exports import claim_rows, public_claims, stream_csv
from .models import Incident, Media
from .uploads import MIME_TYPES

JSONLD = "application/ld+json"


def media_file(request, pk):
    """Serve an uploaded evidence file, only for published incidents (staff see drafts' too).

    Always as a download of a known media type with sniffing turned off, so an
    upload can never be opened as a page.
    """
    media = get_object_or_404(Media.objects.select_related("incident"), pk=pk)
    published = media.incident.status == Incident.Status.PUBLISHED
    if not media.file or not (published or request.user.is_staff):
        raise Http404("No such file.")
    if media.content_type not in MIME_TYPES:
        raise Http404("No such file.")
    name = media.original_filename or media.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        media.file.open("rb"), as_attachment=True, filename=name, content_type=media.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _jsonld(data):
    return JsonResponse(data, content_type=JSONLD, json_dumps_params={"ensure_ascii": False})


def claim_jsonld(request, slug, pk):
    claim = get_object_or_404(
        claim_queryset().filter(incident__status=Incident.Status.PUBLISHED, incident__slug=slug),
        pk=pk,
    )
    return _jsonld(claim_review(claim))


def denial_jsonld(request, pk):
    denial = get_object_or_404(
        denial_queryset().filter(incident__status=Incident.Status.PUBLISHED), pk=pk
    )
    return _jsonld(denial_review(denial))


def claims_csv(request):
    rows = claim_rows(public_claims().iterator(chunk_size=500))
    response = StreamingHttpResponse(stream_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="claims.csv"'
    return response

"""The claims CSV for fact-checkers: one row per claim figure, with its provenance.

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) are prefixed with a single quote.
"""

import csv

from django.db.models import Prefetch
from django.urls import reverse

from sources.models import Capture

from .claimreview import absolute
from .models import Claim, ClaimVia, Denial, Incident

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    "incident_id",
    "incident_slug",
    "incident_title",
    "incident_url",
    "occurred_start",
    "claim_id",
    "claim_url",
    "kind",
    "source",
    "source_kind",
    "statement",
    "claimed_on",
    "current",
    "supersedes",
    "superseded_by",
    "attributed_to",
    "via",
    "report_title",
    "report_url",
    "report_published_on",
    "publisher",
    "capture_sha256",
    "captured_at",
    "denied_by",
    "category",
    "min",
    "max",
    "approximate",
    "as_said",
]


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def public_claims():
    """Claims of published incidents, loaded for ``claim_rows()``: a few queries per chunk."""
    return (
        Claim.objects.filter(incident__status=Incident.Status.PUBLISHED)
        .with_revision_links()
        .select_related("incident", "source", "report__publisher", "attributed_to")
        .prefetch_related(
            "figures",
            Prefetch("via_links", queryset=ClaimVia.objects.select_related("source")),
            Prefetch("denials", queryset=Denial.objects.select_related("source")),
            Prefetch(
                "report__captures",
                queryset=Capture.objects.archived().order_by("-captured_at", "-id"),
            ),
        )
        .order_by("incident_id", "claimed_on", "id")
    )


def claim_rows(claims):
    """The header, then one row per figure of each claim (one row for a claim without figures)."""
    yield COLUMNS
    for claim in claims:
        incident, report = claim.incident, claim.report
        capture = report.latest_capture() if report else None
        row = [
            incident.pk,
            incident.slug,
            incident.title,
            absolute(incident.get_absolute_url()),
            incident.occurred_start,
            claim.pk,
            absolute(reverse("incidents:claim_jsonld", args=[incident.slug, claim.pk])),
            claim.kind,
            claim.source.public_name,
            claim.source.kind,
            claim.statement,
            claim.claimed_on,
            claim.current,
            claim.supersedes_id,
            claim.superseded_by_id,
            claim.attributed_to.public_name if claim.attributed_to_id else None,
            " > ".join(link.source.public_name for link in claim.via_links.all()),
            report.title if report else None,
            report.url if report else None,
            report.published_on if report else None,
            report.publisher.public_name if report else None,
            capture.sha256 if capture else None,
            capture.captured_at.isoformat() if capture else None,
            "; ".join(denial.source.public_name for denial in claim.denials.all()),
        ]
        figures = list(claim.figures.all())
        if not figures:
            yield [*row, None, None, None, None, None]
        for f in figures:
            yield [*row, f.category_id, f.min_count, f.max_count, f.approximate, f.as_said]


class _Echo:
    def write(self, value):
        return value


def stream_csv(rows):
    """Encode rows as CSV lines, one at a time, for a streaming response."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])

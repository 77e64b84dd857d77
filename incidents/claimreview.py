"""Claims and denials as schema.org ClaimReview JSON-LD, for fact-checkers' tools.

We do not rate claims true or false: a review here records who said what, when,
where it was published and through whom, what answers it, and, when the incident
has one, the editorial assessment of the incident as a whole. Sources always
appear under their public names ("Protected source (individual)").

Each function reads only what its caller loaded (see ``claim_queryset()`` and
``denial_queryset()``), with a constant number of queries.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from sources.models import Capture

from .models import Claim, ClaimVia, Denial

PERSON_KINDS = {"individual"}


def absolute(path):
    return settings.SITE_URL + path


def claim_url(claim):
    return absolute(reverse("incidents:claim_jsonld", args=[claim.incident.slug, claim.pk]))


def denial_url(denial):
    return absolute(reverse("incidents:denial_jsonld", args=[denial.pk]))


def claim_queryset():
    """Claims loaded with everything ``claim_review()`` reads."""
    return (
        Claim.objects.with_revision_links()
        .select_related("incident", "source", "report__publisher", "attributed_to")
        .prefetch_related(
            "figures__category",
            Prefetch("via_links", queryset=ClaimVia.objects.select_related("source")),
            Prefetch("denials", queryset=Denial.objects.select_related("source")),
            Prefetch(
                "report__captures",
                queryset=Capture.objects.archived().order_by("-captured_at", "-id"),
            ),
        )
    )


def denial_queryset():
    """Denials loaded with everything ``denial_review()`` reads."""
    return Denial.objects.select_related(
        "incident", "source", "report__publisher"
    ).prefetch_related(
        Prefetch("denies", queryset=Claim.objects.select_related("incident", "source")),
        Prefetch(
            "report__captures", queryset=Capture.objects.archived().order_by("-captured_at", "-id")
        ),
    )


def _agent(source):
    return {
        "@type": "Person" if source.kind in PERSON_KINDS else "Organization",
        "name": source.public_name,
    }


def _event(incident):
    event = {
        "@type": "Event",
        "name": incident.title,
        "url": absolute(incident.get_absolute_url()),
    }
    if incident.occurred_start:
        event["startDate"] = incident.occurred_start.isoformat()
    place = {"@type": "Place", "name": incident.place_name or incident.region or ""}
    if incident.country:
        place["address"] = {"@type": "PostalAddress", "addressCountry": incident.country}
        if incident.region:
            place["address"]["addressRegion"] = incident.region
    if incident.latitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": incident.latitude,
            "longitude": incident.longitude,
        }
    event["location"] = place
    return event


def _appearance(report, credit):
    work = {
        "@type": "CreativeWork",
        "headline": report.title,
        "publisher": _agent(report.publisher),
        "creditText": credit,
    }
    if report.url:
        work["url"] = report.url
    if report.published_on:
        work["datePublished"] = report.published_on.isoformat()
    if report.language:
        work["inLanguage"] = report.language
    if report.archive_url:
        work["archivedAt"] = report.archive_url
    capture = report.latest_capture()
    if capture is not None:
        work["associatedMedia"] = {
            "@type": "MediaObject",
            "name": "Archived copy of the report's page (WARC)",
            "encodingFormat": "application/warc",
            "uploadDate": capture.captured_at.isoformat(),
            "sha256": capture.sha256,
            "description": "SHA-256 of the page exactly as received, "
            f"from {capture.final_url or capture.requested_url}.",
        }
    return work


def _reviewer():
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL}


def _rating(incident):
    if not incident.assessment:
        return None
    return {
        "@type": "Rating",
        "alternateName": f"Incident assessed as {incident.get_assessment_display().lower()}",
        "ratingExplanation": incident.assessment_rationale,
    }


def _date(value):
    return f"{value.day} {value:%B %Y}" if value else "an unknown date"


def claim_review(claim):
    """A ClaimReview dict for one claim; see the module docstring for what it says."""
    incident = claim.incident
    intermediaries = [link.source for link in claim.via_links.all()]
    credit = " via ".join([claim.source.public_name] + [s.public_name for s in intermediaries])

    body = [f"{claim.source.public_name} made this {claim.get_kind_display().lower()} claim"]
    body[0] += f" on {_date(claim.claimed_on)}"
    if claim.report_id:
        body[0] += f", published by {claim.report.publisher.public_name} in “{claim.report.title}”"
    if intermediaries:
        body[0] += ", relayed by " + ", then ".join(s.public_name for s in intermediaries)
    body[0] += "."
    figures = [f"{f.category.name}: {f.as_said}" for f in claim.figures.all()]
    if figures:
        body.append("Figures as said: " + "; ".join(figures) + ".")
    if claim.attributed_to_id:
        body.append(f"It attributes the incident to {claim.attributed_to.public_name}.")
    for denial in claim.denials.all():
        body.append(f"Denied by {denial.source.public_name} on {_date(denial.denied_on)}.")
    if claim.supersedes_id:
        body.append("It revises an earlier claim of the same source.")
    if not claim.current:
        body.append("The same source has since revised it: it is not its current claim.")

    item = {"@type": "Claim", "author": _agent(claim.source), "about": _event(incident)}
    if claim.claimed_on:
        item["datePublished"] = claim.claimed_on.isoformat()
    if claim.report_id:
        item["appearance"] = [_appearance(claim.report, credit)]
        item["firstAppearance"] = item["appearance"][0]

    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": claim_url(claim),
        "url": absolute(incident.get_absolute_url()) + f"#claim-{claim.pk}",
        "claimReviewed": claim.statement,
        "itemReviewed": item,
        "author": _reviewer(),
        "dateModified": incident.updated_at.isoformat(),
        "reviewBody": " ".join(body),
    }
    rating = _rating(incident)
    if rating:
        review["reviewRating"] = rating
    return review


def denial_review(denial):
    """A ClaimReview dict for a denial: the denial is the claim reviewed.

    The denial mentions the claims it answers, each by its own JSON-LD address.
    """
    incident = denial.incident
    denied = list(denial.denies.all())
    body = f"{denial.source.public_name} issued this denial on {_date(denial.denied_on)}"
    if denial.report_id:
        body += f", published by {denial.report.publisher.public_name} in “{denial.report.title}”"
    body += "."
    if denied:
        body += " It answers: " + "; ".join(
            f"the {c.get_kind_display().lower()} claim by {c.source.public_name}" for c in denied
        )
        body += "."

    item = {
        "@type": "Claim",
        "author": _agent(denial.source),
        "about": _event(incident),
        "mentions": [
            {
                "@type": "Claim",
                "@id": claim_url(claim),
                "author": _agent(claim.source),
                "text": claim.statement,
            }
            for claim in denied
        ],
    }
    if denial.denied_on:
        item["datePublished"] = denial.denied_on.isoformat()
    if denial.report_id:
        item["appearance"] = [_appearance(denial.report, denial.source.public_name)]
        item["firstAppearance"] = item["appearance"][0]
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": denial_url(denial),
        "url": absolute(incident.get_absolute_url()) + f"#denial-{denial.pk}",
        "claimReviewed": denial.statement,
        "itemReviewed": item,
        "author": _reviewer(),
        "dateModified": incident.updated_at.isoformat(),
        "reviewBody": body,
    }
    rating = _rating(incident)
    if rating:
        review["reviewRating"] = rating
    return review

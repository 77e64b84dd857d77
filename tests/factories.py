"""Small builders for test data beyond the seed case."""

import itertools

from incidents.models import CasualtyCategory, Claim, Denial, Figure, Incident
from sources.models import Report, Source

_counter = itertools.count(1)


def make_source(**fields):
    n = next(_counter)
    fields.setdefault("name", f"Source {n}")
    fields.setdefault("slug", f"source-{n}")
    fields.setdefault("kind", Source.Kind.MONITOR)
    return Source.objects.create(**fields)


def make_report(**fields):
    n = next(_counter)
    fields.setdefault("title", f"Report {n}")
    if "publisher" not in fields:
        fields["publisher"] = make_source(kind=Source.Kind.MEDIA)
    return Report.objects.create(**fields)


def make_incident(**fields):
    n = next(_counter)
    fields.setdefault("title", f"Incident {n}")
    fields.setdefault("slug", f"incident-{n}")
    fields.setdefault("status", Incident.Status.PUBLISHED)
    fields.setdefault("occurred_start", "2016-05-30")
    return Incident.objects.create(**fields)


def make_claim(incident, source=None, figures=(), **fields):
    fields.setdefault("kind", Claim.Kind.CASUALTIES)
    fields.setdefault("statement", "A statement.")
    claim = Claim.objects.create(incident=incident, source=source or make_source(), **fields)
    for category, low, high in figures:
        Figure.objects.create(
            claim=claim,
            category=CasualtyCategory.objects.get(slug=category),
            min_count=low,
            max_count=high,
            as_said=f"{low}-{high}",
        )
    return claim


def make_denial(incident, source=None, denies=(), **fields):
    fields.setdefault("statement", "We deny it.")
    denial = Denial.objects.create(incident=incident, source=source or make_source(), **fields)
    denial.denies.set(denies)
    return denial


def make_busy_incident(n_claims=5):
    """An incident with many claims, figures, an attribution and a denial."""
    incident = make_incident()
    accused = make_source(kind=Source.Kind.ARMED_FORCE)
    report = make_report()
    for i in range(n_claims):
        make_claim(incident, report=report, figures=[("killed", i, i + 10), ("injured", i, None)])
    attribution = make_claim(
        incident, kind=Claim.Kind.ATTRIBUTION, attributed_to=accused, statement="They did it."
    )
    make_denial(incident, source=accused, denies=[attribution], report=report)
    return incident

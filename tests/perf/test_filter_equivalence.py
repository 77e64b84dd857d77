"""Every filter combination of the API contract returns what a plain reading of the rules does.

IncidentFilter builds SQL (Exists() subqueries, full-text search, the dispute rules in
SQL); the reference here loads the incidents with their claims, figures and denials and
applies each rule in Python loops, written without the filter's helpers. Generated data,
with some claims and denials withdrawn and some claims revised, so the "current claims"
rule is exercised too.
"""

import datetime
import random
import re

import pytest
from django.utils import timezone

from incidents.benchmark.data import generate
from incidents.benchmark.operations import API_FILTERS
from incidents.filters import IncidentFilter
from incidents.models import CasualtyCategory, Claim, Denial, Figure, Incident

pytestmark = pytest.mark.django_db

KILLED_MIN = int(API_FILTERS["killed_min_attributed_to"]["killed_min"])
PARTY = API_FILTERS["killed_min_attributed_to"]["attributed_to"]
WORD = API_FILTERS["q"]["q"]
# The forms of WORD the generated texts use, all with the same English stem.
WORD_FORMS = {"hospital", "hospitals"}


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """A few hundred generated incidents, some claims and denials withdrawn or revised."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            generate(300, sources=200, seed=11)
            rng = random.Random(11)
            now = timezone.now()
            claims = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
            Claim.objects.filter(pk__in=rng.sample(claims, len(claims) // 12)).update(
                withdrawn_at=now, withdrawn_reason="Retracted by the source."
            )
            denials = list(Denial.objects.order_by("pk").values_list("pk", flat=True))
            Denial.objects.filter(pk__in=rng.sample(denials, len(denials) // 6)).update(
                withdrawn_at=now, withdrawn_reason="Entered against the wrong incident."
            )
            killed = CasualtyCategory.objects.get(slug="killed")
            revisable = Claim.objects.filter(
                withdrawn_at__isnull=True, figures__category=killed
            ).order_by("pk")
            for claim in rng.sample(list(revisable), 60):
                # Half the revisions raise the toll past the threshold, half lower it below.
                revision = Claim.objects.create(
                    incident_id=claim.incident_id,
                    source_id=claim.source_id,
                    kind=claim.kind,
                    statement=f"Revised: {claim.statement}",
                    claimed_on=claim.claimed_on,
                    attributed_to_id=claim.attributed_to_id,
                    supersedes=claim,
                )
                toll = rng.choice([KILLED_MIN + 40, max(KILLED_MIN - 5, 0)])
                Figure.objects.create(
                    claim=revision, category=killed, max_count=toll, as_said=str(toll)
                )
            yield
            transaction.set_rollback(True)


def loaded():
    return list(Incident.objects.public().with_claims())


def standing(incident):
    return [claim for claim in incident.claims.all() if claim.withdrawn_at is None]


def current(incident):
    claims = standing(incident)
    revised = set()
    for claim in claims:
        if claim.supersedes_id is not None:
            revised.add(claim.supersedes_id)
    return [claim for claim in claims if claim.pk not in revised]


def words(text):
    return set(re.findall(r"[a-z]+", text.lower()))


def matches_q(incident):
    texts = [incident.title, incident.summary]
    names = []
    for claim in standing(incident):
        texts.append(claim.statement)
        names.append(claim.source)
    for denial in incident.denials.all():
        if denial.withdrawn_at is None:
            texts.append(denial.statement)
            names.append(denial.source)
    texts += [source.name for source in names if not source.protected]
    return any(words(text) & WORD_FORMS for text in texts)


def killed_at_least(incident, value):
    for claim in current(incident):
        for figure in claim.figures.all():
            if figure.category_id != "killed":
                continue
            high = figure.max_count if figure.max_count is not None else figure.min_count
            if high is not None and high >= value:
                return True
    return False


def attributed_to(incident, slug):
    for claim in current(incident):
        party = claim.attributed_to
        visible = party is not None and party.slug == slug and not party.protected
        if claim.kind == "attribution" and visible:
            return True
    return False


def occurred_between(incident, after, before):
    start = incident.occurred_start
    return start is not None and after <= start <= before


def in_box(incident, min_lon, min_lat, max_lon, max_lat):
    if incident.latitude is None or incident.longitude is None:
        return False
    return min_lon <= incident.longitude <= max_lon and min_lat <= incident.latitude <= max_lat


def contested(incident):
    return incident.dispute().contested


def reference(params):
    rules = []
    if "q" in params:
        rules.append(matches_q)
    if "killed_min" in params:
        rules.append(lambda i: killed_at_least(i, int(params["killed_min"])))
    if "attributed_to" in params:
        rules.append(lambda i: attributed_to(i, params["attributed_to"]))
    if "occurred_after" in params:
        after = datetime.date.fromisoformat(params["occurred_after"])
        before = datetime.date.fromisoformat(params["occurred_before"])
        rules.append(lambda i: occurred_between(i, after, before))
    if "bbox" in params:
        box = [float(part) for part in params["bbox"].split(",")]
        rules.append(lambda i: in_box(i, *box))
    if "contested" in params:
        rules.append(contested)
    return {incident.pk for incident in loaded() if all(rule(incident) for rule in rules)}


def filtered(params):
    return set(
        IncidentFilter(params, queryset=Incident.objects.public()).qs.values_list("pk", flat=True)
    )


# The benchmark's combination of all filters finds nothing among a few hundred
# incidents; a wider one finds some, so the combined rules are compared on real rows.
COMBINATIONS = API_FILTERS | {
    "all_wider": {
        "q": WORD,
        "killed_min": "1",
        "attributed_to": PARTY,
        "occurred_after": "2010-01-01",
        "occurred_before": "2030-12-31",
        "bbox": "20,10,60,45",
        "contested": "true",
    }
}


@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_each_filter_combination_returns_what_the_rules_say(archive, combination):
    params = COMBINATIONS[combination]

    expected = reference(params)

    assert filtered(params) == expected
    # Neither everything nor nothing, or the comparison would prove little.
    published = Incident.objects.public().count()
    if combination != "all":
        assert 0 < len(expected) < published, (combination, len(expected), published)


def test_the_revisions_and_withdrawals_change_what_killed_min_finds(archive):
    # Without the current-claims rule the reference would find other incidents.
    def any_standing_claim(incident):
        return any(
            (f.max_count if f.max_count is not None else f.min_count or 0) >= KILLED_MIN
            for claim in standing(incident)
            for f in claim.figures.all()
            if f.category_id == "killed"
        )

    naive = {incident.pk for incident in loaded() if any_standing_claim(incident)}

    assert naive != filtered({"killed_min": str(KILLED_MIN)})

"""The incident FilterSet, exercised directly on querysets and checked against references.

The API and the HTML list page add tests through their URLs; these pin down the
semantics every caller shares.
"""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from incidents.filters import IncidentFilter
from incidents.models import Claim, Incident
from tests.factories import make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db


def filtered(params, user=None):
    request = RequestFactory().get("/", params)
    request.user = user or AnonymousUser()
    filterset = IncidentFilter(params, queryset=Incident.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("slug", flat=True))


def errors(params):
    request = RequestFactory().get("/", params)
    request.user = AnonymousUser()
    filterset = IncidentFilter(params, queryset=Incident.objects.all(), request=request)
    assert not filterset.is_valid()
    return filterset.errors


IDLIB = "idlib-city-airstrikes-2016-05-30"
KFAR = "kfar-takharim-vaccination-centres-2016-05-31"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "hospital"}, {IDLIB}),
        ({"q": "vaccination"}, {KFAR}),
        ({"q": "Konashenkov"}, {IDLIB}),  # a denial's statement
        ({"q": "Local Coordination Committees"}, {IDLIB}),  # a source's name
        ({"country": "sy"}, {IDLIB, KFAR}),
        ({"country": "IQ"}, set()),
        ({"region": "idlib governorate"}, {IDLIB, KFAR}),
        ({"occurred_after": "2016-05-31"}, {KFAR}),
        ({"occurred_before": "2016-05-30"}, {IDLIB}),
        ({"source": "local-coordination-committees"}, {IDLIB}),
        ({"source": "russian-defense-ministry"}, {IDLIB}),  # by its denial
        ({"attributed_to": "russian-aerospace-forces"}, {IDLIB}),
        ({"kind": "damage"}, {IDLIB, KFAR}),
        ({"kind": "attribution"}, {IDLIB}),
        ({"killed_min": "50"}, {IDLIB}),
        ({"killed_min": "51"}, set()),
        ({"contested": "true"}, {IDLIB}),
        ({"contested": "false"}, {KFAR}),
        ({"assessment": "weak"}, {KFAR}),
        ({"bbox": "36.5,35.9,36.7,36.0"}, {IDLIB}),
        ({"killed_min": "20", "attributed_to": "russian-aerospace-forces"}, {IDLIB}),
    ],
)
def test_each_filter_on_the_seed_case(seed, params, expected):
    assert filtered(params) == expected


def test_a_protected_sources_slug_and_name_find_nothing_for_the_public(seed, admin_user):
    assert filtered({"source": "ahmad-ariha"}) == set()
    assert filtered({"q": "Ariha"}) == set()  # quotes that named him are redacted
    assert filtered({"source": "ahmad-ariha"}, user=admin_user) == {IDLIB, KFAR}


def test_a_protected_name_is_not_searched_among_source_names(admin_user):
    incident = make_incident(title="Shelling")
    make_claim(incident, source=make_source(name="Zyxwv Qrstu", protected=True))
    assert filtered({"q": "Zyxwv"}) == set()
    assert filtered({"q": "Zyxwv"}, user=admin_user) == {incident.slug}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "massacre"}, "kind"),
        ({"assessment": "probable"}, "assessment"),
        ({"killed_min": "many"}, "killed_min"),
        ({"killed_min": "-4"}, "killed_min"),
        ({"occurred_after": "2016-13-45"}, "occurred_after"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "10,10,0,0"}, "bbox"),
        ({"country": "Syria"}, "country"),
        ({"contested": "perhaps"}, "contested"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "title"}, "ordering"),
    ],
)
def test_bad_values_are_refused_with_a_message(params, field):
    assert field in errors(params)


def test_two_conditions_on_claims_need_not_hold_for_the_same_claim():
    incident = make_incident()
    accused = make_source(slug="army")
    make_claim(incident, figures=[("killed", 30, 30)])
    make_claim(incident, kind=Claim.Kind.ATTRIBUTION, attributed_to=accused, statement="x")
    assert filtered({"killed_min": "20", "attributed_to": "army"}) == {incident.slug}
    assert filtered({"killed_min": "20", "kind": "attribution"}) == {incident.slug}


def test_ordering_by_most_killed():
    few = make_incident()
    make_claim(few, figures=[("killed", 3, 3)])
    many = make_incident()
    make_claim(many, figures=[("killed", 300, None)])
    none = make_incident()
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    qs = IncidentFilter({"ordering": "-killed"}, Incident.objects.all(), request=request).qs
    assert list(qs) == [many, few, none]


def test_the_sql_contested_filter_agrees_with_the_dispute_rules():
    """Random incidents: contested=true must select exactly those dispute() calls contested.

    Some claims are revised by their source; both sides must count only the latest.
    """
    rng = random.Random(7)
    ministry = make_source(kind="government")
    force = make_source(kind="armed_force", parent=ministry)
    parties = [ministry, force, make_source(kind="armed_force"), make_source(kind="government")]
    voices = [make_source() for _ in range(4)]
    for _ in range(60):
        incident = make_incident()
        claims = []
        for _ in range(rng.randint(0, 3)):
            low = rng.choice([None, 0, 5, 10, 30])
            high = rng.choice([None, low, (low or 0) + 15])
            if low is None and high is None:
                high = 12
            claims.append(
                make_claim(
                    incident,
                    source=rng.choice(voices),
                    figures=[(rng.choice(["killed", "injured"]), low, high)],
                )
            )
        for _ in range(rng.randint(0, 2)):
            claims.append(
                make_claim(
                    incident,
                    source=rng.choice(voices),
                    kind=Claim.Kind.ATTRIBUTION,
                    attributed_to=rng.choice(parties),
                )
            )
        # Sources revise some claims: a new toll, or a new accused party. Only the
        # latest revision counts, in dispute() as in SQL.
        for _ in range(rng.randint(0, 3)):
            unrevised = [c for c in claims if not any(r.supersedes_id == c.pk for r in claims)]
            if not unrevised:
                break
            earlier = rng.choice(unrevised)
            if earlier.kind == Claim.Kind.ATTRIBUTION:
                revision = make_claim(
                    incident,
                    source=earlier.source,
                    kind=Claim.Kind.ATTRIBUTION,
                    attributed_to=rng.choice(parties),
                    supersedes=earlier,
                )
            else:
                low = rng.choice([0, 5, 10, 30, 60])
                revision = make_claim(
                    incident,
                    source=earlier.source,
                    supersedes=earlier,
                    figures=[(rng.choice(["killed", "injured"]), low, rng.choice([low, None]))],
                )
            claims.append(revision)
        if claims and rng.random() < 0.3:
            make_denial(incident, source=rng.choice(parties), denies=[rng.choice(claims)])
    loaded = list(Incident.objects.with_claims())
    assert sum(1 for i in loaded for c in i.claims.all() if not c.current) > 20
    expected = {i.slug for i in loaded if i.dispute().contested}
    assert filtered({"contested": "true"}) == expected
    assert filtered({"contested": "false"}) == {i.slug for i in Incident.objects.all()} - expected
    assert 5 < len(expected) < 55  # the sample covers both outcomes

    # killed_min agrees with the reported range of current figures.
    for threshold in (5, 20, 40):
        reference = {
            i.slug
            for i in loaded
            if (rng_ := i.casualty_ranges().get("killed")) and (rng_.max or -1) >= threshold
        }
        assert filtered({"killed_min": str(threshold)}) == reference

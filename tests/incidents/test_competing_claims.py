import pytest

from incidents.models import Claim, Figure, Incident
from tests.factories import (
    make_busy_incident,
    make_claim,
    make_denial,
    make_incident,
    make_source,
)

pytestmark = pytest.mark.django_db


def idlib():
    return Incident.objects.with_claims().get(slug="idlib-city-airstrikes-2016-05-30")


def test_the_seed_case_gives_a_killed_range_of_23_to_50_from_two_sources(seed):
    killed = idlib().casualty_ranges()["killed"]
    assert killed.as_dict() == {"min": 23, "max": 50, "sources": 2, "open_ended": False}


def test_the_seed_case_keeps_each_figure_as_said_and_as_numbers(seed):
    figures = {
        (f.claim.source.slug, f.category_id): (f.min_count, f.max_count, f.approximate, f.as_said)
        for f in Figure.objects.select_related("claim__source")
    }
    sohr = "syrian-observatory-for-human-rights"
    lcc = "local-coordination-committees"
    assert figures[(sohr, "killed")] == (23, None, False, "at least 23 people")
    assert figures[(sohr, "children_killed")] == (7, None, False, "at least seven children")
    assert figures[(sohr, "injured")][3] == "dozens"
    assert figures[(sohr, "trapped")] == (None, None, True, "several")
    assert figures[(lcc, "killed")] == (50, 50, False, "50 people")
    assert figures[(lcc, "injured")] == (200, None, False, "over 200")
    assert figures[("ahmad-ariha", "killed_or_injured")] == (250, 250, True, "some 250 people")


def test_the_combined_figure_has_its_own_category(seed):
    ranges = idlib().casualty_ranges()
    assert ranges["killed_or_injured"].as_dict() == {
        "min": 250,
        "max": 250,
        "sources": 1,
        "open_ended": False,
    }
    assert ranges["killed"].sources == 2  # Ariha's combined figure is not counted as killed


def test_an_open_ended_top_figure_makes_the_range_open_ended(seed):
    injured = idlib().casualty_ranges()["injured"]
    assert (injured.min, injured.max, injured.open_ended) == (24, 200, True)


def test_the_dispute_names_the_attribution_denied_by_the_accused(seed):
    dispute = idlib().dispute()
    assert dispute.contested
    assert (
        "Attribution to Russian Aerospace Forces by Syrian Observatory for Human Rights "
        "denied by the accused, Russian Defense Ministry"
    ) in dispute.reasons


def test_the_dispute_notes_tolls_that_differ_by_more_than_twice(seed):
    assert "Tolls for killed differ by more than 2x between sources: 23 to 50" in (
        idlib().dispute().reasons
    )


def test_the_related_incident_is_not_contested(seed):
    other = Incident.objects.with_claims().get(slug="kfar-takharim-vaccination-centres-2016-05-31")
    assert not other.dispute().contested
    assert idlib() in other.related.all()


def test_attributions_naming_different_parties_are_a_dispute():
    incident = make_incident()
    for party in ("A", "B"):
        make_claim(
            incident,
            kind=Claim.Kind.ATTRIBUTION,
            attributed_to=make_source(name=f"Party {party}"),
            statement=f"{party} did it",
        )
    reasons = Incident.objects.with_claims().get(pk=incident.pk).dispute().reasons
    assert reasons == ["Attributions name different parties: Party A, Party B"]


def test_tolls_within_twice_of_each_other_are_not_a_dispute():
    incident = make_incident()
    make_claim(incident, figures=[("killed", 10, 10)])
    make_claim(incident, figures=[("killed", 19, 20)])
    assert not Incident.objects.with_claims().get(pk=incident.pk).dispute().contested


def test_a_protected_source_is_not_named_in_public_reasons():
    incident = make_incident()
    activist = make_source(name="Secret Name", kind="individual", protected=True)
    accused = make_source(name="Army", kind="armed_force")
    make_claim(incident, source=activist, kind=Claim.Kind.ATTRIBUTION, attributed_to=accused)
    make_denial(incident, source=accused, denies=[incident.claims.get()])
    loaded = Incident.objects.with_claims().get(pk=incident.pk)
    assert loaded.dispute().contested
    assert "Secret Name" not in " ".join(loaded.dispute().reasons)
    assert "Protected source (individual)" in " ".join(loaded.dispute().reasons)


def test_the_competing_claims_query_count_is_constant(django_assert_max_num_queries):
    for _ in range(50):
        make_busy_incident()
    with django_assert_max_num_queries(6):
        incidents = list(Incident.objects.with_claims())
        seen = []
        for incident in incidents:
            incident.casualty_ranges()
            incident.dispute().as_dict()
            incident.claim_entries()
            seen += [r.title for r in incident.related.all()]
            seen += [
                (c.source.name, c.report and c.report.publisher.name) for c in incident.claims.all()
            ]
    assert len(incidents) == 50

"""Claims over time: a source revises its toll, and only its latest word counts."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from incidents.filters import IncidentFilter
from incidents.models import Claim, Figure, Incident
from tests.factories import make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db

JUNE_1 = datetime.date(2016, 6, 1)


def observatory_casualties(seed):
    return Claim.objects.get(
        incident=seed,
        source__slug="syrian-observatory-for-human-rights",
        kind="casualties",
        supersedes__isnull=True,
    )


def raise_observatory_toll(seed):
    """The Observatory raises its toll from at least 23 to at least 30 the next day."""
    earlier = observatory_casualties(seed)
    revision = make_claim(
        seed,
        source=earlier.source,
        report=earlier.report,
        supersedes=earlier,
        claimed_on=JUNE_1,
        statement="The death toll from the airstrikes on Idlib rose to at least 30.",
    )
    Figure.objects.create(
        claim=revision, category_id="killed", min_count=30, as_said="at least 30 people"
    )
    return revision


def loaded(incident):
    return Incident.objects.with_claims().get(pk=incident.pk)


def test_the_latest_figure_replaces_the_earlier_one_in_the_ranges(seed):
    assert loaded(seed).casualty_ranges()["killed"].min == 23
    raise_observatory_toll(seed)
    ranges = loaded(seed).casualty_ranges()
    assert ranges["killed"].as_dict() == {"min": 30, "max": 50, "sources": 2, "open_ended": False}
    # The Observatory's other figures were in the claim it revised: they are history too.
    assert "children_killed" not in ranges
    assert [row.figure.as_said for row in ranges["killed"].rows] == [
        "50 people",
        "at least 30 people",
    ]


def test_the_claim_history_gives_each_sources_chain_of_revisions(seed):
    revision = raise_observatory_toll(seed)
    earlier = observatory_casualties(seed)
    history = loaded(seed).claim_history()
    observatory = next(s for s in history if s.slug == "syrian-observatory-for-human-rights")
    chains = history[observatory]
    revised = [chain for chain in chains if chain.revised]
    assert len(revised) == 1
    chain = revised[0]
    assert [c.pk for c in chain.claims] == [earlier.pk, revision.pk]
    assert chain.current.pk == revision.pk
    assert [c.pk for c in chain.earlier] == [earlier.pk]
    assert chain.timeline_text("killed") == (
        "at least 23 people on 31 May 2016, at least 30 people on 1 June 2016"
    )
    # Claims never revised are chains of one; every claim appears exactly once.
    all_claims = [c.pk for chains in history.values() for chain in chains for c in chain.claims]
    assert sorted(all_claims) == sorted(seed.claims.values_list("pk", flat=True))


def test_current_and_superseded_by_need_no_query_after_with_claims(seed, django_assert_num_queries):
    revision = raise_observatory_toll(seed)
    earlier = observatory_casualties(seed)
    incident = loaded(seed)
    with django_assert_num_queries(0):
        claims = {c.pk: c for c in incident.claims.all()}
        assert claims[earlier.pk].current is False
        assert claims[earlier.pk].superseded_by_id == revision.pk
        assert claims[revision.pk].current is True
        assert claims[revision.pk].supersedes_id == earlier.pk


def test_current_on_a_lone_claim_asks_the_database(seed, django_assert_num_queries):
    raise_observatory_toll(seed)
    earlier = Claim.objects.get(pk=observatory_casualties(seed).pk)
    with django_assert_num_queries(1):
        assert earlier.current is False
    assert Claim.objects.with_revision_links().get(pk=earlier.pk).current is False
    assert observatory_casualties(seed) not in Claim.objects.current()


def test_with_claims_keeps_a_constant_query_count_with_revisions(django_assert_num_queries):
    def busy_incident():
        incident = make_incident()
        source = make_source()
        first = make_claim(incident, source=source, figures=[("killed", 10, 10)])
        second = make_claim(incident, source=source, supersedes=first, figures=[("killed", 20, 20)])
        make_claim(incident, source=source, supersedes=second, figures=[("killed", 25, 25)])
        other = make_claim(incident, figures=[("killed", 5, None)])
        make_denial(incident, denies=[first, other])
        return incident

    def everything():
        for incident in Incident.objects.with_claims():
            incident.casualty_ranges()
            incident.dispute()
            incident.claim_history()
            incident.current_claim_entries()
            [claim.current for claim in incident.claims.all()]

    busy_incident()
    with django_assert_num_queries(6):
        everything()
    for _ in range(10):
        busy_incident()
    with django_assert_num_queries(6):
        everything()


def test_a_revised_toll_no_longer_makes_the_incident_contested():
    incident = make_incident()
    low, high = make_source(), make_source()
    make_claim(incident, source=low, figures=[("killed", 10, 10)])
    first = make_claim(incident, source=high, figures=[("killed", 30, 30)])
    assert loaded(incident).dispute().contested
    assert incident in Incident.objects.filter(contested())
    make_claim(incident, source=high, supersedes=first, figures=[("killed", 15, 15)])
    assert not loaded(incident).dispute().contested
    assert incident not in Incident.objects.filter(contested())


def test_a_denial_of_a_superseded_claim_no_longer_counts():
    incident = make_incident()
    source, accused = make_source(), make_source(kind="armed_force")
    first = make_claim(incident, source=source, kind="attribution", attributed_to=accused)
    make_denial(incident, source=accused, denies=[first])
    assert loaded(incident).dispute().contested
    make_claim(
        incident,
        source=source,
        kind="attribution",
        attributed_to=accused,
        supersedes=first,
        statement="Revised wording.",
    )
    assert not loaded(incident).dispute().contested
    assert incident not in Incident.objects.filter(contested())


def contested():
    from incidents.search import contested_q

    return contested_q()


def test_killed_min_reads_only_current_figures():
    raised = make_incident()
    source = make_source()
    first = make_claim(raised, source=source, figures=[("killed", 10, 10)])
    make_claim(raised, source=source, supersedes=first, figures=[("killed", 40, 40)])
    lowered = make_incident()
    first = make_claim(lowered, source=source, figures=[("killed", 40, 40)])
    make_claim(lowered, source=source, supersedes=first, figures=[("killed", 10, 10)])

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    matched = IncidentFilter({"killed_min": "20"}, Incident.objects.all(), request=request).qs
    assert set(matched) == {raised}
    ordered = IncidentFilter({"ordering": "-killed"}, Incident.objects.all(), request=request).qs
    assert list(ordered) == [raised, lowered]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("other_source", "same source about the same incident"),
        ("other_incident", "same source about the same incident"),
        ("earlier_date", "cannot be dated before the claim it supersedes"),
    ],
)
def test_the_database_refuses_a_revision_that_breaks_the_chain(change, message):
    incident, source = make_incident(), make_source()
    first = make_claim(incident, source=source, claimed_on=JUNE_1)
    fields = {"source": source, "incident": incident, "claimed_on": JUNE_1}
    if change == "other_source":
        fields["source"] = make_source()
    elif change == "other_incident":
        fields["incident"] = make_incident()
    else:
        fields["claimed_on"] = JUNE_1 - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        Claim.objects.create(kind="casualties", statement="Revised.", supersedes=first, **fields)


def test_the_database_refuses_to_break_a_chain_afterwards():
    incident, source = make_incident(), make_source()
    first = make_claim(incident, source=source)
    second = make_claim(incident, source=source, supersedes=first)
    with pytest.raises(IntegrityError, match="same source"), transaction.atomic():
        Claim.objects.filter(pk=first.pk).update(source=make_source())
    with pytest.raises(IntegrityError, match="its own revisions"), transaction.atomic():
        Claim.objects.filter(pk=first.pk).update(supersedes=second)
    with pytest.raises(IntegrityError, match="claim_not_superseding_itself"), transaction.atomic():
        Claim.objects.filter(pk=first.pk).update(supersedes=first)


def test_a_claim_is_superseded_at_most_once():
    incident, source = make_incident(), make_source()
    first = make_claim(incident, source=source)
    make_claim(incident, source=source, supersedes=first)
    with pytest.raises(IntegrityError, match="claim_superseded_once"), transaction.atomic():
        make_claim(incident, source=source, supersedes=first)


def test_deleting_an_earlier_claim_keeps_its_revision():
    incident, source = make_incident(status="draft"), make_source()
    first = make_claim(incident, source=source)
    second = make_claim(incident, source=source, supersedes=first)
    first.delete()
    second.refresh_from_db()
    assert second.supersedes_id is None
    assert second.current


def claim_form(incident, source, supersedes, **extra):
    return {
        "incident": incident.pk,
        "kind": "casualties",
        "source": source.pk,
        "statement": "The toll rose.",
        "supersedes": supersedes.pk,
        "figures-TOTAL_FORMS": 0,
        "figures-INITIAL_FORMS": 0,
        "via_links-TOTAL_FORMS": 0,
        "via_links-INITIAL_FORMS": 0,
        "media-TOTAL_FORMS": 0,
        "media-INITIAL_FORMS": 0,
        **extra,
    }


def test_the_admin_refuses_a_revision_by_another_source_with_a_clear_message(
    researcher_client,
):
    incident = make_incident()
    first = make_claim(incident, source=make_source())
    response = researcher_client.post(
        "/admin/incidents/claim/add/", claim_form(incident, make_source(), first)
    )
    assert response.status_code == 200
    assert (
        "A claim can only supersede an earlier claim by the same source about the same incident."
        in response.content.decode()
    )
    assert Claim.objects.count() == 1


def test_the_admin_refuses_superseding_a_claim_twice(researcher_client):
    incident, source = make_incident(), make_source()
    first = make_claim(incident, source=source)
    make_claim(incident, source=source, supersedes=first)
    response = researcher_client.post(
        "/admin/incidents/claim/add/", claim_form(incident, source, first)
    )
    assert response.status_code == 200
    assert "That claim has already been superseded by another claim" in response.content.decode()
    assert Claim.objects.count() == 2


def test_the_admin_saves_a_revision(researcher_client):
    incident, source = make_incident(status="draft"), make_source()
    first = make_claim(incident, source=source, figures=[("killed", 23, None)])
    response = researcher_client.post(
        "/admin/incidents/claim/add/",
        claim_form(
            incident,
            source,
            first,
            **{
                "figures-TOTAL_FORMS": 1,
                "figures-0-category": "killed",
                "figures-0-min_count": 30,
                "figures-0-as_said": "at least 30",
            },
        ),
    )
    assert response.status_code == 302
    revision = Claim.objects.get(supersedes=first)
    assert Figure.objects.get(claim=revision).min_count == 30
    assert not Claim.objects.with_revision_links().get(pk=first.pk).current


def test_the_claim_admin_list_shows_which_claims_are_current(
    admin_user_client, django_assert_max_num_queries
):
    incident, source = make_incident(), make_source()
    for _ in range(15):
        first = make_claim(incident, source=source)
        make_claim(incident, source=source, supersedes=first)
    with django_assert_max_num_queries(12):
        response = admin_user_client.get("/admin/incidents/claim/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('alt="False"') == 15
    assert content.count('alt="True"') == 15

"""Provenance chains: source, the intermediaries that relayed a claim, report, publisher."""

import pytest
from django.db import IntegrityError, transaction

from incidents.models import Claim, ClaimVia, Incident
from incidents.seed import load_seed
from tests.factories import make_busy_incident, make_claim, make_incident, make_report, make_source

pytestmark = pytest.mark.django_db

REPORT_TITLE = "Associated Press report on late-night airstrikes on Idlib"


def claim_of(seed, source_slug, kind="casualties"):
    return Claim.objects.get(incident=seed, source__slug=source_slug, kind=kind)


def test_the_observatorys_toll_reached_the_report_via_ap(seed):
    chain = claim_of(seed, "syrian-observatory-for-human-rights").provenance_chain()
    assert [(step.role, step.name) for step in chain] == [
        ("source", "Syrian Observatory for Human Rights"),
        ("via", "Associated Press"),
        ("report", REPORT_TITLE),
        ("publisher", "Associated Press"),
    ]


def test_every_claim_of_the_observatory_and_the_lcc_is_via_ap_and_no_other(seed):
    for claim in Claim.objects.filter(incident=seed):
        relayed = [s.slug for s in claim.via.all()]
        if claim.source.slug in (
            "syrian-observatory-for-human-rights",
            "local-coordination-committees",
        ):
            assert relayed == ["associated-press"]
        else:
            assert relayed == []


def test_loading_the_seed_again_adds_no_intermediary(seed):
    count = ClaimVia.objects.count()
    load_seed()
    assert ClaimVia.objects.count() == count == 7  # 4 of the Observatory's, 3 of the LCC's


def test_a_protected_source_is_not_named_in_the_public_chain(seed):
    claim = claim_of(seed, "ahmad-ariha")
    public = [step.name for step in claim.provenance_chain()]
    assert public[0] == "Protected source (individual)"
    assert "Ahmad Ariha" not in public
    assert claim.provenance_chain(reveal_protected=True)[0].name == "Ahmad Ariha"


def test_intermediaries_keep_their_order():
    incident, source = make_incident(), make_source(name="Local activist network")
    relay, agency = make_source(name="Regional monitor"), make_source(name="Wire agency")
    report = make_report(publisher=make_source(name="Newspaper"), title="Front page")
    claim = make_claim(incident, source=source, report=report)
    ClaimVia.objects.create(claim=claim, source=agency, position=2)
    ClaimVia.objects.create(claim=claim, source=relay, position=1)
    assert [step.name for step in claim.provenance_chain()] == [
        "Local activist network",
        "Regional monitor",
        "Wire agency",
        "Front page",
        "Newspaper",
    ]


def test_a_claim_without_a_report_ends_with_its_intermediaries():
    claim = make_claim(make_incident(), source=make_source(name="Monitor"))
    ClaimVia.objects.create(claim=claim, source=make_source(name="Agency"), position=1)
    assert [(s.role, s.name) for s in claim.provenance_chain()] == [
        ("source", "Monitor"),
        ("via", "Agency"),
    ]


def test_the_database_refuses_two_intermediaries_at_one_position():
    claim = make_claim(make_incident())
    ClaimVia.objects.create(claim=claim, source=make_source(), position=1)
    with pytest.raises(IntegrityError, match="claim_via_position_unique"), transaction.atomic():
        ClaimVia.objects.create(claim=claim, source=make_source(), position=1)
    with pytest.raises(IntegrityError, match="claim_via_position_positive"), transaction.atomic():
        ClaimVia.objects.create(claim=claim, source=make_source(), position=0)


def test_with_evidence_loads_chains_without_more_queries(seed, django_assert_num_queries):
    for _ in range(5):
        make_busy_incident()
    for claim in Claim.objects.all()[:20]:
        ClaimVia.objects.get_or_create(claim=claim, position=1, defaults={"source": make_source()})
    with django_assert_num_queries(11):
        incidents = list(Incident.objects.with_claims().with_evidence())
        chains = [
            [step.name for step in claim.provenance_chain()]
            for incident in incidents
            for claim in incident.claims.all()
        ]
        [m.summary() for incident in incidents for m in incident.media.all()]
        [i.value for incident in incidents for i in incident.identifiers.all()]
        [
            claim.report.latest_capture()
            for incident in incidents
            for claim in incident.claims.all()
            if claim.report_id
        ]
    assert len(chains) == Claim.objects.count()


def test_the_claim_admin_saves_intermediaries(researcher_client):
    incident, source, agency = make_incident(status="draft"), make_source(), make_source()
    response = researcher_client.post(
        "/admin/incidents/claim/add/",
        {
            "incident": incident.pk,
            "kind": "event",
            "source": source.pk,
            "statement": "Strikes hit the town.",
            "figures-TOTAL_FORMS": 0,
            "figures-INITIAL_FORMS": 0,
            "via_links-TOTAL_FORMS": 1,
            "via_links-INITIAL_FORMS": 0,
            "via_links-0-position": 1,
            "via_links-0-source": agency.pk,
            "media-TOTAL_FORMS": 0,
            "media-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert list(Claim.objects.get().via.all()) == [agency]


def test_the_incident_admin_offers_via_and_supersedes_on_each_claim(admin_user_client, seed):
    response = admin_user_client.get(f"/admin/incidents/incident/{seed.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    claims = seed.claims.count()
    assert content.count('-supersedes"') >= claims
    assert 'name="claims-0-via_links-TOTAL_FORMS"' in content
    assert 'data-ajax--url="/admin/autocomplete/"' in content

import json
from datetime import datetime, time

import pytest
from django.utils import timezone

from incidents.benchmark.data import generate
from incidents.benchmark.floor import floor_page
from incidents.models import Claim, ClaimVia, Correction, Incident, IncidentIdentifier, Media
from sources.models import Capture, Source
from tests.factories import make_claim, make_denial, make_incident, make_report, make_source

pytestmark = pytest.mark.django_db


def _same_instants(value):
    """The page with its timestamps parsed: PostgreSQL and the API write one instant
    differently ("+00:00" or "Z", trailing zeros of the fraction or none)."""
    if isinstance(value, dict):
        return {key: _same_instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_same_instants(item) for item in value]
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        return datetime.fromisoformat(value)
    return value


def _everything_the_page_can_hold():
    """The newest incident, with every kind of thing the API shows or withholds."""
    incident = make_incident(
        occurred_start="2026-11-20",
        occurred_time=time(5, 30),
        occurred_precision="exact",
        place_name="Maarat al-Numan",
        country="SY",
        assessment="contested",
        assessment_rationale="Figures and blame both disputed.",
    )
    ministry = make_source(name="Ministry of Defence", kind=Source.Kind.GOVERNMENT)
    air_force = make_source(name="Air Force", kind=Source.Kind.ARMED_FORCE, parent=ministry)
    squadron = make_source(name="Squadron 7", kind=Source.Kind.ARMED_FORCE, parent=air_force)
    militia = make_source(name="Local militia", kind=Source.Kind.ARMED_FORCE)
    witness = make_source(name="A witness", kind=Source.Kind.INDIVIDUAL, protected=True)
    monitor = make_source(name="A monitor")
    hidden_outlet = make_source(name="Hidden outlet", kind=Source.Kind.MEDIA, protected=True)
    open_report = make_report(url="https://example.org/strike")
    hidden_report = make_report(url="https://hidden.example.org/a", publisher=hidden_outlet)
    archived = {"status": "archived", "http_status": 200, "sha256": "b" * 64}
    archived |= {"warc_sha256": "c" * 64, "warc_file": "captures/a.warc.gz"}
    failed = {"status": "failed", "error": "Timed out."}
    for report, outcome in (
        (open_report, archived),
        (open_report, failed),
        (hidden_report, archived),
    ):
        Capture.objects.create(
            report=report, requested_url=report.url, final_url=report.url, **outcome
        )
    first = make_claim(incident, source=monitor, report=open_report, figures=[("killed", 9, 9)])
    make_claim(
        incident,
        source=monitor,
        supersedes=first,
        claimed_on="2026-11-22",
        figures=[("killed", 30, None), ("injured", 4, 4)],
    )
    relayed = make_claim(
        incident, source=witness, report=hidden_report, figures=[("killed", 12, 14)]
    )
    ClaimVia.objects.create(claim=relayed, source=make_source(name="Relay"), position=1)
    ClaimVia.objects.create(claim=relayed, source=make_source(protected=True), position=2)
    blamed = [
        make_claim(incident, kind=Claim.Kind.ATTRIBUTION, source=witness, attributed_to=party)
        for party in (squadron, ministry, militia)
    ]
    Claim.objects.filter(
        pk=make_claim(incident, source=make_source(), figures=[("killed", 500, 500)]).pk
    ).update(withdrawn_at=timezone.now(), withdrawn_reason="Retracted.")
    make_denial(incident, source=air_force, denies=[blamed[0], relayed], denied_on="2026-11-21")
    make_denial(incident, source=militia, denies=[blamed[2]], report=open_report)
    withdrawn = make_denial(incident, source=ministry, denies=[blamed[1]])
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Sent in error."
    )
    Media.objects.create(
        incident=incident, kind="photo", description="Crater.", file="e/a.jpg", sha256="d" * 64
    )
    Media.objects.create(
        incident=incident,
        kind="video",
        description="Filmed after.",
        url="https://example.org/v",
        verification_status="verified",
        verification_note="Geolocated.",
    )
    IncidentIdentifier.objects.create(incident=incident, scheme="airwars", value="SY9")
    Correction.objects.create(incident=incident, reason="The toll was 30, not 9.", version=2)
    Correction.objects.create(incident=incident, reason="Internal note.", public=False, version=3)
    incident.related.add(make_incident(), make_incident(status="draft"))
    return incident


def test_the_floor_page_is_the_api_list_page(client):
    """The floor builds the very page the API serves (the benchmark's ratios compare
    the same output), whatever the page holds."""
    generate(120, sources=150, seed=7)
    newest = _everything_the_page_can_hold()

    response = client.get("/api/v1/incidents/", headers={"accept": "application/json"})
    assert response.status_code == 200
    api = response.json()["results"]
    floor = json.loads(floor_page())

    assert [incident["id"] for incident in floor] == [incident["id"] for incident in api]
    assert floor[0]["id"] == newest.pk
    reasons = floor[0]["dispute"]["reasons"]
    assert any("denied by the accused" in reason for reason in reasons)
    assert any(reason.startswith("Attributions name different parties") for reason in reasons)
    assert "Hidden outlet" not in json.dumps(floor[0]) and "A witness" not in json.dumps(floor)
    for served, built in zip(api, floor, strict=True):
        assert _same_instants(built) == _same_instants(served), served["slug"]


def test_the_floor_page_holds_the_seed_case_as_the_api_contract_describes(seed):
    page = json.loads(floor_page(site_url="https://host"))
    [incident] = [i for i in page if i["slug"] == seed.slug]
    assert incident["url"] == f"https://host/incidents/{seed.slug}/"
    assert incident["casualties"]["killed"] == {
        "min": 23,
        "max": 50,
        "sources": 2,
        "open_ended": False,
    }
    assert incident["casualties"]["killed_or_injured"]["max"] == 250
    names = {claim["source"]["name"] for claim in incident["claims"]}
    assert "Ahmad Ariha" not in json.dumps(incident)
    assert "Protected source" in names
    [attribution] = [c for c in incident["claims"] if c["kind"] == "attribution"]
    assert attribution["attributed_to"]["slug"]
    denials = [d["id"] for d in incident["denials"] if attribution["id"] in d["denies"]]
    assert denials
    assert attribution["denied_by"] == denials
    observatory = next(c for c in incident["claims"] if c["figures"])
    assert {"category", "min", "max", "as_said", "approximate"} == set(observatory["figures"][0])


def test_the_floor_page_lists_fifty_published_incidents_newest_first():
    generate(120, sources=150, seed=5)
    page = json.loads(floor_page())
    expected = list(Incident.objects.public().values_list("id", flat=True)[:50])
    assert [incident["id"] for incident in page] == expected


def test_the_floor_casualty_ranges_match_the_python_computation():
    generate(120, sources=150, seed=11)
    page = json.loads(floor_page())
    by_id = Incident.objects.with_claims().in_bulk([incident["id"] for incident in page])
    for incident in page:
        ranges = by_id[incident["id"]].casualty_ranges()
        assert incident["casualties"] == {slug: r.as_dict() for slug, r in ranges.items()}
        assert list(incident["casualties"]) == list(ranges)

"""The API's evidence fields: captures, media, identifiers, intermediaries, corrections."""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from incidents.bundles import export_bundle
from incidents.identifiers import export_identifiers
from incidents.models import (
    Claim,
    ClaimVia,
    Correction,
    Incident,
    IncidentIdentifier,
    Media,
)
from sources.archiving import archive
from sources.models import Capture, Report, Source
from tests.api.test_bundles import empty_database, normalise
from tests.factories import (
    make_busy_incident,
    make_claim,
    make_incident,
    make_report,
    make_source,
)
from tests.sources.conftest import ARTICLE

pytestmark = pytest.mark.django_db

IDLIB = "idlib-city-airstrikes-2016-05-30"
ARTICLE_SHA256 = hashlib.sha256(ARTICLE.read_bytes()).hexdigest()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def idlib(client):
    response = client.get(f"/api/v1/incidents/by-slug/{IDLIB}/")
    assert response.status_code == 200, response.content
    return response.json()


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def ap_report():
    return Report.objects.get(publisher__slug="associated-press")


# Captures


def test_the_ap_reports_captures_show_with_every_claim_denial_and_report(
    api_client, seed, archiving, news_site
):
    report = ap_report()
    first = archive(report, f"{news_site}/ap-idlib.html")
    failed = archive(report, f"{news_site}/to-private")
    moved = archive(report, f"{news_site}/moved")
    assert first.status == moved.status == Capture.Status.ARCHIVED
    assert failed.status == Capture.Status.FAILED
    expected = [
        {
            "sha256": ARTICLE_SHA256,
            "captured_at": iso(first.captured_at),
            "url": f"{news_site}/ap-idlib.html",
            "status": 200,
        },
        {
            # After the redirect: the address the page came from.
            "sha256": ARTICLE_SHA256,
            "captured_at": iso(moved.captured_at),
            "url": f"{news_site}/ap-idlib.html",
            "status": 200,
        },
    ]

    incident = idlib(api_client)
    assert incident["claims"] and incident["denials"]
    for item in incident["claims"] + incident["denials"]:
        assert item["report"]["captures"] == expected
    response = api_client.get(f"/api/v1/reports/{report.pk}/")
    assert response.status_code == 200
    assert response.json()["captures"] == expected
    listed = api_client.get("/api/v1/reports/").json()["results"]
    assert next(r for r in listed if r["id"] == report.pk)["captures"] == expected
    claim = incident["claims"][0]["id"]
    assert api_client.get(f"/api/v1/claims/{claim}/").json()["report"]["captures"] == expected


def test_a_protected_publishers_captures_are_withheld_from_the_public(
    api_client, researcher_api, archiving, news_site
):
    activist = make_source(name="Secret Activist", kind=Source.Kind.INDIVIDUAL, protected=True)
    report = make_report(publisher=activist)
    archive(report, f"{news_site}/ap-idlib.html")
    incident = make_incident()
    make_claim(incident, report=report)

    public = api_client.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert public["claims"][0]["report"]["url"] is None
    assert public["claims"][0]["report"]["captures"] == []
    assert news_site not in json.dumps(public) and ARTICLE_SHA256 not in json.dumps(public)
    staff = researcher_api.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert [c["sha256"] for c in staff["claims"][0]["report"]["captures"]] == [ARTICLE_SHA256]


# Media


def test_the_seed_videos_are_listed_with_aps_verification(api_client, seed):
    [videos] = idlib(api_client)["media"]
    stored = Media.objects.get(incident=seed)
    assert videos == {
        "id": stored.pk,
        "url": None,  # neither uploaded nor linked: AP described them
        "kind": "video",
        "sha256": None,
        "verification": {"status": "verified", "note": stored.verification_note},
        "graphic": True,
    }
    assert "appeared genuine" in videos["verification"]["note"]


def test_an_uploaded_file_has_an_absolute_url_and_its_hash(api_client, seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = Media.objects.create(
        incident=seed,
        kind="photo",
        description="The rubble at dawn.",
        file=SimpleUploadedFile("dawn.png", PNG),
    )
    linked = Media.objects.create(
        incident=seed,
        kind="video",
        description="A video online.",
        url="https://video.example.org/watch/1",
        verification_status="disputed",
        verification_note="The shadows do not match the time given.",
    )
    media = {item["id"]: item for item in idlib(api_client)["media"]}
    assert media[photo.pk]["url"] == f"http://127.0.0.1:8000/evidence/{photo.pk}/file"
    assert media[photo.pk]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert media[linked.pk]["url"] == "https://video.example.org/watch/1"
    assert media[linked.pk]["verification"] == {
        "status": "disputed",
        "note": "The shadows do not match the time given.",
    }
    assert list(media) == sorted(media)
    path = media[photo.pk]["url"].removeprefix("http://127.0.0.1:8000")
    response = api_client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_a_drafts_media_never_reach_the_public(api_client, partner_api, researcher_api, seed):
    draft = make_incident(status=Incident.Status.DRAFT)
    secret = Media.objects.create(
        incident=draft, kind="photo", description="Not yet checked.", url="https://x.example/1"
    )
    for client in (api_client, partner_api):
        for fmt in ("json", "geojson"):
            response = client.get("/api/v1/incidents/", {"format": fmt, "page_size": 200})
            assert response.status_code == 200
            assert "https://x.example/1" not in response.content.decode()
        assert client.get(f"/api/v1/incidents/{draft.pk}/").status_code == 404
    staff = researcher_api.get(f"/api/v1/incidents/{draft.pk}/").json()
    assert [m["id"] for m in staff["media"]] == [secret.pk]


# Identifiers, corrections, withdrawal


def test_identifiers_are_listed_and_filter_the_list(api_client, seed):
    IncidentIdentifier.objects.create(incident=seed, scheme="airwars", value="CS123")
    IncidentIdentifier.objects.create(incident=seed, scheme="acled", value="SYR4411")
    other = make_incident()
    IncidentIdentifier.objects.create(incident=other, scheme="ucdp", value="CS123")
    assert idlib(api_client)["identifiers"] == [
        {"scheme": "acled", "value": "SYR4411"},
        {"scheme": "airwars", "value": "CS123"},
    ]

    def found(value):
        response = api_client.get("/api/v1/incidents/", {"identifier": value})
        assert response.status_code == 200
        return {incident["id"] for incident in response.json()["results"]}

    assert found("airwars:CS123") == {seed.pk}
    assert found("CS123") == {seed.pk, other.pk}
    assert found("acled:CS123") == set()
    assert api_client.get("/api/v1/incidents/count/", {"identifier": "CS123"}).json() == {
        "count": 2
    }


def test_the_identifier_filter_is_in_the_openapi_docs(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    parameters = schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]
    identifier = next(p for p in parameters if p["name"] == "identifier")
    assert "airwars:" in identifier["description"]
    incident = schema["components"]["schemas"]["Incident"]["properties"]
    assert {"media", "identifiers", "corrections", "withdrawn_reason"} <= set(incident)
    claim = schema["components"]["schemas"]["Claim"]["properties"]
    assert "via" in claim
    report = schema["components"]["schemas"]["ReportSummary"]["properties"]
    assert "captures" in report


def test_public_corrections_are_listed_and_private_ones_are_not(api_client, seed):
    shown = Correction.objects.create(incident=seed, reason="The toll was 30, not 23.", version=4)
    Correction.objects.create(
        incident=seed, reason="Removed the activist's village.", public=False, version=5
    )
    assert idlib(api_client)["corrections"] == [
        {"created_at": iso(shown.created_at), "reason": "The toll was 30, not 23.", "version": 4}
    ]


def test_staff_read_why_an_incident_was_withdrawn(api_client, editor_api, researcher_api, seed):
    assert idlib(api_client)["withdrawn_reason"] is None
    response = editor_api.delete(
        f"/api/v1/incidents/{seed.pk}/", {"reason": "The same strike as another incident."}
    )
    assert response.status_code == 204
    assert api_client.get(f"/api/v1/incidents/{seed.pk}/").status_code == 404
    incident = researcher_api.get(f"/api/v1/incidents/{seed.pk}/").json()
    assert incident["status"] == "withdrawn"
    assert incident["withdrawn_reason"] == "The same strike as another incident."


# Intermediaries


def test_claims_list_their_intermediaries_and_mask_protected_ones(api_client, researcher_api, seed):
    incident = idlib(api_client)
    relayed = [c for c in incident["claims"] if c["via"]]
    assert {c["source"]["slug"] for c in relayed} == {
        "syrian-observatory-for-human-rights",
        "local-coordination-committees",
    }
    for claim in relayed:
        assert claim["via"] == [
            {
                "id": Source.objects.get(slug="associated-press").pk,
                "slug": "associated-press",
                "name": "Associated Press",
                "kind": "media",
            }
        ]

    fixer = make_source(name="Hidden Fixer", kind=Source.Kind.INDIVIDUAL, protected=True)
    channel = make_source(name="Local Channel", kind=Source.Kind.MEDIA)
    claim = Claim.objects.get(pk=relayed[0]["id"])
    ClaimVia.objects.filter(claim=claim).delete()
    ClaimVia.objects.create(claim=claim, source=channel, position=2)
    ClaimVia.objects.create(claim=claim, source=fixer, position=1)

    public = api_client.get(f"/api/v1/claims/{claim.pk}/").json()["via"]
    assert public == [
        {"id": None, "slug": None, "name": "Protected source", "kind": "individual"},
        {"id": channel.pk, "slug": channel.slug, "name": "Local Channel", "kind": "media"},
    ]
    assert "Hidden Fixer" not in json.dumps(idlib(api_client))
    staff = researcher_api.get(f"/api/v1/claims/{claim.pk}/").json()["via"]
    assert [(v["name"], v["protected"]) for v in staff] == [
        ("Hidden Fixer", True),
        ("Local Channel", False),
    ]


# Budget and formats


def _with_evidence(incident, report, n):
    Media.objects.create(
        incident=incident,
        kind="photo",
        description="A photo.",
        url=f"https://photos.example.org/{n}",
        verification_status="verified",
        verification_note="Geolocated.",
    )
    IncidentIdentifier.objects.create(incident=incident, scheme="airwars", value=f"CS{n}")
    Correction.objects.create(incident=incident, reason="Figures updated.")
    for claim in incident.claims.all():
        ClaimVia.objects.create(claim=claim, source=report.publisher, position=1)
    incident.claims.update(report=report)
    incident.denials.update(report=report)


def test_evidence_adds_no_query_to_a_page_or_a_detail(
    api_client, archiving, news_site, django_assert_max_num_queries
):
    report = make_report()
    archive(report, f"{news_site}/ap-idlib.html")
    archive(report, f"{news_site}/gone")
    for n in range(200):
        _with_evidence(make_busy_incident(n_claims=2), report, n)
    for size in (1, 200):
        with django_assert_max_num_queries(3):
            response = api_client.get("/api/v1/incidents/", {"page_size": size})
        results = response.json()["results"]
        assert len(results) == size
        for incident in results:
            assert len(incident["media"]) == len(incident["identifiers"]) == 1
            assert len(incident["corrections"]) == 1
            assert [c["status"] for c in incident["claims"][0]["report"]["captures"]] == [200, 404]
            assert incident["claims"][0]["via"][0]["id"] == report.publisher_id
    incident = Incident.objects.order_by("pk").last()
    with django_assert_max_num_queries(3):
        response = api_client.get(f"/api/v1/incidents/{incident.pk}/")
    assert response.json()["media"] and response.json()["identifiers"]
    for fmt in ("csv", "geojson"):
        with django_assert_max_num_queries(3):
            response = api_client.get("/api/v1/incidents/", {"page_size": 200, "format": fmt})
        assert response.status_code == 200
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/reports/", {"page_size": 200})
    assert response.status_code == 200


def test_csv_stays_one_row_per_figure_and_geojson_carries_the_evidence(api_client, seed):
    IncidentIdentifier.objects.create(incident=seed, scheme="airwars", value="CS123")
    response = api_client.get(f"/api/v1/incidents/{seed.pk}/", {"format": "csv"})
    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    header = lines[0].split(",")
    assert "media" not in header and "identifiers" not in header
    figures = sum(max(len(c["figures"]), 1) for c in idlib(api_client)["claims"])
    assert len(lines) - 1 == figures
    feature = api_client.get(f"/api/v1/incidents/{seed.pk}/", {"format": "geojson"}).json()
    assert feature["properties"]["identifiers"] == [{"scheme": "airwars", "value": "CS123"}]
    assert feature["properties"]["media"][0]["kind"] == "video"


# Bundles


def test_bundles_carry_identifiers_and_intermediaries_through_a_round_trip(seed, tmp_path):
    IncidentIdentifier.objects.create(incident=seed, scheme="airwars", value="CS123")
    IncidentIdentifier.objects.create(incident=seed, scheme="acled", value="SYR4411")
    path = tmp_path / "bundle.json"
    call_command("export_incidents", output=str(path))
    first = json.loads(path.read_text())
    exported = next(i for i in first["incidents"] if i["slug"] == IDLIB)
    seed = Incident.objects.prefetch_related("identifiers").get(pk=seed.pk)
    assert exported["identifiers"] == export_identifiers(seed)
    # What stays with this database: files, captured pages, its corrections log.
    assert "media" not in exported and "corrections" not in exported
    assert all("captures" not in c["report"] for c in exported["claims"] if c["report"])

    empty_database()
    call_command("import_incidents", str(path))
    imported = Incident.objects.get(slug=IDLIB)
    assert sorted(imported.identifiers.values_list("scheme", "value")) == [
        ("acled", "SYR4411"),
        ("airwars", "CS123"),
    ]
    relayed = ClaimVia.objects.filter(claim__incident=imported)
    assert {link.source.slug for link in relayed} == {"associated-press"}
    assert relayed.count() == sum(len(c["via"]) for c in exported["claims"]) > 0
    second = json.loads(json.dumps(export_bundle(), default=str))
    assert normalise(second) == normalise(first)
    call_command("import_incidents", str(path))  # again: nothing changes
    assert json.loads(json.dumps(export_bundle(), default=str)) == second


def test_an_imported_identifier_another_incident_carries_is_refused(researcher_api, seed):
    IncidentIdentifier.objects.create(incident=seed, scheme="airwars", value="CS123")
    bundle = {
        "incidents": [
            {
                "title": "Another strike",
                "occurred": {"precision": "unknown"},
                "identifiers": [{"scheme": "airwars", "value": "CS123"}],
            }
        ]
    }
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "incident": 0,
            "field": "identifiers",
            "message": "airwars:CS123: another incident already carries this identifier.",
        }
    ]
    assert not Incident.objects.filter(title="Another strike").exists()
    bundle["incidents"][0]["identifiers"] = [{"scheme": "nowhere", "value": "1"}]
    response = researcher_api.post("/api/v1/import/", bundle, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "identifiers[0].scheme"


def test_a_withdrawn_incident_goes_through_a_bundle_with_its_reason(seed, tmp_path):
    # Withdrawn without the workflow's correction, which would keep the incident in place.
    Incident.objects.filter(pk=seed.pk).update(
        status="withdrawn", withdrawn_reason="A duplicate.", withdrawn_at=timezone.now()
    )
    first = json.loads(json.dumps(export_bundle(), default=str))
    exported = next(i for i in first["incidents"] if i["slug"] == IDLIB)
    assert exported["withdrawn_reason"] == "A duplicate."
    empty_database()
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(first))
    call_command("import_incidents", str(path))
    imported = Incident.objects.get(slug=IDLIB)
    assert (imported.status, imported.withdrawn_reason) == ("withdrawn", "A duplicate.")
    assert normalise(json.loads(json.dumps(export_bundle(), default=str))) == normalise(first)


def test_an_api_write_cannot_create_a_withdrawn_incident_with_its_reason(researcher_api):
    response = researcher_api.post(
        "/api/v1/incidents/",
        {
            "title": "A strike",
            "occurred": {"precision": "unknown"},
            "status": "withdrawn",
            "withdrawn_reason": "Shown on a public page.",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Incident.objects.filter(title="A strike").exists()


def test_a_claim_write_sets_its_intermediaries_and_keeps_them_when_left_out(researcher_api):
    incident = make_incident(status=Incident.Status.DRAFT)
    channel = make_source(name="Local Channel", kind=Source.Kind.MEDIA)
    agency = make_source(name="Wire Agency", kind=Source.Kind.MEDIA)
    body = {
        "incident": incident.pk,
        "kind": "casualties",
        "source": {"slug": "local-monitor", "name": "Local Monitor", "kind": "monitor"},
        "statement": "Nine were killed.",
        "via": [{"slug": channel.slug}, {"id": agency.pk}],
    }
    response = researcher_api.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201, response.json()
    claim = response.json()
    assert [v["name"] for v in claim["via"]] == ["Local Channel", "Wire Agency"]
    response = researcher_api.patch(
        f"/api/v1/claims/{claim['id']}/", {"statement": "Ten were killed."}, format="json"
    )
    assert response.status_code == 200
    assert [v["name"] for v in response.json()["via"]] == ["Local Channel", "Wire Agency"]
    response = researcher_api.patch(
        f"/api/v1/claims/{claim['id']}/",
        {"via": [{"id": agency.pk}, {"slug": agency.slug}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["via"] == ["An intermediary appears once in a claim's chain."]
    response = researcher_api.patch(
        f"/api/v1/claims/{claim['id']}/", {"via": [{"id": agency.pk}]}, format="json"
    )
    assert response.status_code == 200
    assert list(
        ClaimVia.objects.filter(claim_id=claim["id"]).values_list("source_id", "position")
    ) == [(agency.pk, 1)]

"""What a partner does with nothing but the docs and curl, start to finish."""

import csv
import io

import pytest
from django.utils import timezone

from incidents import workflow
from incidents.models import Claim, Incident
from tests.factories import make_claim, make_incident

pytestmark = pytest.mark.django_db


def test_a_partner_finds_downloads_reads_mirrors_and_submits(
    api_client, researcher_api, editor, seed
):
    for n in range(5):  # more contested incidents in Syria, to page through
        incident = make_incident(country="SY", latitude=35 + n / 10, longitude=36.5)
        make_claim(incident, figures=[("killed", 20 + n, 25 + n)])
        make_claim(incident, figures=[("killed", 90, 100)])
    make_incident(country="IQ")
    wanted = {"country": "SY", "contested": "true", "killed_min": 20, "page_size": 2}

    # List, and page through.
    found, url, params = [], "/api/v1/incidents/", wanted
    while url:
        page = api_client.get(url, params).json()
        found += page["results"]
        url, params = page["next"], None
    assert len(found) == 6
    assert all(i["dispute"]["contested"] and i["location"]["country"] == "SY" for i in found)
    count = {k: v for k, v in wanted.items() if k != "page_size"}
    assert api_client.get("/api/v1/incidents/count/", count).json() == {"count": 6}

    # Download as CSV and GeoJSON.
    rows = list(
        csv.DictReader(
            io.StringIO(
                api_client.get(
                    "/api/v1/incidents/", {**wanted, "format": "csv", "page_size": 200}
                ).content.decode()
            )
        )
    )
    assert {row["incident_id"] for row in rows} == {str(i["id"]) for i in found}
    geo = api_client.get(
        "/api/v1/incidents/", {**wanted, "format": "geojson", "page_size": 200}
    ).json()
    assert len(geo["features"]) == 6

    # Read one incident: each source's figures, and the denials beside the attributions.
    idlib = api_client.get(f"/api/v1/incidents/by-slug/{seed.slug}/").json()
    figures = {
        (c["source"]["name"], f["category"]): f["as_said"]
        for c in idlib["claims"]
        for f in c["figures"]
    }
    assert figures[("Syrian Observatory for Human Rights", "killed")] == "at least 23 people"
    assert figures[("Local Coordination Committees", "killed")] == "50 people"
    denials = {d["id"]: d for d in idlib["denials"]}
    attribution = next(c for c in idlib["claims"] if c["kind"] == "attribution")
    assert {denials[d]["source"]["name"] for d in attribution["denied_by"]} == {
        "Russian Defense Ministry",
        "Government of Russia",
    }

    # Mirror incrementally.
    since = timezone.now()
    claim = Claim.objects.filter(incident__pk=found[0]["id"]).first()
    claim.statement = "Revised"
    claim.save()
    withdrawn = Incident.objects.get(pk=found[1]["id"])
    workflow.transition(withdrawn, "withdrawn", editor, "Merged into another incident")
    changed = api_client.get("/api/v1/incidents/", {"updated_since": since.isoformat()}).json()
    assert [i["id"] for i in changed["results"]] == [found[0]["id"]]
    gone = api_client.get("/api/v1/deleted/", {"since": since.isoformat(), "type": "incident"})
    assert [t["id"] for t in gone.json()["results"]] == [found[1]["id"]]

    # Submit a new incident as a bundle, with a researcher's token: it lands as a draft.
    bundle = {
        "incidents": [
            {
                "title": "Airstrike on Saraqib market",
                "status": "published",
                "occurred": {"start": "2016-06-12", "precision": "day"},
                "location": {"name": "Saraqib", "country": "SY", "lat": 35.86, "lon": 36.8},
                "claims": [
                    {
                        "kind": "casualties",
                        "source": {"slug": "syrian-observatory-for-human-rights"},
                        "statement": "At least 11 killed.",
                        "figures": [{"category": "killed", "min": 11, "as_said": "at least 11"}],
                    }
                ],
            }
        ]
    }
    report = researcher_api.post("/api/v1/import/", bundle, format="json").json()
    assert report["incidents"][0]["status"] == "draft"
    new = report["incidents"][0]["id"]
    assert api_client.get(f"/api/v1/incidents/{new}/").status_code == 404
    assert (
        researcher_api.get(f"/api/v1/incidents/{new}/").json()["casualties"]["killed"]["min"] == 11
    )

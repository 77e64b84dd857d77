"""The OpenAPI schema, its docs UI, and the examples it shows."""

import json
import os

import pytest
from django.core.management import call_command

from incidents import api_examples

pytestmark = pytest.mark.django_db

WHEN = "2026-11-30T12:00:00Z"


def stabilise(incident):
    """The seed incident with ids numbered in order of appearance and fixed timestamps."""
    numbers = {}

    def number(kind, pk, start):
        if pk is None:
            return None
        table = numbers.setdefault(kind, {})
        return table.setdefault(pk, start + len(table))

    def source(summary):
        return summary and {**summary, "id": number("source", summary["id"], 1)}

    def report(summary):
        return summary and {
            **summary,
            "id": number("report", summary["id"], 1),
            "publisher_source": source(summary["publisher_source"]),
        }

    incident_id = number("incident", incident["id"], 1)
    for claim in incident["claims"]:
        number("claim", claim["id"], 10)
    for denial in incident["denials"]:
        number("denial", denial["id"], 30)
    return {
        **incident,
        "id": incident_id,
        "created_at": WHEN,
        "updated_at": WHEN,
        "related": [{**r, "id": number("incident", r["id"], 1)} for r in incident["related"]],
        "media": [{**m, "id": number("media", m["id"], 1)} for m in incident["media"]],
        "claims": [
            {
                **c,
                "id": number("claim", c["id"], 10),
                "incident": incident_id,
                "source": source(c["source"]),
                "attributed_to": source(c["attributed_to"]),
                "via": [source(v) for v in c["via"]],
                "report": report(c["report"]),
                "denied_by": [number("denial", d, 30) for d in c["denied_by"]],
                "updated_at": WHEN,
            }
            for c in incident["claims"]
        ],
        "denials": [
            {
                **d,
                "id": number("denial", d["id"], 30),
                "incident": incident_id,
                "source": source(d["source"]),
                "report": report(d["report"]),
                "denies": [number("claim", c, 10) for c in d["denies"]],
                "updated_at": WHEN,
            }
            for d in incident["denials"]
        ],
    }


def test_the_schema_examples_are_the_seed_case_as_the_api_shows_it(api_client, seed):
    live = api_client.get(f"/api/v1/incidents/{seed.pk}/").json()
    expected = stabilise(live)
    if os.environ.get("UPDATE_API_EXAMPLES"):
        text = json.dumps({"incident": expected}, indent=2, ensure_ascii=False)
        api_examples.PATH.write_text(text + "\n", encoding="utf-8")
    assert api_examples.load()["incident"] == expected


def test_the_example_payload_creates_the_seed_incident(researcher_api, seed):
    body = api_examples.as_input(api_examples.load()["incident"])
    body["slug"] = "idlib-copy"
    response = researcher_api.post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 400  # the public example withholds the protected activist
    assert "protected source" in json.dumps(response.json())
    for item in body["claims"]:
        if item["source"]["id"] is None:
            item["source"] = {"slug": "ahmad-ariha"}
    response = researcher_api.post("/api/v1/incidents/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["casualties"] == api_examples.load()["incident"]["casualties"]


def test_the_schema_validates_without_warnings(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    text = path.read_text()
    for name in (
        "/api/v1/incidents/",
        "/api/v1/incidents/by-slug/{slug}/",
        "/api/v1/claims/",
        "/api/v1/denials/",
        "/api/v1/sources/",
        "/api/v1/reports/",
        "/api/v1/deleted/",
        "/api/v1/import/",
        "killed_min",
        "updated_since",
        "bbox",
        "text/csv",
        "application/geo+json",
        "tokenAuth",
    ):
        assert name in text


def test_the_schema_is_served(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "Incident tracker API"
    example = schema["paths"]["/api/v1/incidents/{id}/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["examples"]
    assert "Late-night airstrikes on Idlib city" in json.dumps(example)


def test_the_docs_ui_is_served_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "//cdn" not in page and "unpkg" not in page and "jsdelivr" not in page
    assert "/api/schema/" in page

"""Writes through the API: tokens, permissions, the admin's validation, all or nothing."""

import base64

import pytest

from incidents.models import Claim, Denial, Figure, Incident, Tombstone
from sources.models import Report, Source
from tests.factories import make_claim, make_incident, make_report, make_source

pytestmark = pytest.mark.django_db


def payload(**overrides):
    """A new incident with two competing claims, an attribution and its denial."""
    data = {
        "title": "Shelling of Al-Bab market",
        "summary": "Shells hit the market at noon.",
        "occurred": {"start": "2017-02-01", "precision": "day"},
        "location": {
            "name": "Al-Bab",
            "region": "Aleppo Governorate",
            "country": "SY",
            "lat": 36.37,
            "lon": 37.52,
            "precision": "city",
        },
        "claims": [
            {
                "id": 1,
                "kind": "casualties",
                "source": {"slug": "market-monitor", "name": "Market Monitor", "kind": "monitor"},
                "report": {
                    "url": "https://news.example.org/al-bab",
                    "title": "Market shelled",
                    "publisher_source": {
                        "slug": "example-news",
                        "name": "Example News",
                        "kind": "media",
                    },
                },
                "statement": "At least 12 were killed.",
                "claimed_on": "2017-02-02",
                "figures": [
                    {"category": "killed", "min": 12, "max": None, "as_said": "at least 12"}
                ],
            },
            {
                "id": 2,
                "kind": "attribution",
                "source": {"slug": "market-monitor"},
                "statement": "Government artillery fired the shells.",
                "attributed_to": {
                    "slug": "syrian-army",
                    "name": "Syrian Army",
                    "kind": "armed_force",
                },
            },
        ],
        "denials": [
            {
                "source": {"slug": "syrian-army"},
                "statement": "Our forces did not fire on Al-Bab.",
                "denies": [2],
            }
        ],
    }
    data.update(overrides)
    return data


def test_anonymous_clients_cannot_write(api_client):
    response = api_client.post("/api/v1/incidents/", payload(), format="json")
    assert response.status_code == 401
    assert not Incident.objects.exists()


def test_a_token_without_permissions_cannot_write(partner_api):
    assert partner_api.post("/api/v1/incidents/", payload(), format="json").status_code == 403
    assert not Incident.objects.exists()


def test_basic_authentication_is_not_accepted(api_client, researcher):
    credentials = base64.b64encode(b"researcher:correct horse battery staple").decode()
    api_client.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert api_client.post("/api/v1/incidents/", payload(), format="json").status_code == 401


def test_a_researcher_creates_a_draft_with_claims_figures_and_denials(researcher_api):
    response = researcher_api.post("/api/v1/incidents/", payload(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft"
    assert data["slug"] == "shelling-of-al-bab-market"
    assert data["casualties"]["killed"] == {"min": 12, "max": 12, "sources": 1, "open_ended": True}
    incident = Incident.objects.get()
    attribution = incident.claims.get(kind="attribution")
    denial = incident.denials.get()
    assert list(denial.denies.all()) == [attribution]
    assert attribution.attributed_to.slug == "syrian-army"
    assert data["dispute"]["contested"] is True
    assert Report.objects.get().publisher.slug == "example-news"
    assert Figure.objects.get().as_said == "at least 12"


def test_publishing_needs_an_editors_token(researcher_api, editor_api):
    response = researcher_api.post("/api/v1/incidents/", payload(status="published"), format="json")
    assert response.status_code == 403
    assert "publish" in response.json()["detail"]
    assert not Incident.objects.exists()
    response = editor_api.post("/api/v1/incidents/", payload(status="published"), format="json")
    assert response.status_code == 201
    assert Incident.objects.get().status == "published"


def test_a_claim_whose_figures_fail_is_not_saved_at_all(researcher_api):
    data = payload()
    data["claims"][0]["figures"] = [
        {"category": "killed", "min": 50, "max": 23, "as_said": "23 to 50"}
    ]
    response = researcher_api.post("/api/v1/incidents/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "claims": {"0": {"figures": {"0": {"min": ["The minimum cannot be above the maximum."]}}}}
    }
    assert not Incident.objects.exists()
    assert not Claim.objects.exists()
    assert not Source.objects.exists()  # the sources it named are not left behind
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: (d["claims"][1].pop("attributed_to"), d.update(denials=[])),
            {
                "claims": {
                    "1": {
                        "attributed_to": [
                            "An attribution names the accused party; other kinds of claim do not."
                        ]
                    }
                }
            },
        ),
        (
            lambda d: d["claims"][0]["figures"][0].update(min=-3),
            {"claims": {"0": {"figures": {"0": {"min": ["A count cannot be negative."]}}}}},
        ),
        (lambda d: d["claims"][0]["figures"][0].update(category="goats"), None),
        (
            lambda d: d["location"].update(lat=123),
            {"location": {"lat": ["Latitude must be between -90 and 90."]}},
        ),
        (lambda d: d["location"].update(country="Syria"), None),
        (
            lambda d: d["occurred"].update(end="2017-01-01"),
            {"occurred": {"end": ["The end date cannot be before the start date."]}},
        ),
        (
            lambda d: d["denials"][0].update(denies=[7]),
            {"denials": {"0": {"denies": ["No claim 7 among this incident's claims."]}}},
        ),
        (
            lambda d: d["claims"][0]["figures"].append(dict(d["claims"][0]["figures"][0])),
            {
                "claims": {
                    "0": {
                        "figures": {"1": {"category": ["A claim gives one figure per category."]}}
                    }
                }
            },
        ),
        (lambda d: d["claims"][1].update(source={"slug": "nobody-knows"}), None),
    ],
)
def test_bad_input_answers_400_with_the_admins_words(researcher_api, change, expected):
    data = payload()
    change(data)
    response = researcher_api.post("/api/v1/incidents/", data, format="json")
    assert response.status_code == 400, response.content
    if expected is not None:
        assert response.json() == expected
    assert not Incident.objects.exists()
    assert not Claim.objects.exists()


def test_the_incident_slug_must_be_unique_with_a_message(researcher_api):
    make_incident(slug="taken")
    response = researcher_api.post("/api/v1/incidents/", payload(slug="taken"), format="json")
    assert response.status_code == 400
    assert response.json()["slug"] == ["Incident with this Slug already exists."]


def test_a_title_alone_gets_a_free_slug(researcher_api):
    make_incident(slug="shelling-of-al-bab-market")
    response = researcher_api.post(
        "/api/v1/incidents/",
        {"title": "Shelling of Al-Bab market", "occurred": {"start": "2017-02-01"}},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "shelling-of-al-bab-market-2"


def test_a_researcher_edits_a_draft_but_not_a_published_incident(researcher_api, editor_api):
    created = researcher_api.post("/api/v1/incidents/", payload(), format="json").json()
    url = f"/api/v1/incidents/{created['id']}/"
    response = researcher_api.patch(url, {"summary": "Corrected."}, format="json")
    assert response.status_code == 200
    assert response.json()["summary"] == "Corrected."
    assert len(response.json()["claims"]) == 2  # left out: kept
    assert researcher_api.patch(url, {"status": "published"}, format="json").status_code == 403
    assert editor_api.patch(url, {"status": "published"}, format="json").status_code == 200
    assert researcher_api.patch(url, {"summary": "Again."}, format="json").status_code == 403
    assert Incident.objects.get().summary == "Corrected."


def test_a_put_replaces_the_claims_and_keeps_the_ids_of_those_it_names(researcher_api):
    created = researcher_api.post("/api/v1/incidents/", payload(), format="json").json()
    casualties = created["claims"][0]
    casualties["statement"] = "At least 13 were killed."
    casualties["figures"][0]["min"] = 13
    body = {**payload(), "claims": [casualties], "denials": []}
    response = researcher_api.put(f"/api/v1/incidents/{created['id']}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert [c["id"] for c in response.json()["claims"]] == [casualties["id"]]
    assert response.json()["casualties"]["killed"]["min"] == 13
    assert Claim.objects.count() == 1 and not Denial.objects.exists()


def test_a_patch_checks_the_claims_it_replaces_in_full(researcher_api):
    created = researcher_api.post("/api/v1/incidents/", payload(), format="json").json()
    response = researcher_api.patch(
        f"/api/v1/incidents/{created['id']}/",
        {"claims": [{"statement": "No kind, no source"}]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["claims"]["0"]) == {"kind", "source"}
    assert Claim.objects.count() == 2


def test_only_an_editor_withdraws_and_a_withdrawal_leaves_a_tombstone(
    researcher_api, editor_api, api_client
):
    incident = make_incident()
    claim = make_claim(incident)
    url = f"/api/v1/incidents/{incident.pk}/"
    refused = researcher_api.delete(url, {"reason": "Duplicate"}, format="json")
    assert refused.status_code == 403
    assert "editor" in refused.json()["detail"]
    no_reason = editor_api.delete(url)
    assert no_reason.status_code == 400
    assert "withdrawn_reason" in no_reason.json()
    assert Incident.objects.get().status == "published"
    assert editor_api.delete(url + "?reason=Duplicate+of+another+incident").status_code == 204
    incident.refresh_from_db()
    assert (incident.status, incident.withdrawn_reason) == (
        "withdrawn",
        "Duplicate of another incident",
    )
    assert set(Tombstone.objects.values_list("object_type", "object_id", "reason")) == {
        ("incident", incident.pk, "withdrawn"),
        ("claim", claim.pk, "withdrawn"),
    }
    assert api_client.get(url).status_code == 404


def test_a_draft_is_deleted_outright_and_leaves_no_tombstone(editor_api):
    draft = make_incident(status="draft")
    make_claim(draft)
    assert editor_api.delete(f"/api/v1/incidents/{draft.pk}/").status_code == 204
    assert not Incident.objects.exists() and not Tombstone.objects.exists()


def test_deleting_a_published_claim_withdraws_it_with_the_reason(
    researcher_api, editor_api, api_client
):
    incident = make_incident()
    kept, gone = make_claim(incident), make_claim(incident)
    url = f"/api/v1/claims/{gone.pk}/"
    refused = researcher_api.delete(url, {"reason": "Misread"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only editors can change a published incident."
    assert editor_api.delete(url).status_code == 400
    assert editor_api.delete(url, {"reason": "Misread"}, format="json").status_code == 204
    gone.refresh_from_db()
    assert gone.withdrawn_reason == "Misread" and gone.withdrawn_at is not None
    assert set(Tombstone.objects.values_list("object_type", "object_id", "reason")) == {
        ("claim", gone.pk, "withdrawn")
    }
    assert incident.corrections.filter(reason__contains="Misread").exists()
    shown = api_client.get(f"/api/v1/incidents/{incident.pk}/").json()["claims"]
    assert [c["id"] for c in shown] == [kept.pk]
    assert api_client.get(url).status_code == 404


# Flat claims and denials


def test_a_claim_is_added_to_a_draft_and_refused_on_a_published_incident(researcher_api):
    draft = make_incident(status="draft")
    source = make_source(slug="lcc")
    body = {
        "incident": draft.pk,
        "kind": "casualties",
        "source": {"slug": "lcc"},
        "statement": "50 were killed",
        "figures": [{"category": "killed", "min": 50, "max": 50, "as_said": "50"}],
    }
    response = researcher_api.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["source"]["id"] == source.pk
    assert response.json()["figures"][0]["min"] == 50
    published = make_incident()
    body["incident"] = published.pk
    assert researcher_api.post("/api/v1/claims/", body, format="json").status_code == 403
    assert Claim.objects.count() == 1


def test_a_flat_claim_with_a_bad_figure_is_not_saved(researcher_api):
    draft = make_incident(status="draft")
    make_source(slug="lcc")
    body = {
        "incident": draft.pk,
        "kind": "casualties",
        "source": {"slug": "lcc"},
        "statement": "x",
        "figures": [{"category": "killed", "min": 9, "max": 3, "as_said": "3 to 9"}],
    }
    response = researcher_api.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "figures": {"0": {"min": ["The minimum cannot be above the maximum."]}}
    }
    assert not Claim.objects.exists()


def test_a_claim_patch_changes_only_what_it_names(researcher_api):
    draft = make_incident(status="draft")
    claim = make_claim(draft, figures=[("killed", 3, 3)])
    response = researcher_api.patch(
        f"/api/v1/claims/{claim.pk}/", {"statement": "Three."}, format="json"
    )
    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert claim.statement == "Three."
    assert claim.figures.count() == 1


def test_a_denial_of_another_incidents_claim_is_refused_with_the_admins_words(researcher_api):
    draft, other = make_incident(status="draft"), make_incident(status="draft")
    foreign = make_claim(other)
    make_source(slug="ministry")
    body = {
        "incident": draft.pk,
        "source": {"slug": "ministry"},
        "statement": "Untrue.",
        "denies": [foreign.pk],
    }
    response = researcher_api.post("/api/v1/denials/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "denies": [
            f"A denial can only answer claims about the same incident (claim #{foreign.pk})."
        ]
    }
    assert not Denial.objects.exists()
    own = make_claim(draft)
    body["denies"] = [own.pk]
    response = researcher_api.post("/api/v1/denials/", body, format="json")
    assert response.status_code == 201
    assert response.json()["denies"] == [own.pk]


# Sources and reports


def test_sources_are_created_with_the_models_rules(researcher_api):
    response = researcher_api.post(
        "/api/v1/sources/", {"name": "Airwars", "kind": "monitor"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "airwars"
    response = researcher_api.post(
        "/api/v1/sources/", {"name": "Airwars", "kind": "monitor", "slug": "airwars"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["slug"] == ["Source with this Slug already exists."]
    response = researcher_api.post(
        "/api/v1/sources/", {"name": "X", "kind": "wizard"}, format="json"
    )
    assert response.status_code == 400 and "kind" in response.json()


def test_reports_refuse_a_malformed_hash_with_the_constraints_words(researcher_api):
    make_source(slug="ap", kind="media")
    body = {"title": "Report", "publisher": "ap", "content_sha256": "XYZ"}
    response = researcher_api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The SHA-256 must be 64 lowercase hexadecimal characters."]
    }
    body["content_sha256"] = "a" * 64
    assert researcher_api.post("/api/v1/reports/", body, format="json").status_code == 201


def test_a_source_still_in_use_is_not_deleted(editor_api):
    source = make_source()
    make_claim(make_incident(), source=source)
    response = editor_api.delete(f"/api/v1/sources/{source.pk}/")
    assert response.status_code == 409
    assert Source.objects.filter(pk=source.pk).exists()
    unused = make_report()
    assert editor_api.delete(f"/api/v1/reports/{unused.pk}/").status_code == 204

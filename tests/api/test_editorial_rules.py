"""The API follows the editorial workflow (incidents.workflow): roles, reasons, versions."""

import pytest
from django.contrib.auth.models import Group

from incidents.models import Correction, Incident
from tests.api.test_writes import payload
from tests.factories import make_claim, make_incident, make_source

pytestmark = pytest.mark.django_db


def url(incident):
    return f"/api/v1/incidents/{incident.pk if hasattr(incident, 'pk') else incident}/"


def test_a_researcher_writes_drafts_and_submits_them_but_never_publishes(researcher_api):
    created = researcher_api.post("/api/v1/incidents/", payload(), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    edited = researcher_api.patch(url(pk), {"summary": "Shells hit at noon."}, format="json")
    assert edited.status_code == 200, edited.json()
    assert Incident.objects.get(pk=pk).summary == "Shells hit at noon."
    refused = researcher_api.patch(url(pk), {"status": "published"}, format="json")
    assert refused.status_code == 403
    assert "ask an editor" in refused.json()["detail"]
    submitted = researcher_api.patch(url(pk), {"status": "in_review"}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert Incident.objects.get(pk=pk).status == "in_review"
    assert not Correction.objects.exists()  # drafts are not corrected, just edited


def test_a_researcher_cannot_change_published_material(researcher_api):
    incident = make_incident()
    claim = make_claim(incident)
    response = researcher_api.patch(
        url(incident), {"summary": "New", "change_reason": "Typo"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only editors can change a published incident."
    response = researcher_api.patch(
        f"/api/v1/claims/{claim.pk}/", {"statement": "Other", "change_reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert Incident.objects.get().summary == "" and claim.statement == "A statement."


def test_an_editor_publishes_a_draft_and_corrects_it_with_a_reason(editor_api, api_client):
    pk = editor_api.post("/api/v1/incidents/", payload(), format="json").json()["id"]
    published = editor_api.patch(url(pk), {"status": "published"}, format="json")
    assert published.status_code == 200, published.json()
    assert api_client.get(url(pk)).status_code == 200
    no_reason = editor_api.patch(url(pk), {"summary": "Shells hit at 1pm."}, format="json")
    assert no_reason.status_code == 400
    assert "change_reason" in no_reason.json()
    assert Incident.objects.get(pk=pk).summary == "Shells hit the market at noon."
    corrected = editor_api.patch(
        url(pk),
        {"summary": "Shells hit at 1pm.", "change_reason": "The hour was wrong."},
        format="json",
    )
    assert corrected.status_code == 200, corrected.json()
    assert Incident.objects.get(pk=pk).summary == "Shells hit at 1pm."
    assert list(Correction.objects.values_list("reason", flat=True)) == ["The hour was wrong."]


def test_an_editor_corrects_a_published_claim_with_a_reason(editor_api):
    incident = make_incident()
    claim = make_claim(incident)
    claim_url = f"/api/v1/claims/{claim.pk}/"
    assert editor_api.patch(claim_url, {"statement": "Fixed"}, format="json").status_code == 400
    response = editor_api.patch(
        claim_url, {"statement": "Fixed", "change_reason": "Misquoted"}, format="json"
    )
    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert claim.statement == "Fixed"
    assert incident.corrections.get().reason == "Misquoted"


def test_an_editor_withdraws_by_status_with_a_public_reason(editor_api, api_client):
    incident = make_incident()
    response = editor_api.patch(
        url(incident),
        {"status": "withdrawn", "change_reason": "Duplicate", "withdrawn_reason": "A duplicate"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert (incident.status, incident.withdrawn_reason) == ("withdrawn", "A duplicate")
    assert api_client.get(url(incident)).status_code == 404


def test_incidents_show_their_version_and_an_etag(api_client):
    incident = make_incident()
    response = api_client.get(url(incident))
    version = response.json()["version"]
    assert response["ETag"].startswith(f'"v{version}-')
    make_claim(incident)  # a nested change is a new version of the incident
    again = api_client.get(url(incident))
    assert again.json()["version"] > version and again["ETag"] != response["ETag"]


def test_a_stale_if_match_answers_412_and_says_what_changed(editor_api):
    incident = make_incident()
    etag = editor_api.get(url(incident))["ETag"]
    first = editor_api.patch(
        url(incident), {"summary": "First", "change_reason": "Added"}, format="json"
    )
    assert first.status_code == 200
    stale = editor_api.patch(
        url(incident),
        {"summary": "Second", "change_reason": "Also"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    body = stale.json()
    assert body["current_version"] > body["expected_version"]
    assert any(c["changes"].get("summary") for c in body["changes"]), body
    assert Incident.objects.get().summary == "First"
    fresh = editor_api.patch(
        url(incident),
        {"summary": "Second", "change_reason": "Also"},
        format="json",
        HTTP_IF_MATCH=first["ETag"],
    )
    assert fresh.status_code == 200, fresh.json()


def test_a_stale_version_field_answers_409(researcher_api):
    draft = make_incident(status="draft")
    version = researcher_api.get(url(draft)).json()["version"]
    assert (
        researcher_api.patch(url(draft), {"summary": "One", "version": version}, format="json")
    ).status_code == 200
    stale = researcher_api.patch(url(draft), {"summary": "Two", "version": version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["expected_version"] == version
    assert "Someone else changed this incident" in stale.json()["detail"]
    assert Incident.objects.get().summary == "One"


def test_what_changed_never_names_a_protected_source_to_non_staff(django_user_model, editor_api):
    from rest_framework.test import APIClient

    from accounts.models import ApiToken

    outsider = django_user_model.objects.create_user(username="desk", is_staff=False)
    outsider.groups.add(Group.objects.get(name="Editor"))
    _, key = ApiToken.issue(outsider, "desk script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    incident = make_incident()
    protected = make_source(name="Ahmad the Witness", protected=True, kind="individual")
    version = client.get(url(incident)).json()["version"]
    changed = editor_api.patch(
        url(incident),
        {
            "claims": [{"kind": "event", "source": {"id": protected.pk}, "statement": "I saw it."}],
            "change_reason": "A witness account",
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    stale = {"summary": "x", "version": version, "change_reason": "y"}
    staff = editor_api.patch(url(incident), stale, format="json")
    assert staff.status_code == 409
    assert "Ahmad the Witness" in str(staff.json())  # staff see who
    masked = client.patch(url(incident), stale, format="json")
    assert masked.status_code == 409
    assert "Ahmad the Witness" not in masked.content.decode()
    assert "Protected source" in masked.content.decode()

"""Roles and the editorial workflow, through the admin and the functions the API calls."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import workflow
from incidents.models import Claim, Correction, Incident
from tests.admin_forms import form_data, incident_form
from tests.factories import make_claim, make_incident, make_source

pytestmark = pytest.mark.django_db

Status = Incident.Status


@pytest.fixture
def unpublished_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(workflow, "on_unpublished", lambda obj, reason: calls.append((obj, reason)))
    return calls


def change_url(incident):
    return f"/admin/incidents/incident/{incident.pk}/change/"


def test_the_roles_exist_with_the_permissions_of_their_work(researcher, editor):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Researcher",
        "Editor",
        "Administrator",
    }
    assert researcher.has_perm("incidents.change_incident")
    assert not workflow.can_publish(researcher)
    assert not workflow.can_review(researcher)
    assert not workflow.can_set_assessment(researcher)
    assert not researcher.has_perm("incidents.delete_incident")
    assert workflow.can_publish(editor)
    assert workflow.can_review(editor)
    assert workflow.can_set_assessment(editor)
    administrator = Group.objects.get(name="Administrator")
    assert administrator.permissions.filter(codename="publish_incident").exists()
    assert administrator.permissions.filter(codename="change_user").exists()


def test_a_researcher_is_offered_only_draft_and_review_for_a_new_incident(researcher_client):
    response = researcher_client.get("/admin/incidents/incident/add/")
    assert response.status_code == 200
    choices = [value for value, _ in response.context["adminform"].form.fields["status"].choices]
    assert choices == ["draft", "in_review"]


def test_a_researcher_cannot_create_a_published_incident(researcher_client):
    response = researcher_client.post(
        "/admin/incidents/incident/add/",
        {
            "title": "Shelling of a market",
            "slug": "shelling-of-a-market",
            "status": "published",
            "occurred_start": "2016-05-30",
            "occurred_precision": "day",
            "claims-TOTAL_FORMS": 0,
            "claims-INITIAL_FORMS": 0,
            "denials-TOTAL_FORMS": 0,
            "denials-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_researcher_submits_a_draft_for_review(researcher_client):
    incident = make_incident(status=Status.DRAFT)
    data = incident_form(researcher_client, incident) | {"status": "in_review"}
    response = researcher_client.post(change_url(incident), data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.IN_REVIEW


def test_a_researcher_cannot_publish_by_changing_the_status(researcher_client):
    incident = make_incident(status=Status.IN_REVIEW)
    data = incident_form(researcher_client, incident)
    assert "published" not in str(
        researcher_client.get(change_url(incident)).context["adminform"].form.fields["status"]
    )
    response = researcher_client.post(change_url(incident), data | {"status": "published"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.IN_REVIEW


def test_a_researcher_cannot_publish_with_the_list_action(researcher_client):
    incident = make_incident(status=Status.IN_REVIEW)
    page = researcher_client.get("/admin/incidents/incident/")
    assert 'value="publish"' not in page.content.decode()
    researcher_client.post(
        "/admin/incidents/incident/", {"action": "publish", "_selected_action": [incident.pk]}
    )
    incident.refresh_from_db()
    assert incident.status == Status.IN_REVIEW


def test_a_researcher_cannot_publish_with_the_change_form_action(researcher_client):
    incident = make_incident(status=Status.DRAFT)
    response = researcher_client.post(
        change_url(incident),
        {"CHANGE_FORM-action": "publish", "_selected_action": [incident.pk]},
    )
    assert response.status_code in (200, 302)
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT


def test_a_researcher_cannot_publish_through_list_editing(researcher_client):
    incident = make_incident(status=Status.DRAFT)
    researcher_client.post(
        "/admin/incidents/incident/",
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": incident.pk,
            "form-0-status": "published",
            "_save": "Save",
        },
    )
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT


def test_a_researcher_sees_a_published_incident_but_cannot_change_it(researcher_client):
    incident = make_incident(status=Status.PUBLISHED, title="As published")
    page = researcher_client.get(change_url(incident))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = researcher_client.post(
        change_url(incident),
        {"title": "Changed", "status": "published", "slug": incident.slug},
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.title == "As published"


def test_a_researcher_cannot_change_or_add_claims_of_a_published_incident(researcher_client):
    incident = make_incident(status=Status.PUBLISHED)
    claim = make_claim(incident, statement="As published.")
    response = researcher_client.post(
        f"/admin/incidents/claim/{claim.pk}/change/",
        {
            "incident": incident.pk,
            "kind": "other",
            "source": claim.source_id,
            "statement": "Changed.",
            "figures-TOTAL_FORMS": 0,
            "figures-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 403
    response = researcher_client.post(
        "/admin/incidents/claim/add/",
        {
            "incident": incident.pk,
            "kind": "other",
            "source": make_source().pk,
            "statement": "A new claim.",
            "figures-TOTAL_FORMS": 0,
            "figures-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Only editors can change a published incident." in response.content.decode()
    assert list(Claim.objects.values_list("statement", flat=True)) == ["As published."]


def test_the_assessment_is_set_by_editors_only(researcher_client, client, editor):
    incident = make_incident(status=Status.DRAFT)
    data = incident_form(researcher_client, incident)
    assert "assessment" not in data
    researcher_client.post(change_url(incident), data | {"assessment": "confirmed"})
    incident.refresh_from_db()
    assert incident.assessment == ""

    client.force_login(editor)
    data = incident_form(client, incident)
    response = client.post(change_url(incident), data | {"assessment": "confirmed"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.assessment == "confirmed"


def test_an_editor_publishes_with_the_list_action(editor_client):
    drafts = [make_incident(status=Status.IN_REVIEW) for _ in range(2)]
    response = editor_client.post(
        "/admin/incidents/incident/",
        {"action": "publish", "_selected_action": [i.pk for i in drafts]},
    )
    assert response.status_code == 302
    assert set(Incident.objects.values_list("status", flat=True)) == {"published"}


def test_an_editor_returns_an_incident_in_review_to_draft(editor_client):
    incident = make_incident(status=Status.IN_REVIEW)
    data = incident_form(editor_client, incident) | {"status": "draft"}
    assert editor_client.post(change_url(incident), data).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT


def test_withdrawing_needs_a_public_reason(editor_client, unpublished_calls):
    incident = make_incident(status=Status.PUBLISHED)
    data = incident_form(editor_client, incident) | {
        "status": "withdrawn",
        "change_reason": "Duplicate of another incident.",
    }
    response = editor_client.post(change_url(incident), data)
    assert response.status_code == 200
    assert "Say publicly why the incident is withdrawn." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED

    data["withdrawn_reason"] = "It duplicates the incident of 30 May in Idlib."
    response = editor_client.post(change_url(incident), data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.WITHDRAWN
    assert incident.withdrawn_at is not None
    assert incident.withdrawn_reason == "It duplicates the incident of 30 May in Idlib."
    assert [c.reason for c in incident.corrections.all()] == [
        "Withdrawn: Duplicate of another incident."
    ]
    assert unpublished_calls == [(incident, "Duplicate of another incident.")]


def test_changing_a_published_incident_needs_a_reason_which_is_logged(editor_client, editor):
    incident = make_incident(status=Status.PUBLISHED, title="Strike on a market")
    data = incident_form(editor_client, incident) | {"title": "Strike on a bakery"}
    response = editor_client.post(change_url(incident), data)
    assert response.status_code == 200
    assert workflow.MESSAGES["reason_required"] in response.content.decode()
    incident.refresh_from_db()
    assert incident.title == "Strike on a market"

    data |= {"change_reason": "The AP report says a bakery, not a market."}
    assert editor_client.post(change_url(incident), data).status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Strike on a bakery"
    correction = incident.corrections.get()
    assert correction.reason == "The AP report says a bakery, not a market."
    assert correction.author == editor
    assert correction.public
    assert correction.version == incident.version
    assert list(Correction.objects.public()) == [correction]


def test_corrections_are_listed_oldest_first(editor):
    incident = make_incident(status=Status.PUBLISHED)
    for text in ("First fix", "Second fix", "Third fix"):
        incident.summary = text
        workflow.save_if_current(incident, incident.version, editor, text)
    assert [c.reason for c in incident.corrections.all()] == [
        "First fix",
        "Second fix",
        "Third fix",
    ]


def test_a_private_correction_is_kept_out_of_the_public_log(editor_client):
    incident = make_incident(status=Status.PUBLISHED)
    data = incident_form(editor_client, incident)
    data.pop("reason_public", None)
    data |= {"summary": "Details withheld.", "change_reason": "Removed identifying details."}
    assert editor_client.post(change_url(incident), data).status_code == 302
    assert incident.corrections.get().public is False
    assert not incident.corrections.public().exists()


def test_transition_refuses_what_a_role_may_not_do(researcher, editor, unpublished_calls):
    incident = make_incident(status=Status.DRAFT)
    with pytest.raises(PermissionDenied):
        workflow.transition(incident, Status.PUBLISHED, researcher)
    with pytest.raises(ValidationError):
        workflow.transition(incident, Status.WITHDRAWN, editor, "Not yet public.")
    workflow.transition(incident, Status.IN_REVIEW, researcher)
    workflow.transition(incident, Status.PUBLISHED, editor)
    with pytest.raises(ValidationError) as error:
        workflow.transition(incident, Status.DRAFT, editor)
    assert error.value.message_dict["reason"] == [workflow.MESSAGES["reason_required"]]
    workflow.transition(incident, Status.DRAFT, editor, "Needs another source.")
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT
    assert unpublished_calls == [(incident, "Needs another source.")]
    assert incident.corrections.get().reason == "Unpublished: Needs another source."


def test_withdrawn_is_the_end_of_the_road(editor):
    incident = make_incident(status=Status.PUBLISHED)
    workflow.transition(incident, Status.WITHDRAWN, editor, "Fabricated report.")
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED):
        with pytest.raises(ValidationError):
            workflow.transition(incident, status, editor, "Back again.")
    assert Incident.objects.get().withdrawn_reason == "Fabricated report."


def test_the_database_requires_a_reason_for_a_withdrawn_incident():
    from django.db import IntegrityError, transaction

    incident = make_incident(status=Status.PUBLISHED)
    with (
        pytest.raises(IntegrityError, match="incident_withdrawal_has_reason"),
        transaction.atomic(),
    ):
        Incident.objects.filter(pk=incident.pk).update(status=Status.WITHDRAWN)


def test_the_change_form_shows_the_reason_field_only_for_published_incidents(editor_client):
    draft = make_incident(status=Status.DRAFT)
    published = make_incident(status=Status.PUBLISHED)
    assert "change_reason" not in incident_form(editor_client, draft)
    assert "change_reason" in incident_form(editor_client, published)
    page = editor_client.get(change_url(published))
    assert "Reason for this change" in page.content.decode()
    assert form_data(page, "incident_form")["expected_version"] == str(published.version)


def test_an_editor_publishes_from_the_change_form_action(editor_client):
    incident = make_incident(status=Status.IN_REVIEW)
    response = editor_client.post(
        change_url(incident),
        {"CHANGE_FORM-action": "publish", "_selected_action": [incident.pk]},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED


def test_an_editor_corrects_a_claim_of_a_published_incident_with_a_reason(editor_client):
    incident = make_incident(status=Status.PUBLISHED)
    claim = make_claim(incident, kind=Claim.Kind.OTHER, statement="As publshed.")
    data = {
        "incident": incident.pk,
        "kind": "other",
        "source": claim.source_id,
        "statement": "As published.",
        "figures-TOTAL_FORMS": 0,
        "figures-INITIAL_FORMS": 0,
        "via_links-TOTAL_FORMS": 0,
        "via_links-INITIAL_FORMS": 0,
        "media-TOTAL_FORMS": 0,
        "media-INITIAL_FORMS": 0,
    }
    url = f"/admin/incidents/claim/{claim.pk}/change/"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert workflow.MESSAGES["reason_required"] in response.content.decode()
    response = editor_client.post(url, data | {"change_reason": "Fixed a typo in the quote."})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.statement == "As published."
    assert incident.corrections.get().reason == "Fixed a typo in the quote."

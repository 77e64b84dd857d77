"""No hard deletes of published material: it is withdrawn, and the database refuses a delete."""

import pytest
from django.db import IntegrityError, connection, transaction

from incidents import workflow
from incidents.filters import IncidentFilter
from incidents.models import KEEP_PUBLISHED, Claim, Correction, Denial, Figure, Incident
from tests.admin_forms import incident_form
from tests.factories import make_busy_incident, make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db

Status = Incident.Status


@pytest.fixture
def unpublished_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(workflow, "on_unpublished", lambda obj, reason: calls.append((obj, reason)))
    return calls


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_deleting_a_published_incident_in_the_admin_withdraws_it(editor_client, unpublished_calls):
    incident = make_incident(status=Status.PUBLISHED)
    response = editor_client.get(f"/admin/incidents/incident/{incident.pk}/delete/")
    assert response.status_code == 302
    assert response.url == f"/admin/incidents/incident/{incident.pk}/withdraw/"
    page = editor_client.get(response.url)
    assert "Public reason for the withdrawal" in page.content.decode()

    assert editor_client.post(response.url, {"reason": ""}).status_code == 200
    assert Incident.objects.get().status == Status.PUBLISHED
    response = editor_client.post(response.url, {"reason": "The event never happened."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.WITHDRAWN
    assert incident.withdrawn_reason == "The event never happened."
    assert unpublished_calls == [(incident, "The event never happened.")]


def test_a_researcher_cannot_withdraw(researcher_client):
    incident = make_incident(status=Status.PUBLISHED)
    url = f"/admin/incidents/incident/{incident.pk}/withdraw/"
    assert researcher_client.post(url, {"reason": "No."}).status_code == 403
    assert Incident.objects.get().status == Status.PUBLISHED


def test_the_delete_action_refuses_published_incidents(editor_client):
    published, draft = make_incident(status=Status.PUBLISHED), make_incident(status=Status.DRAFT)
    response = editor_client.post(
        "/admin/incidents/incident/",
        {"action": "delete_selected", "_selected_action": [published.pk, draft.pk], "post": "yes"},
        follow=True,
    )
    assert "Published incidents are withdrawn, not deleted" in response.content.decode()
    assert Incident.objects.count() == 2


def test_an_editor_can_still_delete_a_draft(editor_client):
    draft = make_incident(status=Status.DRAFT)
    make_claim(draft)
    response = editor_client.post(
        "/admin/incidents/incident/",
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Incident.objects.exists()


def test_the_withdraw_action_withdraws_published_incidents_with_one_reason(editor_client):
    incidents = [make_incident(status=Status.PUBLISHED) for _ in range(2)]
    ids = [i.pk for i in incidents]
    page = editor_client.post(
        "/admin/incidents/incident/", {"action": "withdraw", "_selected_action": ids}
    )
    assert page.status_code == 200
    assert "Public reason for the withdrawal" in page.content.decode()
    response = editor_client.post(
        "/admin/incidents/incident/",
        {"action": "withdraw", "_selected_action": ids, "apply": "1", "reason": "Duplicates."},
    )
    assert response.status_code == 302
    assert set(Incident.objects.values_list("status", "withdrawn_reason")) == {
        ("withdrawn", "Duplicates.")
    }


@pytest.mark.parametrize("what", ["incident", "claim", "denial"])
def test_the_database_refuses_a_raw_delete_of_published_material(what):
    incident = make_busy_incident(n_claims=1)
    table = {"incident": "incidents_incident"}.get(what, f"incidents_{what}")
    column = "id" if what == "incident" else "incident_id"
    with (
        pytest.raises(IntegrityError, match=KEEP_PUBLISHED[what]),
        transaction.atomic(),
    ):
        raw(f"DELETE FROM {table} WHERE {column} = %s", [incident.pk])
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert Claim.objects.filter(incident=incident).count() == 2
    assert Denial.objects.filter(incident=incident).count() == 1


def test_the_database_allows_deleting_a_draft():
    incident = make_busy_incident(n_claims=1)
    Incident.objects.filter(pk=incident.pk).update(status=Status.DRAFT)
    Incident.objects.get(pk=incident.pk).delete()
    assert not Claim.objects.exists()


def test_deleting_a_claim_of_a_published_incident_inline_withdraws_it(editor_client, editor):
    incident = make_incident(status=Status.PUBLISHED)
    kept = make_claim(incident, figures=[("killed", 10, 10)], statement="Ten killed.")
    wrong = make_claim(incident, figures=[("killed", 500, 500)], statement="Five hundred killed.")
    data = incident_form(editor_client, incident)
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("claims-") and key.endswith("-id") and value == str(wrong.pk)
    )
    data |= {f"claims-{index}-DELETE": "on", "change_reason": "The 500 figure was a typo."}
    response = editor_client.post(f"/admin/incidents/incident/{incident.pk}/change/", data)
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert wrong.withdrawn_at is not None
    assert wrong.withdrawn_reason == "The 500 figure was a typo."
    assert Figure.objects.filter(claim=wrong).exists()
    loaded = Incident.objects.with_claims().get(pk=incident.pk)
    assert [c.pk for c in loaded.claims.all()] == [kept.pk]
    assert loaded.casualty_ranges()["killed"].as_dict()["max"] == 10
    reasons = [c.reason for c in Correction.objects.filter(incident=incident)]
    assert any("withdrawn: The 500 figure was a typo." in r for r in reasons)


def test_deleting_a_denial_of_a_published_incident_inline_withdraws_it(editor_client):
    incident = make_incident(status=Status.PUBLISHED)
    accused = make_source()
    attribution = make_claim(
        incident, kind=Claim.Kind.ATTRIBUTION, attributed_to=accused, statement="They did it."
    )
    denial = make_denial(incident, source=accused, denies=[attribution])
    assert Incident.objects.with_claims().get(pk=incident.pk).dispute().contested
    data = incident_form(editor_client, incident) | {
        "denials-0-DELETE": "on",
        "change_reason": "The denial was about another day.",
    }
    assert data["denials-0-id"] == str(denial.pk)
    response = editor_client.post(f"/admin/incidents/incident/{incident.pk}/change/", data)
    assert response.status_code == 302
    denial.refresh_from_db()
    assert denial.withdrawn_at is not None
    loaded = Incident.objects.with_claims().get(pk=incident.pk)
    assert not loaded.dispute().contested
    assert not loaded.claim_entries()[0][1]


def test_the_claim_admin_withdraws_instead_of_deleting(editor_client):
    incident = make_incident(status=Status.PUBLISHED)
    claim = make_claim(incident)
    response = editor_client.get(f"/admin/incidents/claim/{claim.pk}/delete/")
    assert response.url == f"/admin/incidents/claim/{claim.pk}/withdraw/"
    response = editor_client.post(response.url, {"reason": "Retracted by the source."})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.withdrawn_reason == "Retracted by the source."


def test_a_claim_of_a_draft_is_still_deleted(editor_client):
    incident = make_incident(status=Status.DRAFT)
    claim = make_claim(incident)
    response = editor_client.post(f"/admin/incidents/claim/{claim.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Claim.objects.exists()


def test_withdrawn_claims_and_denials_no_longer_count_anywhere(django_assert_max_num_queries):
    incidents = [make_busy_incident(n_claims=3) for _ in range(20)]
    for incident in incidents:
        attribution = incident.claims.get(kind=Claim.Kind.ATTRIBUTION)
        attribution.withdrawn_at = incident.created_at
        attribution.withdrawn_reason = "Retracted."
        attribution.save()
        Claim.objects.filter(incident=incident, kind="casualties").exclude(
            pk=incident.claims.filter(kind="casualties").first().pk
        ).update(withdrawn_at=incident.created_at, withdrawn_reason="Retracted.")
    with django_assert_max_num_queries(6):
        loaded = list(Incident.objects.with_claims())
        for incident in loaded:
            assert len(incident.claims.all()) == 1
            assert len(incident.denials.all()) == 1
            assert not incident.dispute().contested
            assert incident.casualty_ranges()["killed"].sources == 1
    assert not IncidentFilter({"contested": "true"}, Incident.objects.all()).qs.exists()
    assert not IncidentFilter({"kind": "attribution"}, Incident.objects.all()).qs.exists()
    unloaded = Incident.objects.get(pk=incidents[0].pk)
    assert not unloaded.dispute().contested
    assert len(unloaded.claim_entries()) == 1


def test_a_withdrawal_needs_a_reason_in_the_database():
    claim = make_claim(make_incident())
    with pytest.raises(IntegrityError, match="claim_withdrawal_has_reason"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(withdrawn_at=claim.incident.created_at)

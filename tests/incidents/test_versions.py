"""No lost edits: a save made from a stale copy is refused and told what changed."""

import pytest
from django.db import connection
from django.test import Client

from incidents import workflow
from incidents.models import Claim, Figure, Incident
from tests.admin_forms import incident_form
from tests.factories import make_claim, make_denial, make_incident

pytestmark = pytest.mark.django_db

Status = Incident.Status


def version(incident):
    return Incident.objects.values_list("version", flat=True).get(pk=incident.pk)


def test_the_version_goes_up_with_every_change_to_the_incident_or_its_parts():
    incident = make_incident(status=Status.DRAFT)
    assert incident.version == 1
    incident.summary = "More detail."
    incident.save()
    assert incident.version == version(incident) == 2  # read back by the save itself
    incident.save(update_fields=["summary"])
    assert incident.version == version(incident) == 3

    claim = make_claim(incident, figures=[("killed", 3, 3)])
    after_claim = version(incident)
    assert after_claim > 3
    Figure.objects.filter(claim=claim).update(max_count=4)
    assert version(incident) == after_claim + 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_claim SET statement = 'Edited' WHERE id = %s", [claim.pk])
    assert version(incident) == after_claim + 2
    make_denial(incident, denies=[claim])
    after_denial = version(incident)
    assert after_denial > after_claim + 2
    Incident.objects.filter(pk=incident.pk).update(title="Renamed in bulk")
    assert version(incident) == after_denial + 1


def test_a_change_to_a_part_marks_the_incident_updated():
    incident = make_incident(status=Status.DRAFT)
    before = Incident.objects.get(pk=incident.pk).updated_at
    make_claim(incident)
    assert Incident.objects.get(pk=incident.pk).updated_at > before


def test_a_stale_admin_save_is_refused_and_says_what_changed(editor, django_user_model):
    incident = make_incident(status=Status.DRAFT, title="Strike on a market")
    first, second = Client(), Client()
    first.force_login(editor)
    other = django_user_model.objects.create_user("other-editor", is_staff=True)
    other.groups.add(*editor.groups.all())
    second.force_login(other)
    url = f"/admin/incidents/incident/{incident.pk}/change/"

    first_form = incident_form(first, incident)
    second_form = incident_form(second, incident)
    assert first.post(url, first_form | {"title": "Strike on a bakery"}).status_code == 302

    response = second.post(url, second_form | {"summary": "Written over a stale copy."})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this incident after you opened it" in content
    assert "Strike on a market → Strike on a bakery" in content
    assert "editor" in content
    incident.refresh_from_db()
    assert (incident.title, incident.summary) == ("Strike on a bakery", "")

    # Reloaded, the same change goes through.
    fresh = incident_form(second, incident)
    assert second.post(url, fresh | {"summary": "Now saved."}).status_code == 302
    incident.refresh_from_db()
    assert (incident.title, incident.summary) == ("Strike on a bakery", "Now saved.")


def test_a_stale_save_is_refused_after_a_claim_changed_elsewhere(editor_client):
    incident = make_incident(status=Status.DRAFT)
    claim = make_claim(incident, statement="As first entered.")
    url = f"/admin/incidents/incident/{incident.pk}/change/"
    stale = incident_form(editor_client, incident)
    Claim.objects.filter(pk=claim.pk).update(statement="Changed by a script.")
    response = editor_client.post(url, stale | {"title": "New title"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone else changed this incident" in content
    assert "As first entered. → Changed by a script." in content
    assert Claim.objects.get().statement == "Changed by a script."


def test_save_if_current_refuses_a_stale_version_with_the_changes(editor):
    incident = make_incident(status=Status.DRAFT, title="First")
    mine = Incident.objects.get(pk=incident.pk)
    theirs = Incident.objects.get(pk=incident.pk)
    theirs.title = "Theirs"
    workflow.save_if_current(theirs, theirs.version, editor)

    mine.title = "Mine"
    with pytest.raises(workflow.StaleVersion) as error:
        workflow.save_if_current(mine, mine.version, editor)
    stale = error.value
    assert (stale.expected_version, stale.current_version) == (1, 2)
    payload = stale.as_dict()
    assert payload["current_version"] == 2
    assert payload["changes"][0]["changes"] == {"title": ["First", "Theirs"]}
    assert payload["changes"][0]["user"] == "editor"
    assert Incident.objects.get(pk=incident.pk).title == "Theirs"


def test_save_if_current_saves_a_current_copy_and_needs_a_reason_when_published(editor):
    incident = make_incident(status=Status.PUBLISHED)
    incident.summary = "Clarified."
    with pytest.raises(workflow.ValidationError):
        workflow.save_if_current(incident, incident.version, editor)
    saved = workflow.save_if_current(incident, incident.version, editor, "Clarified the place.")
    assert saved.version == version(incident) == 2
    assert incident.corrections.get().reason == "Clarified the place."


def test_one_change_to_a_part_touches_its_incident_once():
    from incidents.models import IncidentEvent

    incident = make_incident(status=Status.DRAFT)
    claim = make_claim(incident, figures=[("killed", 3, 3)])
    before = version(incident)
    events = IncidentEvent.objects.filter(pgh_obj_id=incident.pk).count()
    updated_at = Incident.objects.get(pk=incident.pk).updated_at

    claim.statement = "Edited once."
    claim.save()

    assert version(incident) == before + 1
    assert IncidentEvent.objects.filter(pgh_obj_id=incident.pk).count() == events + 1
    # Later than the incident's last change, even inside the same transaction.
    assert Incident.objects.get(pk=incident.pk).updated_at > updated_at

"""History that cannot be lost: every change recorded by the database, readable, restorable."""

import pytest
from django.db import DatabaseError, connection, transaction

from history.events import object_history
from incidents.models import (
    ClaimEvent,
    Correction,
    DenialDeniesEvent,
    Figure,
    FigureEvent,
    Incident,
    IncidentEvent,
)
from incidents.timeline import incident_history
from sources.models import Source, SourceEvent
from tests.admin_forms import incident_form
from tests.factories import make_busy_incident, make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db

Status = Incident.Status


def changes(entry):
    return {c.field: (c.old, c.new) for c in entry.changes}


def test_an_admin_change_is_recorded_with_who_when_why_and_old_and_new(editor_client, editor):
    incident = make_incident(status=Status.PUBLISHED, title="Strike on a market")
    data = incident_form(editor_client, incident) | {
        "title": "Strike on a bakery",
        "change_reason": "The report says a bakery.",
    }
    assert (
        editor_client.post(f"/admin/incidents/incident/{incident.pk}/change/", data).status_code
        == 302
    )

    entry = object_history(incident)[-1]
    assert entry.label == "update"
    assert changes(entry) == {"title": ("Strike on a market", "Strike on a bakery")}
    assert entry.user_id == editor.pk
    assert entry.username == "editor"
    assert entry.reason == "The report says a bakery."
    assert entry.url == f"/admin/incidents/incident/{incident.pk}/change/"
    assert entry.when is not None


def test_a_bulk_update_is_recorded_with_old_and_new_values():
    incidents = [make_incident(title=f"Raid {n}", status=Status.DRAFT) for n in range(3)]
    Incident.objects.filter(pk__in=[i.pk for i in incidents]).update(place_name="Idlib")
    for incident in incidents:
        entry = object_history(incident)[-1]
        assert changes(entry) == {"place_name": ("", "Idlib")}
        assert entry.username == ""  # made outside a request: no person to name


def test_a_raw_sql_update_is_recorded_with_old_and_new_values():
    claim = make_claim(make_incident(), figures=[("killed", 23, None)])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_figure SET min_count = 25, max_count = 30 WHERE claim_id = %s",
            [claim.pk],
        )
    figure = Figure.objects.get(claim=claim)
    events = list(FigureEvent.objects.filter(pgh_obj_id=figure.pk).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert (events[0].min_count, events[1].min_count) == (23, 25)
    entry = [e for e in incident_history(claim.incident) if e.model is Figure][-1]
    assert changes(entry) == {"min_count": (23, 25), "max_count": (None, 30)}


def test_deletes_are_recorded_with_the_last_values():
    incident = make_incident(status=Status.DRAFT)
    claim = make_claim(incident, statement="Soon gone.")
    claim_id = claim.pk
    claim.delete()
    deleted = ClaimEvent.objects.get(pgh_obj_id=claim_id, pgh_label="delete")
    assert deleted.statement == "Soon gone."
    entry = incident_history(incident)[-1]
    assert entry.action == "deleted"
    assert "Soon gone." in entry.description


def test_changes_to_what_a_denial_answers_are_recorded():
    incident = make_incident(status=Status.DRAFT)
    first, second = make_claim(incident), make_claim(incident)
    denial = make_denial(incident, denies=[first])
    denial.denies.set([second])
    links = DenialDeniesEvent.objects.filter(denial_id=denial.pk).order_by("pgh_id")
    assert [(e.pgh_label, e.claim_id) for e in links] == [
        ("insert", first.pk),
        ("delete", first.pk),
        ("insert", second.pk),
    ]
    descriptions = [e.description for e in incident_history(incident)]
    assert f"Denial #{denial.pk} no longer answers claim #{first.pk}" in descriptions


@pytest.mark.parametrize(
    "table", ["incidents_incidentevent", "incidents_claimevent", "sources_sourceevent"]
)
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET pgh_label = 'forged'", "DELETE FROM {table}"]
)
def test_the_database_refuses_to_change_or_delete_history(table, statement):
    make_claim(make_incident())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        before = cursor.fetchone()[0]
    assert before > 0
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete rows"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE pgh_label = 'forged') FROM {table}"
        )
        assert cursor.fetchone() == (before, 0)


def test_the_database_refuses_to_change_or_delete_a_correction(editor):
    from incidents import workflow

    incident = make_incident()
    workflow.record_correction(incident, editor, "Fixed the date.")
    for statement in (
        "UPDATE incidents_correction SET reason = 'Nothing happened'",
        "DELETE FROM incidents_correction",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Correction.objects.get().reason == "Fixed the date."


def test_the_history_page_shows_each_change_as_old_and_new(
    editor_client, django_assert_max_num_queries
):
    incident = make_busy_incident(n_claims=10)
    Incident.objects.filter(pk=incident.pk).update(title="Renamed by a script")
    Figure.objects.filter(claim__incident=incident).update(max_count=99)
    # One query per event table (incident, claims, figures, denials, their links,
    # related incidents, media, identifiers, intermediaries), whatever the changes.
    with django_assert_max_num_queries(23):
        response = editor_client.get(f"/admin/incidents/incident/{incident.pk}/history/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Renamed by a script" in content
    assert f"<del>{incident.title}</del>" in content
    assert "<ins>99</ins>" in content
    assert "outside the application" in content
    assert "Restore this version" in content


def test_an_editor_restores_an_earlier_version(editor_client, editor):
    incident = make_incident(status=Status.PUBLISHED, title="Original title")
    first = IncidentEvent.objects.get(pgh_obj_id=incident.pk, pgh_label="insert")
    Incident.objects.filter(pk=incident.pk).update(title="Vandalised title", summary="Spam")

    url = f"/admin/incidents/incident/{incident.pk}/history/{first.pgh_id}/restore/"
    assert editor_client.post(url).status_code == 302
    incident.refresh_from_db()
    assert (incident.title, incident.summary) == ("Original title", "")
    assert incident.status == Status.PUBLISHED
    entry = object_history(incident)[-1]
    assert entry.reason.startswith("Restored version of ")
    assert entry.username == "editor"
    assert changes(entry) == {
        "title": ("Vandalised title", "Original title"),
        "summary": ("Spam", ""),
    }
    assert incident.corrections.get().reason == entry.reason


def test_restoring_never_publishes(editor_client):
    incident = make_incident(status=Status.PUBLISHED, title="Published")
    insert = IncidentEvent.objects.get(pgh_obj_id=incident.pk, pgh_label="insert")
    Incident.objects.filter(pk=incident.pk).update(status=Status.DRAFT, title="Draft now")
    editor_client.post(f"/admin/incidents/incident/{incident.pk}/history/{insert.pgh_id}/restore/")
    incident.refresh_from_db()
    assert (incident.title, incident.status) == ("Published", Status.DRAFT)


def test_a_researcher_cannot_restore_a_published_incident(researcher_client):
    incident = make_incident(status=Status.PUBLISHED, title="Original title")
    first = IncidentEvent.objects.get(pgh_obj_id=incident.pk, pgh_label="insert")
    Incident.objects.filter(pk=incident.pk).update(title="Newer title")
    page = researcher_client.get(f"/admin/incidents/incident/{incident.pk}/history/")
    assert page.status_code == 200
    assert "Restore this version" not in page.content.decode()
    url = f"/admin/incidents/incident/{incident.pk}/history/{first.pgh_id}/restore/"
    assert researcher_client.post(url).status_code == 403
    incident.refresh_from_db()
    assert incident.title == "Newer title"


def test_the_source_history_page_shows_changes_and_restores(editor_client):
    source = make_source(name="Local Coordination Comittees")
    original = SourceEvent.objects.get(pgh_obj_id=source.pk)
    Source.objects.filter(pk=source.pk).update(name="Local Coordination Committees")
    page = editor_client.get(f"/admin/sources/source/{source.pk}/history/")
    assert page.status_code == 200
    assert "<ins>Local Coordination Committees</ins>" in page.content.decode()
    url = f"/admin/sources/source/{source.pk}/history/{original.pgh_id}/restore/"
    assert editor_client.post(url).status_code == 302
    source.refresh_from_db()
    assert source.name == "Local Coordination Comittees"
    assert object_history(source)[-1].reason.startswith("Restored version of ")


def test_the_claim_and_report_history_pages_work(editor_client):
    claim = make_claim(make_incident(status=Status.DRAFT), statement="First words.")
    claim.statement = "Second words."
    claim.save()
    page = editor_client.get(f"/admin/incidents/claim/{claim.pk}/history/")
    assert page.status_code == 200
    assert "<del>First words.</del>" in page.content.decode()
    from tests.factories import make_report

    report = make_report(title="A report")
    page = editor_client.get(f"/admin/sources/report/{report.pk}/history/")
    assert page.status_code == 200
    assert "A report" in page.content.decode()


def test_the_seed_is_recorded_and_loads_again_with_the_triggers_in_place(seed):
    from incidents.seed import load_seed

    assert IncidentEvent.objects.filter(pgh_obj_id=seed.pk, pgh_label="insert").exists()
    counts = (Incident.objects.count(), Figure.objects.count())
    load_seed()
    assert (Incident.objects.count(), Figure.objects.count()) == counts


def test_restoring_a_source_never_lifts_its_protection(editor_client):
    source = make_source(name="Activist in Idlib")
    before = SourceEvent.objects.get(pgh_obj_id=source.pk)
    Source.objects.filter(pk=source.pk).update(protected=True, name="Activist (renamed)")
    url = f"/admin/sources/source/{source.pk}/history/{before.pgh_id}/restore/"
    assert editor_client.post(url).status_code == 302
    source.refresh_from_db()
    assert (source.name, source.protected) == ("Activist in Idlib", True)


def test_evidence_changes_are_in_the_incidents_history(editor_client):
    from incidents.models import IncidentIdentifier, Media

    incident = make_busy_incident(n_claims=2)
    video = Media.objects.create(incident=incident, kind="video", description="Rescue video")
    Media.objects.filter(pk=video.pk).update(
        verification_status="fake", verification_note="Filmed in 2013 in another city."
    )
    IncidentIdentifier.objects.create(incident=incident, scheme="airwars", value="CS999")
    response = editor_client.get(f"/admin/incidents/incident/{incident.pk}/history/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Filmed in 2013 in another city." in content
    assert "<ins>Fake</ins>" in content or "<ins>fake</ins>" in content
    assert "CS999" in content

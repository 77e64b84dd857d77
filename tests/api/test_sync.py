"""Incremental sync: updated_since, and tombstones at /api/v1/deleted/."""

import datetime

import pytest
from django.utils import timezone

from incidents import workflow
from incidents.models import Claim, Denial, Figure, Incident, Tombstone
from tests.factories import make_claim, make_denial, make_incident

pytestmark = pytest.mark.django_db


def deleted(api_client, since=None, **params):
    if since is not None:
        params["since"] = since.isoformat()
    response = api_client.get("/api/v1/deleted/", params)
    assert response.status_code == 200, response.content
    return {(t["type"], t["id"], t["reason"]) for t in response.json()["results"]}


def stamp(model, pk):
    return model.objects.filter(pk=pk).values_list("updated_at", flat=True).get()


def withdraw(incident, editor, reason="Duplicate of another incident"):
    workflow.transition(Incident.objects.get(pk=incident.pk), "withdrawn", editor, reason)


def test_withdrawing_a_published_incident_leaves_tombstones_for_it_and_its_claims(
    api_client, editor
):
    incident = make_incident()
    claim = make_claim(incident)
    denial = make_denial(incident, denies=[claim])
    before, pk = timezone.now(), incident.pk
    withdraw(incident, editor)
    assert deleted(api_client, before) == {
        ("incident", pk, "withdrawn"),
        ("claim", claim.pk, "withdrawn"),
        ("denial", denial.pk, "withdrawn"),
    }
    entry = api_client.get("/api/v1/deleted/").json()["results"][0]
    assert set(entry) == {"type", "id", "deleted_at", "reason"}


def test_a_published_incident_or_its_parts_cannot_be_deleted_even_in_the_database():
    from django.db import IntegrityError, transaction

    incident = make_incident()
    claim = make_claim(incident)
    denial = make_denial(incident, denies=[claim])
    for queryset in (
        Denial.objects.filter(pk=denial.pk),
        Claim.objects.filter(pk=claim.pk),
        Incident.objects.filter(pk=incident.pk),
    ):
        with pytest.raises(IntegrityError, match="withdraw it instead"), transaction.atomic():
            queryset.delete()
    assert Claim.objects.filter(pk=claim.pk).exists() and Denial.objects.exists()


def test_withdrawing_one_claim_leaves_its_tombstone(api_client, editor):
    incident = make_incident()
    kept, gone = make_claim(incident), make_claim(incident)
    workflow.withdraw_part(gone, editor, "Misattributed")
    assert deleted(api_client) == {("claim", gone.pk, "withdrawn")}
    assert Claim.objects.filter(pk=kept.pk, withdrawn_at=None).exists()
    assert Claim.objects.get(pk=gone.pk).withdrawn_reason == "Misattributed"


def test_deleting_a_claim_of_a_draft_leaves_no_tombstone(api_client):
    draft = make_incident(status="draft")
    claim = make_claim(draft)
    Claim.objects.filter(pk=claim.pk).delete()
    assert deleted(api_client) == set()


def test_deleting_a_draft_leaves_no_tombstone(api_client):
    draft = make_incident(status="draft")
    make_claim(draft)
    draft.delete()
    assert deleted(api_client) == set()


def test_unpublishing_leaves_tombstones(api_client):
    incident = make_incident()
    claim = make_claim(incident)
    incident = Incident.objects.get(pk=incident.pk)
    incident.status = Incident.Status.IN_REVIEW
    incident.save()
    assert deleted(api_client) == {
        ("incident", incident.pk, "unpublished"),
        ("claim", claim.pk, "unpublished"),
    }
    incident.summary = "Still in review."
    incident.save()  # no longer public: no second tombstone
    assert Tombstone.objects.count() == 2


def test_unpublishing_in_bulk_leaves_tombstones(api_client):
    published, draft = make_incident(), make_incident(status="draft")
    Incident.objects.filter(pk__in=[published.pk, draft.pk]).update(status="draft")
    assert deleted(api_client) == {("incident", published.pk, "unpublished")}


def test_since_and_type_narrow_the_tombstones(api_client, editor):
    old = make_incident()
    old_pk = old.pk
    withdraw(old, editor)
    Tombstone.objects.update(deleted_at=timezone.now() - datetime.timedelta(days=2))
    incident = make_incident()
    claim = make_claim(incident)
    workflow.withdraw_part(claim, editor, "Misattributed")
    yesterday = timezone.now() - datetime.timedelta(days=1)
    assert deleted(api_client, yesterday) == {("claim", claim.pk, "withdrawn")}
    assert deleted(api_client, type="incident") == {("incident", old_pk, "withdrawn")}


def test_tombstones_can_be_recorded_for_another_reason():
    incident = make_incident()
    make_claim(incident)
    Tombstone.record(incident, "withdrawn")
    assert set(Tombstone.objects.values_list("object_type", "reason")) == {
        ("incident", "withdrawn"),
        ("claim", "withdrawn"),
    }


def test_a_changed_figure_brings_its_claim_and_incident_into_the_next_sync():
    incident = make_incident()
    claim = make_claim(incident, figures=[("killed", 1, 1)])
    before = (stamp(Incident, incident.pk), stamp(Claim, claim.pk))
    figure = Figure.objects.get()
    figure.max_count = 4
    figure.save()
    assert stamp(Incident, incident.pk) > before[0]
    assert stamp(Claim, claim.pk) > before[1]


def the_editor():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="editor")


@pytest.mark.parametrize(
    "change",
    [
        lambda incident, claim, denial: make_claim(incident),
        lambda incident, claim, denial: workflow.withdraw_part(claim, the_editor(), "Misread"),
        lambda incident, claim, denial: Figure.objects.filter(claim=claim).delete(),
        lambda incident, claim, denial: denial.denies.clear(),
        lambda incident, claim, denial: claim.denials.remove(denial),
        lambda incident, claim, denial: workflow.withdraw_part(denial, the_editor(), "Retracted"),
        lambda incident, claim, denial: incident.related.add(make_incident()),
    ],
)
def test_every_nested_change_bumps_the_incidents_updated_at(change, editor):
    incident = make_incident()
    claim = make_claim(incident, figures=[("killed", 1, 1)])
    denial = make_denial(incident, denies=[claim])
    before = stamp(Incident, incident.pk)
    change(incident, claim, denial)
    assert stamp(Incident, incident.pk) > before


def test_a_mirror_kept_in_sync_equals_a_fresh_copy(api_client, editor):
    """What a partner does: copy everything, then apply tombstones and updates since then."""

    def fetch(params):
        items, url = [], "/api/v1/incidents/"
        while url:
            page = api_client.get(url, params).json()
            items += page["results"]
            url, params = page["next"], None
        return items

    kept, edited, unpublished, removed = (make_incident() for _ in range(4))
    claim = make_claim(edited, figures=[("killed", 5, 5)])
    make_claim(removed)
    mirror = {i["id"]: i for i in fetch({"page_size": 2})}
    since = timezone.now()

    make_claim(edited, figures=[("killed", 9, 9)], statement="A second toll")
    Figure.objects.filter(claim=claim).update(max_count=6)  # no signal: no bump expected...
    Claim.objects.get(pk=claim.pk).save()  # ...until the claim is saved
    Incident.objects.filter(pk=unpublished.pk).update(status="draft")
    withdraw(removed, editor)
    new = make_incident()

    for tombstone in api_client.get("/api/v1/deleted/", {"since": since.isoformat()}).json()[
        "results"
    ]:
        if tombstone["type"] == "incident":
            mirror.pop(tombstone["id"], None)
    for incident in fetch({"updated_since": since.isoformat(), "ordering": "updated_at"}):
        mirror[incident["id"]] = incident
    fresh = {i["id"]: i for i in fetch({})}
    assert mirror == fresh
    assert set(mirror) == {kept.pk, edited.pk, new.pk}


def test_evidence_changes_bring_the_incident_into_the_next_sync(api_client):
    from incidents.models import ClaimVia, IncidentIdentifier, Media
    from tests.factories import make_source

    incident = make_incident()
    claim = make_claim(incident)

    def synced_after(change):
        since = stamp(Incident, incident.pk)
        change()
        response = api_client.get(
            "/api/v1/incidents/", {"updated_since": (since + datetime.timedelta(microseconds=1))}
        )
        return [i["id"] for i in response.json()["results"]]

    photo = Media(incident=incident, kind="photo", description="The crater.")
    assert synced_after(photo.save) == [incident.pk]
    assert synced_after(
        lambda: Media.objects.filter(pk=photo.pk).update(
            verification_status="fake", verification_note="Older photo."
        )
    ) == [incident.pk]
    assert synced_after(
        lambda: IncidentIdentifier.objects.create(incident=incident, scheme="airwars", value="S1")
    ) == [incident.pk]
    assert synced_after(
        lambda: ClaimVia.objects.create(claim=claim, source=make_source(), position=1)
    ) == [incident.pk]


def test_a_new_capture_brings_its_report_into_the_next_sync(api_client):
    from sources.models import Capture, Report
    from tests.factories import make_report

    report = make_report()
    make_claim(make_incident(), report=report)
    since = stamp(Report, report.pk)
    Capture.objects.create(
        report=report, requested_url="https://example.org/", status="failed", error="Refused."
    )
    assert stamp(Report, report.pk) > since
    after = since + datetime.timedelta(microseconds=1)
    response = api_client.get("/api/v1/reports/", {"updated_since": after.isoformat()})
    assert [r["id"] for r in response.json()["results"]] == [report.pk]


def test_a_source_renamed_or_protected_brings_its_incidents_into_the_next_sync(api_client):
    from sources.models import Source
    from tests.factories import make_report, make_source

    activist = make_source(name="Rami Haddad", kind="individual")
    publisher = make_source(name="Local Radio")
    by_claim = make_incident()
    make_claim(by_claim, source=activist)
    by_report = make_incident()
    make_claim(by_report, report=make_report(publisher=publisher))
    untouched = make_incident()
    make_claim(untouched)

    def synced_after(change):
        since = timezone.now()
        change()
        response = api_client.get(
            "/api/v1/incidents/", {"updated_since": since.isoformat(), "ordering": "updated_at"}
        )
        return {i["id"] for i in response.json()["results"]}

    protect = Source.objects.filter(pk=activist.pk).update
    assert synced_after(lambda: protect(protected=True)) == {by_claim.pk}
    assert synced_after(lambda: Source.objects.filter(pk=publisher.pk).update(name="Radio")) == {
        by_report.pk
    }
    # A change the incidents do not show touches nothing.
    assert synced_after(lambda: protect(description="Met in 2016.")) == set()
    body = api_client.get(f"/api/v1/incidents/{by_claim.pk}/").content.decode()
    assert "Rami Haddad" not in body


def test_a_new_capture_brings_the_incidents_citing_its_report_into_the_next_sync(api_client):
    from sources.models import Capture
    from tests.factories import make_report

    report = make_report()
    incident = make_incident()
    make_claim(incident, report=report)
    since = stamp(Incident, incident.pk)
    Capture.objects.create(
        report=report, requested_url="https://example.org/", status="failed", error="Refused."
    )
    assert stamp(Incident, incident.pk) > since

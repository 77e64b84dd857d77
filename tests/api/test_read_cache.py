"""What each incident's claims and denials come to is kept in the shared cache.

Under the incident's id, version and updated_at (incidents.api_read.Reader): a page
whose incidents are all cached costs its page query alone, and any change to an
incident or anything under it gives the incident a new key, so the next answer is
read again. Each test reads, changes the data by one path, and reads again.
"""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from incidents.api_read import Reader
from incidents.models import Claim, ClaimVia, Figure, Incident
from sources.models import Capture, Report, Source
from tests.factories import make_busy_incident, make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/"


def detail(incident):
    return f"{LIST}{incident.pk}/"


def claims_of(response, incident):
    (found,) = [item for item in response.json()["results"] if item["id"] == incident.pk]
    return found["claims"]


def test_a_page_read_again_costs_its_page_query_alone(api_client, django_assert_num_queries):
    incidents = [make_busy_incident() for _ in range(3)]
    with django_assert_num_queries(3):
        first = api_client.get(LIST)
    with django_assert_num_queries(1):
        again = api_client.get(LIST)
    assert again.status_code == 200
    assert again.content == first.content
    assert len(first.json()["results"]) == 3

    with django_assert_num_queries(1):
        one = api_client.get(detail(incidents[0]))
    assert one.status_code == 200
    assert one.json() == next(i for i in first.json()["results"] if i["id"] == incidents[0].pk)


def test_only_the_changed_incident_is_read_again(
    api_client, django_assert_num_queries, monkeypatch
):
    changed, unchanged = make_busy_incident(), make_busy_incident()
    before = api_client.get(LIST)
    Figure.objects.filter(claim__incident=changed).update(max_count=F("max_count") + 100)

    read = []
    parts = Reader._parts
    monkeypatch.setattr(Reader, "_parts", lambda self, ids: read.append(ids) or parts(self, ids))
    with django_assert_num_queries(3):
        after = api_client.get(LIST)
    # The claims and denials queries asked for the changed incident alone.
    assert read == [[changed.pk]]
    assert claims_of(after, unchanged) == claims_of(before, unchanged)
    highs = [f["max"] for c in claims_of(after, changed) for f in c["figures"] if f["max"]]
    assert highs and all(high >= 100 for high in highs)

    def casualties(response, incident):
        (found,) = [i for i in response.json()["results"] if i["id"] == incident.pk]
        return found["casualties"]

    assert casualties(after, changed) != casualties(before, changed)
    assert casualties(after, unchanged) == casualties(before, unchanged)


def test_a_source_newly_protected_is_masked_in_the_next_answer(api_client):
    incident = make_incident()
    informant = make_source(name="Abu Khalid, Saraqib", kind=Source.Kind.INDIVIDUAL)
    make_claim(incident, source=informant, figures=[("killed", 3, 3)])
    assert "Abu Khalid" in api_client.get(LIST).content.decode()
    assert "Abu Khalid" in api_client.get(detail(incident)).content.decode()

    informant.protected = True
    informant.save()

    for url in (LIST, detail(incident)):
        body = api_client.get(url).content.decode()
        assert "Abu Khalid" not in body
        assert "Protected source" in body


def test_staff_and_public_answers_are_kept_apart(api_client, admin_user):
    incident = make_incident()
    informant = make_source(name="Abu Khalid, Saraqib", protected=True)
    make_claim(incident, source=informant, figures=[("killed", 3, 3)])
    staff = type(api_client)()
    staff.force_authenticate(admin_user)

    assert "Abu Khalid" in staff.get(detail(incident)).content.decode()
    public = api_client.get(detail(incident)).content.decode()
    assert "Abu Khalid" not in public and "Protected source" in public
    assert "Abu Khalid" in staff.get(LIST).content.decode()
    assert "Abu Khalid" not in api_client.get(LIST).content.decode()


@pytest.mark.parametrize(
    "change",
    [
        "claim_withdrawn",
        "denial_added",
        "figure_raw_sql",
        "revision",
        "intermediary",
        "report_retitled",
        "capture",
        "source_renamed",
    ],
)
def test_every_change_under_an_incident_reaches_the_next_answer(api_client, change):
    incident = make_busy_incident()
    other = make_busy_incident()
    claim = Claim.objects.filter(incident=incident, kind=Claim.Kind.CASUALTIES).first()
    before = api_client.get(LIST).json()
    before_other = api_client.get(detail(other)).json()

    if change == "claim_withdrawn":
        Claim.objects.filter(pk=claim.pk).update(
            withdrawn_at=incident.updated_at, withdrawn_reason="Entered twice."
        )
    elif change == "denial_added":
        make_denial(incident, denies=[claim], statement="A fabrication.")
    elif change == "figure_raw_sql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE incidents_figure SET max_count = 999 WHERE claim_id = %s", [claim.pk]
            )
    elif change == "revision":
        make_claim(
            incident,
            source=claim.source,
            supersedes=claim,
            figures=[("killed", 40, 40)],
            statement="The toll rose.",
        )
    elif change == "intermediary":
        ClaimVia.objects.create(claim=claim, source=make_source(name="Relayed by"), position=1)
    elif change == "report_retitled":
        Report.objects.filter(pk=claim.report_id).update(title="A corrected headline")
    elif change == "capture":
        Capture.objects.create(
            report_id=claim.report_id,
            requested_url="https://example.org/a",
            final_url="https://example.org/a",
            status=Capture.Status.ARCHIVED,
            http_status=200,
            sha256="a" * 64,
            warc_sha256="b" * 64,
            warc_file="captures/a.warc.gz",
        )
    elif change == "source_renamed":
        Source.objects.filter(pk=claim.source_id).update(name="Renamed monitor")

    after = api_client.get(LIST).json()
    fresh = Incident.objects.get(pk=incident.pk)
    changed = next(i for i in after["results"] if i["id"] == incident.pk)
    assert changed["version"] == fresh.version
    assert changed != next(i for i in before["results"] if i["id"] == incident.pk)
    # What the cache now gives is what the database gives with nothing cached.
    cache.clear()
    assert api_client.get(LIST).json()["results"] == after["results"]
    assert api_client.get(detail(other)).json() == before_other


def test_a_rolled_back_change_never_reaches_an_answer(api_client):
    incident = make_busy_incident()
    before = api_client.get(detail(incident)).json()

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        Figure.objects.filter(claim__incident=incident).update(max_count=777)
        # A read inside the transaction sees (and may keep) its uncommitted change.
        inside = api_client.get(detail(incident)).json()
        assert any(f["max"] == 777 for c in inside["claims"] for f in c["figures"])
        raise Abandoned

    after = api_client.get(detail(incident)).json()
    assert after == before
    assert not any(f["max"] == 777 for c in after["claims"] for f in c["figures"])


def test_nothing_is_kept_when_the_cache_is_off(api_client, settings, django_assert_num_queries):
    settings.API_CACHE_SECONDS = 0
    make_busy_incident()
    api_client.get(LIST)
    with django_assert_num_queries(3):
        assert api_client.get(LIST).status_code == 200


@pytest.fixture
def page_cache(settings):
    settings.API_PAGE_CACHE_SECONDS = 60


def test_an_unchanged_page_is_sent_as_kept(api_client, page_cache, django_assert_num_queries):
    make_busy_incident()
    make_busy_incident()
    first = api_client.get(LIST)
    with django_assert_num_queries(1):
        again = api_client.get(LIST)
    assert again.status_code == 200
    assert again.content == first.content
    for header in ("Content-Type", "ETag", "Vary", "Cache-Control"):
        assert again[header] == first[header]
    assert api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    csv = api_client.get(LIST, {"format": "csv"})
    csv_again = api_client.get(LIST, {"format": "csv"})
    assert csv_again.content == csv.content and csv_again.content != first.content
    assert csv_again["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_again["Content-Disposition"] == csv["Content-Disposition"]
    assert csv_again["ETag"] != first["ETag"]


def test_a_kept_page_follows_its_incidents_and_links(api_client, page_cache):
    newest = make_incident(occurred_start="2016-06-01")
    make_claim(newest, figures=[("killed", 5, 5)])
    first = api_client.get(LIST, {"page_size": 1})
    assert first.json()["next"] is None

    # An older incident: the same row on the page, but now a next page.
    make_incident(occurred_start="2016-05-01")
    second = api_client.get(LIST, {"page_size": 1})
    assert second.json()["results"] == first.json()["results"]
    assert second.json()["next"] is not None
    assert second["ETag"] != first["ETag"]

    Figure.objects.filter(claim__incident=newest).update(max_count=9)
    third = api_client.get(LIST, {"page_size": 1})
    assert third.json()["results"][0]["claims"][0]["figures"][0]["max"] == 9


def test_staff_pages_are_kept_apart_from_public_ones(api_client, admin_user, page_cache):
    incident = make_incident()
    make_claim(incident, source=make_source(name="Abu Khalid, Saraqib", protected=True))
    staff = type(api_client)()
    staff.force_authenticate(admin_user)
    assert "Abu Khalid" in staff.get(LIST).content.decode()
    assert "Abu Khalid" not in api_client.get(LIST).content.decode()
    assert "Abu Khalid" not in api_client.get(LIST).content.decode()
    assert "Abu Khalid" in staff.get(LIST).content.decode()

import pytest
from django.utils.http import http_date

from incidents.models import Incident
from tests.factories import make_busy_incident, make_incident

pytestmark = pytest.mark.django_db


def test_the_incident_page_carries_validators_from_its_last_change(client, seed):
    response = client.get(seed.get_absolute_url())
    assert response.status_code == 200
    assert response["ETag"]
    # The seed's videos were recorded after the incident: the page changed with them.
    # Claims added after the incident was first saved touched its row in the database.
    seed.refresh_from_db()
    newest = max(seed.updated_at, *(media.updated_at for media in seed.media.all()))
    assert response["Last-Modified"] == http_date(newest.timestamp())


def test_a_reader_with_a_current_copy_gets_not_modified(client, seed, django_assert_num_queries):
    etag = client.get(seed.get_absolute_url())["ETag"]
    with django_assert_num_queries(1):
        response = client.get(seed.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_a_reader_revalidating_by_date_gets_not_modified(client, seed):
    last_modified = client.get(seed.get_absolute_url())["Last-Modified"]
    response = client.get(seed.get_absolute_url(), headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304


def test_a_changed_incident_is_sent_again(client, seed):
    etag = client.get(seed.get_absolute_url())["ETag"]
    seed.summary += " Updated."
    seed.save()
    response = client.get(seed.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Updated." in response.content.decode()
    assert response["ETag"] != etag


def test_a_draft_is_not_found_even_with_a_matching_validator(client):
    draft = make_incident(status=Incident.Status.DRAFT)
    response = client.get(draft.get_absolute_url(), headers={"If-None-Match": "*"})
    assert response.status_code == 404


def test_staff_and_the_public_never_share_a_validator(client, admin_user, seed):
    public_etag = client.get(seed.get_absolute_url())["ETag"]
    client.force_login(admin_user)
    response = client.get(seed.get_absolute_url(), headers={"If-None-Match": public_etag})
    assert response.status_code == 200
    assert response["ETag"] != public_etag


def test_anonymous_pages_may_be_cached_publicly_for_a_minute(client, seed):
    for url in (seed.get_absolute_url(), "/incidents/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=60"
        assert "Cookie" in response["Vary"]


def test_pages_for_signed_in_people_are_private_and_not_stored(admin_user_client, seed):
    for url in (seed.get_absolute_url(), "/incidents/", "/admin/"):
        response = admin_user_client.get(url)
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives
        assert "public" not in directives


def test_requests_with_credentials_are_never_cached_publicly(client, seed):
    response = client.get("/incidents/", headers={"Authorization": "Token abc"})
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_not_found_pages_are_not_cached_publicly(client):
    response = client.get("/incidents/no-such-incident/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_the_incident_page_query_count_stays_constant_with_validators(
    client, django_assert_max_num_queries
):
    incident = make_busy_incident(n_claims=40)
    with django_assert_max_num_queries(13):
        assert client.get(incident.get_absolute_url()).status_code == 200


def test_an_unchanged_list_answers_304_after_one_query(client, seed, django_assert_num_queries):
    first = client.get("/incidents/?country=SY")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    with django_assert_num_queries(1):
        again = client.get("/incidents/?country=SY", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    # Another address (another filter, another page) is another entity.
    other = client.get("/incidents/?country=IQ", headers={"If-None-Match": first["ETag"]})
    assert other.status_code == 200


def test_any_change_to_the_data_sends_the_list_again(client, seed):
    etag = client.get("/incidents/")["ETag"]
    make_incident(title="Shelling of a bakery")
    response = client.get("/incidents/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Shelling of a bakery" in response.content.decode()


def test_the_home_page_revalidates_too(client, seed):
    etag = client.get("/")["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304


def test_protecting_a_source_changes_the_pages_that_name_it(client, seed):
    from sources.models import Source

    etag = client.get(seed.get_absolute_url())["ETag"]
    Source.objects.filter(slug="syrian-observatory-for-human-rights").update(protected=True)
    response = client.get(seed.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200
    # (The incident's own summary still names it: that is the editors' prose.)
    assert "Protected source (monitor)" in response.content.decode()

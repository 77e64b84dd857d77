"""Conditional GET on the API: a partner polling an unchanged incident or page gets 304."""

import pytest

from incidents.models import Incident
from sources.models import Source
from tests.factories import make_claim, make_incident

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/"


def detail(incident):
    return f"{LIST}{incident.pk}/"


def test_an_unchanged_incident_answers_304_to_its_etag(api_client, seed):
    first = api_client.get(detail(seed))
    assert first.status_code == 200
    again = api_client.get(detail(seed), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_nested_change_sends_the_incident_again(api_client, seed):
    etag = api_client.get(detail(seed))["ETag"]
    make_claim(seed, statement="A later account.")
    response = api_client.get(detail(seed), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "A later account." in response.content.decode()


def test_a_renamed_source_sends_the_incidents_that_cite_it_again(api_client, seed):
    first = api_client.get(detail(seed))
    Source.objects.filter(slug="syrian-observatory-for-human-rights").update(
        name="Syrian Observatory (renamed)"
    )
    response = api_client.get(detail(seed), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    # The database touched the incident: a new version, and a later Last-Modified.
    assert response.json()["version"] > first.json()["version"]
    assert "renamed" in response.content.decode()


def test_the_etag_follows_the_representation_even_without_a_new_version(api_client, seed):
    first = api_client.get(detail(seed))
    related = first.json()["related"][0]
    assert api_client.get(detail(seed), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Incident.objects.filter(pk=related["id"]).update(title="Renamed elsewhere")
    renamed = api_client.get(detail(seed), HTTP_IF_NONE_MATCH=first["ETag"])
    # The related incident's new title touches no version of this one.
    assert renamed.json()["version"] == first.json()["version"]
    assert renamed.status_code == 200
    assert renamed.json()["related"][0]["title"] == "Renamed elsewhere"


def test_a_renamed_casualty_category_sends_its_incidents_again(api_client, seed):
    from incidents.models import CasualtyCategory

    first = api_client.get(detail(seed))
    # The category's name shows in the dispute's words.
    CasualtyCategory.objects.filter(slug="killed").update(name="Killed (all ages)")
    response = api_client.get(detail(seed), HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert response.json()["version"] > first.json()["version"]
    assert "killed (all ages)" in response.content.decode()


def test_each_format_and_audience_has_its_own_etag(api_client, researcher_api, seed):
    etags = {
        api_client.get(detail(seed))["ETag"],
        api_client.get(detail(seed), {"format": "csv"})["ETag"],
        api_client.get(detail(seed), {"format": "geojson"})["ETag"],
        researcher_api.get(detail(seed))["ETag"],
    }
    assert len(etags) == 4
    by_slug = api_client.get(f"{LIST}by-slug/{seed.slug}/")
    assert api_client.get(detail(seed))["ETag"] == by_slug["ETag"]


def test_an_unchanged_list_page_answers_304(api_client, seed):
    first = api_client.get(LIST)
    assert first.status_code == 200 and first["ETag"]
    assert api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_incident(title="A new strike")
    response = api_client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert "A new strike" in response.content.decode()


def test_anonymous_answers_may_be_cached_publicly_token_answers_never(
    api_client, researcher_api, seed
):
    for url in (LIST, detail(seed)):
        public = api_client.get(url)
        assert public["Cache-Control"] == "public, max-age=60"
        assert "Cookie" in public["Vary"]
        private = researcher_api.get(url)
        directives = {d.strip() for d in private["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives


def test_a_write_with_the_etag_of_a_read_succeeds(editor_api, seed):
    etag = editor_api.get(detail(seed))["ETag"]
    response = editor_api.patch(
        detail(seed),
        {"summary": "Edited.", "change_reason": "Clarified"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()


def test_an_incident_carries_its_last_change_and_answers_if_modified_since(api_client, seed):
    from django.utils.http import http_date

    from incidents.models import Incident

    response = api_client.get(detail(seed))
    stored = Incident.objects.get(pk=seed.pk).updated_at
    assert response["Last-Modified"] == http_date(stored.timestamp())
    again = api_client.get(detail(seed), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    make_claim(seed, statement="Later.")
    assert Incident.objects.get(pk=seed.pk).updated_at > stored
    assert api_client.get(detail(seed), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200

"""Feeds and discovery: the Atom feed, the sitemap and robots.txt."""

import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings

from tests.factories import make_busy_incident, make_incident, make_source

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def entries(response):
    feed = ET.fromstring(response.content)
    return {entry.find(f"{ATOM}title").text: entry for entry in feed.iter(f"{ATOM}entry")}


@override_settings(SITE_URL="https://incidents.example.org")
def test_the_feed_lists_published_incidents_with_their_figures(client, seed):
    make_incident(title="Secret draft", status="draft")
    response = client.get("/incidents/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    found = entries(response)
    assert set(found) == {
        "Late-night airstrikes on Idlib city",
        "Raids destroy two vaccination centres in Kfar Takharim",
    }
    idlib = found["Late-night airstrikes on Idlib city"]
    assert idlib.find(f"{ATOM}id").text == (
        "https://incidents.example.org/incidents/idlib-city-airstrikes-2016-05-30/"
    )
    summary = idlib.find(f"{ATOM}summary").text
    assert "Killed: 23–50 (2 sources)." in summary
    assert "Contested:" in summary


def test_the_feed_takes_the_list_filters(client, seed):
    response = client.get("/incidents/feed/?contested=false&country=sy")
    assert set(entries(response)) == {"Raids destroy two vaccination centres in Kfar Takharim"}


def test_the_feed_refuses_bad_filters(client, seed):
    response = client.get("/incidents/feed/?contested=maybe")
    assert response.status_code == 400
    assert "contested" in response.content.decode()


def test_the_feed_shows_newly_published_incidents_first(client, seed):
    fresh = make_incident(title="Just published", status="draft")
    fresh.status = "published"
    fresh.save()
    feed = ET.fromstring(client.get("/incidents/feed/").content)
    first = next(feed.iter(f"{ATOM}entry"))
    assert first.find(f"{ATOM}title").text == "Just published"


def test_the_feed_query_count_is_constant(client, django_assert_max_num_queries):
    for _ in range(20):
        make_busy_incident(n_claims=5)
    with django_assert_max_num_queries(6):
        response = client.get("/incidents/feed/")
    assert len(entries(response)) == 20


@override_settings(SITE_URL="https://incidents.example.org")
def test_the_sitemap_lists_published_incidents_and_public_sources(client, seed):
    make_incident(slug="secret-draft", status="draft")
    make_source(slug="hidden-activist", protected=True)
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = [loc.text for loc in ET.fromstring(index.content).iter(f"{SITEMAP}loc")]
    assert any(loc.endswith("/sitemap-incidents.xml") for loc in sections)
    assert any(loc.endswith("/sitemap-sources.xml") for loc in sections)

    urls = set()
    for name in ("pages", "incidents", "sources"):
        response = client.get(f"/sitemap-{name}.xml")
        assert response.status_code == 200
        urls |= {loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")}
    base = "https://incidents.example.org"
    assert f"{base}/incidents/idlib-city-airstrikes-2016-05-30/" in urls
    assert f"{base}/sources/syrian-observatory-for-human-rights/" in urls
    assert f"{base}/incidents/" in urls and f"{base}/sources/" in urls
    assert not any("secret-draft" in url or "hidden-activist" in url for url in urls)
    assert not any("ahmad-ariha" in url for url in urls)


@override_settings(SITE_URL="https://incidents.example.org")
def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: https://incidents.example.org/sitemap.xml" in body
    assert "Disallow: /admin/" in body

"""The list page's cached count, timeline, map and countries follow every change at once.

They are cached under the data's version (incidents.caching.ListCache), which the
database moves on in the transaction of any change to an incident or anything under
it; each test loads the page (filling the cache), changes the data by one path, and
loads it again.
"""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import workflow
from incidents.models import Claim, DataChange, Incident
from sources.models import Source
from tests.factories import make_claim, make_denial, make_incident, make_source

pytestmark = pytest.mark.django_db

LIST = "/incidents/"


def page(client, url=LIST):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'id="map-points"[^>]*>(.*?)</script>', html, re.S)
    points = json.loads(found.group(1)) if found else []
    return {
        "count": int(re.search(r'class="result-count"[^>]*><strong>(\d+)</strong>', html).group(1)),
        "countries": re.findall(r'<option value="([A-Z]{2})"', html),
        "map": sorted(point[2] for point in points),
        "timeline": re.search(r"\((\d+) dated\)", html).group(1) if "dated)" in html else "0",
        "slugs": re.findall(r'href="/incidents/([^/"]+)/"', html),
    }


@pytest.fixture
def listed(db):
    make_incident(slug="aleppo", country="SY", latitude=36.2, longitude=37.1)
    make_incident(slug="idlib", country="SY", latitude=35.9, longitude=36.6)


def test_a_published_incident_shows_in_the_count_countries_timeline_and_map(client, listed, editor):
    before = page(client)
    assert before["count"] == 2 and before["countries"] == ["SY"]
    assert before["map"] == ["aleppo", "idlib"] and before["timeline"] == "2"
    assert page(client) == before  # from the cache

    draft = make_incident(
        slug="tyre",
        status=Incident.Status.DRAFT,
        country="LB",
        latitude=33.3,
        longitude=35.2,
        occurred_start="2019-02-01",
    )
    assert page(client) == before  # a draft changes nothing the public sees
    workflow.transition(draft, Incident.Status.PUBLISHED, editor)

    after = page(client)
    assert after["count"] == 3
    assert after["countries"] == ["LB", "SY"]
    assert after["map"] == ["aleppo", "idlib", "tyre"]
    assert after["timeline"] == "3"

    # An undated incident counts, but has no place on the timeline.
    make_incident(slug="undated", occurred_start=None, occurred_precision="unknown")
    undated = page(client)
    assert undated["count"] == 4 and undated["timeline"] == "3"


def test_an_edit_shows_at_once(client, listed, editor):
    assert page(client, f"{LIST}?country=SY")["count"] == 2
    incident = Incident.objects.get(slug="idlib")
    incident.title = "Strike on the Idlib market"
    incident.country = "TR"
    incident.latitude, incident.longitude = 37.0, 35.3
    workflow.save_if_current(incident, incident.version, editor, reason="Wrong country.")

    assert page(client, f"{LIST}?country=SY")["count"] == 1
    assert page(client, f"{LIST}?country=TR")["map"] == ["idlib"]
    assert "Strike on the Idlib market" in client.get(LIST).content.decode()
    assert page(client)["countries"] == ["SY", "TR"]


def test_a_withdrawal_removes_the_incident_at_once(client, listed, editor):
    assert page(client)["map"] == ["aleppo", "idlib"]
    workflow.transition(
        Incident.objects.get(slug="aleppo"), Incident.Status.WITHDRAWN, editor, reason="A hoax."
    )

    after = page(client)
    assert after["count"] == 1 and after["map"] == ["idlib"] and after["timeline"] == "1"


def test_a_denial_makes_the_incident_contested_at_once(client, listed, editor):
    incident = Incident.objects.get(slug="aleppo")
    claim = make_claim(incident, figures=[("killed", 10, 10)])
    assert page(client, f"{LIST}?contested=true")["count"] == 0

    denial = make_denial(incident, denies=[claim])
    contested = page(client, f"{LIST}?contested=true")
    assert contested["count"] == 1 and contested["map"] == ["aleppo"]

    workflow.withdraw_part(denial, editor, "Entered against the wrong incident.")
    assert page(client, f"{LIST}?contested=true")["count"] == 0


def test_figures_and_revisions_change_the_contested_count_at_once(client, listed):
    incident = Incident.objects.get(slug="idlib")
    low = make_claim(incident, figures=[("killed", 10, 10)])
    make_claim(incident, figures=[("killed", 12, 12)])
    assert page(client, f"{LIST}?contested=true")["count"] == 0

    # The first source revises its toll down: 3 against 12 is more than 2x apart.
    revision = Claim.objects.create(
        incident=incident,
        source=low.source,
        kind=low.kind,
        statement="Revised.",
        supersedes=low,
    )
    assert page(client, f"{LIST}?contested=true")["count"] == 0
    revision.figures.create(category_id="killed", min_count=3, max_count=3, as_said="3")
    assert page(client, f"{LIST}?contested=true")["count"] == 1

    Claim.objects.filter(pk=revision.pk).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Retracted."
    )
    assert page(client, f"{LIST}?contested=true")["count"] == 0


def test_raw_sql_moves_the_version_on_too(client, listed):
    assert page(client, f"{LIST}?country=SY")["count"] == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_incident SET country = 'IQ' WHERE slug = 'aleppo'")

    assert page(client, f"{LIST}?country=SY")["count"] == 1
    assert page(client)["countries"] == ["IQ", "SY"]


def test_a_source_change_reaches_the_filters_at_once(client, listed):
    # The attributed_to filter leaves protected parties out for the public.
    party = make_source(slug="air-force", kind="armed_force")
    make_claim(
        Incident.objects.get(slug="idlib"),
        kind=Claim.Kind.ATTRIBUTION,
        attributed_to=party,
        statement="The air force did it.",
    )
    assert page(client, f"{LIST}?attributed_to=air-force")["count"] == 1
    party.protected = True
    party.save()
    assert page(client, f"{LIST}?attributed_to=air-force")["count"] == 0

    # A bulk update, which leaves updated_at alone, is seen as well.
    Source.objects.filter(pk=party.pk).update(protected=False)
    assert page(client, f"{LIST}?attributed_to=air-force")["count"] == 1


def test_the_cache_is_used_while_nothing_changes(client, listed, django_assert_num_queries):
    page(client)
    # The data's version; the count, timeline, map, countries and the page's entries
    # come from the cache.
    with django_assert_num_queries(1):
        page(client)


def test_the_database_notes_every_change_and_prunes_old_notes(listed):
    newest = DataChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    Incident.objects.filter(slug="idlib").update(summary="Changed in bulk.")
    assert DataChange.objects.order_by("-pk").values_list("pk", flat=True).first() > newest
    incident = Incident.objects.get(slug="idlib")
    for _ in range(510):
        incident.touch()
    assert DataChange.objects.count() <= 2 * 500


def test_a_new_figure_shows_in_the_entry_at_once(client, listed):
    incident = Incident.objects.get(slug="aleppo")
    claim = make_claim(incident, figures=[("killed", 10, 10)])
    assert "10" in entry(client, "aleppo")

    figure = claim.figures.get()
    figure.min_count = figure.max_count = 14
    figure.save()
    assert "14" in entry(client, "aleppo")


def entry(client, slug):
    html = client.get(LIST).content.decode()
    start = html.index(f'href="/incidents/{slug}/"')
    return html[start : html.index("</li>", start)]


def test_with_the_list_cache_off_every_request_counts_and_renders_anew(client, listed, settings):
    with CaptureQueriesContext(connection) as filling:
        assert page(client)["count"] == 2  # kept for LIST_CACHE_SECONDS
    settings.LIST_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as off:
        assert page(client)["count"] == 2
    # Not read from what the first request kept: the countries, the count with the
    # timeline and map, and the page's entries are read again.
    assert len(off.captured_queries) == len(filling.captured_queries) > 3

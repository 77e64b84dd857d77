"""The public incident pages, through their URLs: list, incident, errors."""

import json
import re

import pytest
from django.test import override_settings

from incidents.models import Claim, Incident
from tests.factories import (
    make_busy_incident,
    make_claim,
    make_denial,
    make_incident,
    make_report,
    make_source,
)

pytestmark = pytest.mark.django_db

IDLIB = "/incidents/idlib-city-airstrikes-2016-05-30/"
KFAR = "/incidents/kfar-takharim-vaccination-centres-2016-05-31/"


def text(response):
    return response.content.decode()


def section(html, element_id):
    """The HTML of the element with this id, up to the next top-level section."""
    start = html.index(f'id="{element_id}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else None]


def listed(html):
    """The list of incidents, without the map's data that also names them."""
    return html[html.index('class="incident-list"') :]


def map_points(html):
    return json.loads(re.search(r'id="map-points"[^>]*>(.*?)</script>', html, re.S).group(1))


# The incident page


def test_the_incident_page_shows_each_sources_figures_and_the_range(client, seed):
    response = client.get(IDLIB)
    assert response.status_code == 200
    casualties = section(text(response), "casualties")
    assert "23–50" in casualties
    assert "reported by 2 sources" in casualties
    for said in ("at least 23 people", "50 people", "over 200", "some 250 people"):
        assert f'<q dir="auto">{said}</q>' in casualties
    assert "Associated Press report on late-night airstrikes on Idlib" in casualties
    assert "31 May 2016" in casualties
    # One row per source and category: two rows for killed, with their numbers.
    table = casualties[casualties.index("<table") :]
    killed = table[table.index("Killed") : table.index("Injured")]
    assert killed.count('<th scope="row">') == 2
    assert '<td class="num" data-label="Min">23</td>' in killed
    assert '<td class="num" data-label="Max">50</td>' in killed


def test_the_chart_draws_one_bar_per_figure_with_accessible_text(client, seed):
    html = text(client.get(IDLIB))
    chart = html[html.index('class="charts"') : html.index('class="table-scroll"')]
    killed = chart[: chart.index("Injured:")]
    assert killed.count("<svg") == 1
    assert 'role="img"' in killed
    assert "<desc" in killed
    assert "Syrian Observatory for Human Rights: at least 23 people (23 or more)" in killed
    assert "Local Coordination Committees: 50 people (50)" in killed
    # “at least 23” runs open to the right, “50” is an exact mark.
    assert 'class="bar-open"' in killed and 'class="arrow"' in killed
    assert 'class="bar point"' in killed
    # A category without numbers is said in words, with no empty chart.
    trapped = chart[chart.index("Trapped:") :]
    assert "<svg" not in trapped
    assert '<q dir="auto">several</q>, without a number' in trapped


def test_the_denial_stands_beside_the_attribution_it_answers(client, seed):
    attributions = section(text(client.get(IDLIB)), "attributions")
    pair = attributions[attributions.index('class="attribution-pair"') :]
    assert "Attribution to" in pair and "Russian Aerospace Forces" in pair
    assert "claiming that Russian aircraft carried out the strikes" in pair
    answers = pair[pair.index('class="answers"') :]
    assert "Denied by" in answers
    assert "conducted any airstrikes in the province of Idlib" in answers
    assert "Moscow has staunchly denied" in answers


def test_the_dispute_is_said_in_plain_words_with_the_assessment(client, seed):
    status = section(text(client.get(IDLIB)), "status")
    assert "Contested" in status
    assert "denied by the accused, Russian Defense Ministry" in status
    assert "Editorial assessment: Contested" in status
    assert "Casualty tolls differ by more than two to one." in status


def test_an_uncontested_incident_says_so(client, seed):
    status = section(text(client.get(KFAR)), "status")
    assert "Not contested" in status
    assert "Editorial assessment: Weak" in status


def test_the_timeline_lists_claims_and_denials_in_date_order(client):
    incident = make_incident()
    accused = make_source(name="Air Force")
    early = make_claim(incident, statement="First account.", claimed_on="2016-05-30")
    blame = make_claim(
        incident,
        kind=Claim.Kind.ATTRIBUTION,
        attributed_to=accused,
        statement="They did it.",
        claimed_on="2016-06-02",
    )
    make_denial(
        incident, source=accused, denies=[blame], statement="Not us.", denied_on="2016-06-01"
    )
    make_claim(incident, statement="Undated account.")
    timeline = section(text(client.get(incident.get_absolute_url())), "timeline")
    order = [timeline.index(s) for s in ("First account", "Not us", "They did it", "Undated")]
    assert order == sorted(order)
    assert f'href="#claim-{early.pk}"' in timeline
    assert "Date not recorded" in timeline


def test_the_reports_section_gives_publisher_date_link_and_archive(client):
    incident = make_incident()
    publisher = make_source(name="Daily Courier", kind="media")
    report = make_report(
        title="Strikes hit market",
        publisher=publisher,
        url="https://news.example/strikes",
        archive_url="https://archive.example/strikes",
        published_on="2016-06-01",
        content_sha256="a" * 64,
    )
    make_claim(incident, report=report)
    reports = section(text(client.get(incident.get_absolute_url())), "reports")
    assert 'href="https://news.example/strikes"' in reports
    assert 'href="https://archive.example/strikes"' in reports
    assert "Daily Courier" in reports
    assert "1 June 2016" in reports
    assert "Carries 1 claim" in reports


def test_it_links_related_published_incidents_only(client, seed):
    draft = make_incident(title="Draft neighbour", status="draft")
    Incident.objects.get(slug=seed.slug).related.add(draft)
    related = section(text(client.get(IDLIB)), "related")
    assert "Raids destroy two vaccination centres in Kfar Takharim" in related
    assert "Draft neighbour" not in related


def test_it_offers_a_citation_downloads_and_sharing_metadata(client, seed):
    with override_settings(SITE_URL="https://incidents.example.org"):
        html = text(client.get(IDLIB))
    permalink = "https://incidents.example.org" + IDLIB
    cite = section(html, "cite")
    assert "Late-night airstrikes on Idlib city" in cite
    assert permalink in cite
    assert "Last updated" in cite
    assert f'href="/api/v1/incidents/{seed.pk}/?format=json"' in cite
    assert f'href="/api/v1/incidents/{seed.pk}/?format=csv"' in cite
    assert f'<link rel="canonical" href="{permalink}">' in html
    assert f'<meta property="og:url" content="{permalink}">' in html
    assert '<meta property="og:title" content="Late-night airstrikes on Idlib city">' in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "WebPage"
    assert data["about"]["@type"] == "Event"
    assert data["about"]["startDate"] == "2016-05-30"
    assert data["about"]["location"]["geo"]["latitude"] == pytest.approx(35.9306)


def test_it_hides_a_protected_sources_identity(client, seed):
    html = text(client.get(IDLIB))
    assert "Ahmad Ariha" not in html
    assert "ahmad-ariha" not in html
    assert "Protected source (individual)" in html


def test_a_quote_with_markup_is_shown_as_text(client):
    incident = make_incident(title="<b>Bold</b> title")
    make_claim(incident, statement='<script>alert("x")</script> and </script>')
    html = text(client.get(incident.get_absolute_url()))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<b>Bold</b>" not in html
    # The structured data cannot close its own script element either.
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in jsonld and json.loads(jsonld)["name"] == "<b>Bold</b> title"


def test_right_to_left_quotes_and_names_are_isolated(client):
    incident = make_incident(title="قصف على إدلب")
    source = make_source(name="المرصد السوري")
    make_claim(incident, source=source, statement="قتل ٢٣ شخصا")
    html = text(client.get(incident.get_absolute_url()))
    assert '<h1 dir="auto">قصف على إدلب</h1>' in html
    assert '<blockquote dir="auto"><p>قتل ٢٣ شخصا</p></blockquote>' in html
    assert 'dir="auto">المرصد السوري</a>' in html


def test_a_draft_incident_page_is_not_found(client):
    draft = make_incident(status="draft")
    in_review = make_incident(status="in_review")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(in_review.get_absolute_url()).status_code == 404


def test_the_not_found_page_is_in_the_sites_style(client):
    response = client.get("/incidents/no-such-incident/")
    assert response.status_code == 404
    html = text(response)
    assert "Page not found" in html
    assert 'class="site-header"' in html


def test_the_incident_page_query_count_is_constant(client, django_assert_max_num_queries):
    incident = make_busy_incident(n_claims=40)
    incident.related.add(make_incident(), make_incident())
    # One query for the conditional-GET validators, six for the claims, five for the
    # evidence (media, identifiers, intermediaries, two for captures), one for corrections.
    with django_assert_max_num_queries(13):
        response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    assert text(response).count('class="statement"') == 41


def test_the_incident_page_is_light(client, seed):
    response = client.get(IDLIB)
    assert len(response.content) < 120_000
    # No script runs on the incident page: only its structured data.
    assert re.findall(r"<script(?![^>]*application/ld\+json)", text(response)) == []


# The list


def test_the_list_shows_published_incidents_with_their_figures(client, seed):
    response = client.get("/incidents/")
    assert response.status_code == 200
    html = text(response)
    assert "<strong>2</strong> incidents" in html
    entries = listed(html)
    entry = entries[entries.index("Late-night airstrikes on Idlib city") :]
    assert "23–50" in entry[:2000]
    assert "Contested" in entry[:2000]


def test_the_home_page_is_the_list_with_an_introduction(client, seed):
    response = client.get("/")
    assert response.status_code == 200
    html = text(response)
    assert "Late-night airstrikes on Idlib city" in listed(html)
    assert re.search(r'<link rel="canonical" href="http://testserver/incidents/">', html)


def test_it_hides_drafts_from_the_list_counts_map_and_timeline(client, seed):
    make_incident(title="Secret draft", status="draft", latitude=1.0, longitude=2.0)
    html = text(client.get("/incidents/"))
    assert "Secret draft" not in html
    assert "<strong>2</strong> incidents" in html
    assert {point[2] for point in map_points(html)} == {
        "idlib-city-airstrikes-2016-05-30",
        "kfar-takharim-vaccination-centres-2016-05-31",
    }
    assert "(2 dated)" in html
    searched = text(client.get("/incidents/?q=secret"))
    assert "<strong>0</strong> incidents" in searched and "Secret draft" not in searched


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("q=vaccination", "Kfar Takharim", "Late-night airstrikes"),
        ("q=Konashenkov", "Late-night airstrikes", "Kfar Takharim"),
        ("contested=true", "Late-night airstrikes", "Kfar Takharim"),
        ("killed_min=30", "Late-night airstrikes", "Kfar Takharim"),
        ("attributed_to=russian-aerospace-forces", "Late-night airstrikes", "Kfar Takharim"),
        ("assessment=weak", "Kfar Takharim", "Late-night airstrikes"),
        ("occurred_after=2016-05-31", "Kfar Takharim", "Late-night airstrikes"),
    ],
)
def test_the_list_applies_the_filters_from_the_address(client, seed, query, shown, hidden):
    response = client.get(f"/incidents/?{query}")
    assert response.status_code == 200
    html = text(response)
    assert shown in listed(html)
    assert hidden not in listed(html)
    assert "<strong>1</strong> incident" in html


def test_it_shows_the_active_filters_in_words_with_links_to_remove_them(client, seed):
    html = text(client.get("/incidents/?attributed_to=russian-aerospace-forces&kind=attribution"))
    active = html[html.index('class="active-filters"') :]
    assert "Russian Aerospace Forces" in active[:1500]
    assert 'href="/incidents/?kind=attribution"' in active
    assert 'href="/incidents/?attributed_to=russian-aerospace-forces"' in active


def test_the_download_links_carry_the_same_filters(client, seed):
    html = text(client.get("/incidents/?country=SY&contested=true&page=1"))
    for fmt in ("csv", "json", "geojson"):
        assert f'href="/api/v1/incidents/?country=SY&amp;contested=true&amp;format={fmt}"' in html
    assert 'href="/incidents/feed/?country=SY&amp;contested=true"' in html


def test_empty_form_fields_are_dropped_from_the_address(client, seed):
    response = client.get("/incidents/?q=hospital&country=&kind=&ordering=-occurred")
    assert response.status_code == 302
    # The default order is no filter either.
    assert response["Location"] == "/incidents/?q=hospital"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=Syria", "two-letter ISO code"),
        ("occurred_after=yesterday", "Enter a valid date."),
        ("killed_min=-3", "greater than or equal to 0"),
        ("contested=maybe", "Select a valid choice."),
        ("kind=rumour", "Select a valid choice."),
        ("bbox=1,2,3", "min_lon,min_lat,max_lon,max_lat"),
        ("ordering=loudest", "Select a valid choice."),
    ],
)
def test_bad_filter_values_show_the_errors_with_status_400(client, seed, query, message):
    response = client.get(f"/incidents/?{query}")
    assert response.status_code == 400
    html = text(response)
    assert "These filters could not be applied" in html
    assert message in html
    # Never a silently unfiltered list.
    assert "Late-night airstrikes on Idlib city" not in html
    if not query.startswith("bbox"):  # the map area has no form control of its own
        assert 'aria-invalid="true"' in html


def test_the_list_sorts_by_most_killed(client, seed):
    make_claim(make_incident(title="Heaviest toll"), figures=[("killed", 90, 100)])
    html = listed(text(client.get("/incidents/?ordering=-killed")))
    assert html.index("Heaviest toll") < html.index("Late-night airstrikes on Idlib city")
    assert html.index("Late-night airstrikes on Idlib city") < html.index("Kfar Takharim</a>")


def test_the_list_paginates_and_keeps_the_filters(client):
    for _ in range(30):
        make_incident(country="IQ")
    html = text(client.get("/incidents/?country=IQ"))
    assert "Page 1 of 2" in html
    assert 'href="?country=IQ&amp;page=2"' in html
    html = text(client.get("/incidents/?country=IQ&page=2"))
    assert html.count('class="incident-entry"') == 5


def test_the_timeline_counts_incidents_per_month_and_links_to_them(client):
    for day in ("2016-01-05", "2016-01-20", "2016-03-02"):
        make_incident(occurred_start=day)
    html = text(client.get("/incidents/"))
    timeline = html[html.index('class="timeline"') :]
    assert "January 2016: 2 incidents" in timeline
    assert "March 2016: 1 incident" in timeline
    assert "February 2016:" not in timeline  # an empty month has a slot but no bar
    assert 'href="/incidents/?occurred_after=2016-01-01&amp;occurred_before=2016-01-31"' in timeline


@override_settings(
    MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png", MAP_TILE_ATTRIBUTION="© Tiles"
)
def test_the_map_gets_its_tiles_from_the_settings_and_its_points_from_the_page(client, seed):
    html = text(client.get("/incidents/?assessment=weak"))
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in html
    assert 'data-tile-attribution="© Tiles"' in html
    assert map_points(html) == [
        [
            36.1194,
            36.5169,
            "kfar-takharim-vaccination-centres-2016-05-31",
            "Raids destroy two vaccination centres in Kfar Takharim",
            "2016-05-31",
        ]
    ]
    # Every script is a file or JSON data: nothing inline to execute.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag


def test_the_list_query_count_is_constant(
    client, seed, django_assert_num_queries, django_assert_max_num_queries
):
    for _ in range(30):
        make_busy_incident(n_claims=6)
    # The data's version, the countries, the count with the timeline, the map points,
    # then the page: incidents, their claims (with figures), their denials (with the
    # claims they answer).
    with django_assert_num_queries(7):
        first = client.get("/incidents/?ordering=-killed")
    assert text(first).count('class="incident-entry"') == 25
    # Again, with nothing changed: the data's version, then the cache.
    with django_assert_num_queries(1):
        again = client.get("/incidents/?ordering=-killed")
    assert text(again) == text(first)

    # Other filters: their own count, timeline, map and page, and the names of the
    # sources they name; the countries are the same for every filter.
    with django_assert_max_num_queries(8):
        first = client.get("/incidents/?contested=true&source=source-1")
    with django_assert_num_queries(1):
        again = client.get("/incidents/?contested=true&source=source-1")
    assert first.status_code == again.status_code == 200
    assert text(again) == text(first)
    # Each page of a selection is its own entry.
    second = client.get("/incidents/?ordering=-killed&page=2")
    assert text(second).count('class="incident-entry"') == Incident.objects.public().count() - 25
    assert "Page 2 of 2" in text(second)

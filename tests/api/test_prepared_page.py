"""The unfiltered incident list, compiled once and prepared on the server, gives page by
page what the list built for each request gives (an empty filter takes that path)."""

import base64
import json
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import connection

from incidents.models import Incident
from tests.factories import make_claim, make_incident

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/"


@pytest.fixture
def archive(seed):
    # Days shared by several incidents, so the cursor's second column (the id) decides.
    for n in range(9):
        incident = make_incident(
            occurred_start=f"2020-01-0{1 + n % 3}", latitude=35.9 + n / 100, longitude=36.6
        )
        make_claim(incident, figures=[("killed", n, None)])
    make_incident(status=Incident.Status.DRAFT, occurred_start="2020-01-02")
    make_incident(occurred_start="2020-01-01", latitude=None, longitude=None)


def _without(url, name):
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return f"{parts.path}?{urlencode(query)}"


def _walk(client, url, link="next"):
    """Every page from ``url`` on, following ``link``: each page's results and links."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        pages.append(
            (
                data["results"] if "results" in data else data["features"],
                data.get("next") and _without(data["next"], "q"),
                data.get("previous") and _without(data["previous"], "q"),
            )
        )
        url = data.get(link)
        assert len(pages) < 50, "the links go round in circles"
    return pages


@pytest.mark.parametrize("who", ["api_client", "researcher_api"])
@pytest.mark.parametrize("fmt", ["json", "geojson"])
def test_every_page_both_ways_is_the_page_built_per_request(archive, request, who, fmt):
    client = request.getfixturevalue(who)
    start = f"{LIST}?page_size=2&format={fmt}"
    prepared = _walk(client, start)
    built = _walk(client, start + "&q=")
    assert prepared == built
    assert len(prepared) >= 5
    # Back from the last page by the previous links.
    last = prepared[-1][2]
    assert _walk(client, last, "previous") == _walk(client, last + "&q=", "previous")
    # The page's query is prepared on the server, once.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements "
            "WHERE statement LIKE '%%FROM \"incidents_incident\" WHERE%%LIMIT 3'"
        )
        statements = [row[0] for row in cursor.fetchall()]
    assert statements and len(statements) == len(set(statements))


def _cursor(values, direction="n", ordering="-occurred"):
    raw = json.dumps({"o": ordering, "d": direction, "v": values}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "values", [["not a date", 5], ["2020-01-02", "five"], ["2020-01-02", 10**20]]
)
def test_a_cursor_whose_values_do_not_fit_is_refused_with_the_same_words(
    archive, api_client, values
):
    for url in (f"{LIST}?cursor={_cursor(values)}", f"{LIST}?q=&cursor={_cursor(values)}"):
        response = api_client.get(url)
        assert response.status_code == 400
        assert response.json()["cursor"] == ["Invalid cursor: use the links as given."]


def test_a_cursor_holding_an_empty_day_pages_on(archive, api_client):
    # A sort value of NULL (none here, but a cursor may hold one) compiles its own query.
    response = api_client.get(f"{LIST}?cursor={_cursor([None, 10**9])}")
    built = api_client.get(f"{LIST}?q=&cursor={_cursor([None, 10**9])}")
    assert response.status_code == built.status_code == 200
    assert response.json()["results"] == built.json()["results"]

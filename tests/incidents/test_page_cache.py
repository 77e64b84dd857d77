"""The incident page is kept rendered in the shared cache while the incident is unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from incidents.models import Figure, Incident
from sources.models import Capture
from tests.factories import make_claim, make_incident, make_report

pytestmark = pytest.mark.django_db


def test_an_unchanged_page_is_sent_again_after_one_query(client, seed, django_assert_num_queries):
    first = client.get(seed.get_absolute_url())
    assert first.status_code == 200

    # The one query reads the incident's updated_at, which the ETag needs too.
    with django_assert_num_queries(1):
        again = client.get(seed.get_absolute_url())

    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    html = again.content.decode()
    assert "Syrian Observatory" in html
    assert '<script type="application/ld+json"' in html
    assert f"<title>{escape(seed.title)} · Incident tracker</title>" in html


def test_any_change_under_the_incident_shows_at_once(client, seed):
    client.get(seed.get_absolute_url())
    figure = Figure.objects.filter(claim__incident=seed, category_id="killed").first()

    # Written by raw SQL: the database's triggers touch the incident all the same.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_figure SET as_said = 'exactly 4321 people', min_count = 4321, "
            "max_count = 4321 WHERE id = %s",
            [figure.pk],
        )

    assert "exactly 4321 people" in client.get(seed.get_absolute_url()).content.decode()


def test_a_withdrawn_incident_is_gone_though_its_page_was_kept(client, seed):
    assert client.get(seed.get_absolute_url()).status_code == 200
    Incident.objects.filter(pk=seed.pk).update(
        status=Incident.Status.WITHDRAWN, withdrawn_reason="Misattributed footage."
    )

    response = client.get(seed.get_absolute_url())

    assert response.status_code == 410
    assert "Misattributed footage." in response.content.decode()


def test_staff_and_the_public_never_share_a_kept_page(client, admin_user):
    incident = make_incident(title="Shelling of the market")
    report = make_report(url="https://example.org/market")
    Capture.objects.create(
        report=report,
        requested_url=report.url,
        final_url=report.url,
        status=Capture.Status.ARCHIVED,
        http_status=200,
        sha256="1" * 64,
        warc_sha256="2" * 64,
        warc_file="captures/market.warc.gz",
    )
    make_claim(incident, report=report, figures=[("killed", 3, 3)])
    warc = "/warc"

    public = client.get(incident.get_absolute_url()).content.decode()
    client.force_login(admin_user)
    staff = client.get(incident.get_absolute_url()).content.decode()
    client.logout()
    public_again = client.get(incident.get_absolute_url()).content.decode()

    # Staff get the archived file's link; the public never do, before or after.
    assert warc in staff
    assert warc not in public
    assert warc not in public_again


def test_the_page_is_rendered_each_time_with_the_cache_off(client, seed, settings):
    settings.INCIDENT_PAGE_CACHE_SECONDS = 0
    client.get(seed.get_absolute_url())

    with CaptureQueriesContext(connection) as captured:
        response = client.get(seed.get_absolute_url())

    assert response.status_code == 200
    # The updated_at, then the incident and everything it shows.
    assert len(captured) > 5

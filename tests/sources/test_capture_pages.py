"""The incident page shows each report's archived copy: its hash and time, the WARC for staff."""

import hashlib
import re

import pytest
from django.utils.html import strip_tags

from sources.models import Capture, Report

from .conftest import ARTICLE

pytestmark = pytest.mark.django_db

IDLIB = "/incidents/idlib-city-airstrikes-2016-05-30/"
ARTICLE_SHA256 = hashlib.sha256(ARTICLE.read_bytes()).hexdigest()


def reports_section(response):
    html = response.content.decode()
    start = html.index('id="reports"')
    return html[start : html.find("<section", start)]


@pytest.fixture
def captured(seed, archiving, news_site, django_capture_on_commit_callbacks):
    """The seed's AP report, archived from the local copy of the article."""
    report = Report.objects.get(publisher__slug="associated-press")
    with django_capture_on_commit_callbacks(execute=True):
        report.url = f"{news_site}/ap-idlib.html"
        report.save()
    return Capture.objects.archived().get(report=report)


def test_the_page_shows_the_archived_copys_hash_and_time(client, captured):
    assert captured.sha256 == ARTICLE_SHA256
    reports = reports_section(client.get(IDLIB))
    said = re.sub(r"\s+", " ", strip_tags(reports))
    assert f'<code class="hash">{ARTICLE_SHA256}</code>' in reports
    when = captured.captured_at
    assert f"Archived here {when.day} {when:%B %Y, %H:%M} UTC (HTTP 200)" in said


def test_the_public_never_gets_the_warc_file(client, captured):
    html = client.get(IDLIB).content.decode()
    assert "/warc/" not in html
    assert "WARC file" not in html
    assert client.get(f"/admin/sources/capture/{captured.pk}/warc/").status_code == 302


def test_staff_get_the_warc_link(editor_client, captured):
    reports = reports_section(editor_client.get(IDLIB))
    link = f'href="/admin/sources/capture/{captured.pk}/warc/"'
    assert link in reports
    assert editor_client.get(f"/admin/sources/capture/{captured.pk}/warc/").status_code == 200


def test_a_new_capture_changes_the_pages_validators(
    client, seed, archiving, news_site, django_capture_on_commit_callbacks
):
    etag = client.get(IDLIB)["ETag"]
    report = Report.objects.get(publisher__slug="associated-press")
    with django_capture_on_commit_callbacks(execute=True):
        report.url = f"{news_site}/ap-idlib.html"
        report.save()
    response = client.get(IDLIB, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert ARTICLE_SHA256 in response.content.decode()


def test_a_report_not_yet_archived_says_so(client, seed):
    Report.objects.filter(publisher__slug="associated-press").update(url="https://example.org/ap")
    assert "Not archived here yet." in reports_section(client.get(IDLIB))

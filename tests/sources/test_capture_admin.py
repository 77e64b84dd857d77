"""Captures in the admin: shown on their report with their hash, never editable."""

import hashlib

import pytest

from sources.models import Capture, Report
from tests.admin_forms import form_data

from .conftest import ARTICLE

pytestmark = pytest.mark.django_db

ARTICLE_SHA256 = hashlib.sha256(ARTICLE.read_bytes()).hexdigest()


def seed_report(seed):
    return Report.objects.get(title="Associated Press report on late-night airstrikes on Idlib")


def test_the_seed_reports_archived_capture_shows_in_the_admin_with_its_hash(
    archiving, news_site, seed, admin_user, admin_user_client, django_capture_on_commit_callbacks
):
    report = seed_report(seed)
    url = f"/admin/sources/report/{report.pk}/change/"
    data = form_data(admin_user_client.get(url))
    data["url"] = f"{news_site}/ap-idlib.html"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_user_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    capture = report.captures.get()
    assert capture.status == Capture.Status.ARCHIVED
    assert capture.sha256 == ARTICLE_SHA256
    assert capture.requested_by == admin_user

    page = admin_user_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert ARTICLE_SHA256 in content
    assert "Archived" in content
    assert "Download WARC" in content

    warc = admin_user_client.get(f"/admin/sources/capture/{capture.pk}/warc/")
    assert warc.status_code == 200
    assert warc["Content-Disposition"].startswith("attachment;")
    assert warc["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(warc.streaming_content)).hexdigest() == capture.warc_sha256


def test_archive_again_adds_a_capture_and_keeps_the_earlier_one(
    archiving, news_site, admin_user, admin_user_client, django_capture_on_commit_callbacks
):
    from tests.factories import make_report

    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(url=f"{news_site}/ap-idlib.html")
        without_url = make_report()
    first = report.captures.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_user_client.post(
            "/admin/sources/report/",
            {"action": "archive_again", "_selected_action": [report.pk, without_url.pk]},
            follow=True,
        )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Archiving 1 report(s) in the background" in content
    assert "1 report(s) have no URL to archive." in content
    captures = list(report.captures.order_by("id"))
    assert len(captures) == 2
    assert captures[0] == first
    assert captures[1].requested_by == admin_user
    assert captures[1].sha256 == first.sha256
    assert not without_url.captures.exists()


def test_captures_cannot_be_added_changed_or_deleted_in_the_admin(
    archiving, news_site, admin_user_client, django_capture_on_commit_callbacks
):
    from tests.factories import make_report

    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(url=f"{news_site}/ap-idlib.html")
    capture = report.captures.get()
    assert admin_user_client.get("/admin/sources/capture/add/").status_code == 403
    page = admin_user_client.get(f"/admin/sources/capture/{capture.pk}/change/")
    assert page.status_code == 200
    assert 'name="sha256"' not in page.content.decode()  # shown, not editable
    assert ARTICLE_SHA256 in page.content.decode()
    assert admin_user_client.get(f"/admin/sources/capture/{capture.pk}/delete/").status_code == 403
    response = admin_user_client.post(
        f"/admin/sources/capture/{capture.pk}/change/", {"sha256": "0" * 64}
    )
    assert response.status_code == 403
    assert Capture.objects.get(pk=capture.pk).sha256 == ARTICLE_SHA256


def test_a_researcher_sees_a_reports_captures(
    archiving, news_site, researcher_client, django_capture_on_commit_callbacks
):
    from tests.factories import make_report

    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(url=f"{news_site}/ap-idlib.html")
    page = researcher_client.get(f"/admin/sources/report/{report.pk}/change/")
    assert page.status_code == 200
    assert ARTICLE_SHA256 in page.content.decode()
    capture = report.captures.get()
    assert researcher_client.get(f"/admin/sources/capture/{capture.pk}/warc/").status_code == 200


def test_anonymous_users_cannot_download_a_warc(client, archiving):
    from tests.factories import make_report

    report = make_report()
    capture = Capture.objects.create(
        report=report, requested_url="https://example.org/", status="failed", error="Refused."
    )
    response = client.get(f"/admin/sources/capture/{capture.pk}/warc/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_report_page_stays_within_a_query_budget_with_many_captures(
    admin_user_client, django_assert_max_num_queries
):
    from tests.factories import make_report

    report = make_report()
    for n in range(30):
        Capture.objects.create(
            report=report,
            requested_url=f"https://example.org/{n}",
            status="failed",
            error="The host example.org cannot be found.",
        )
    with django_assert_max_num_queries(20):
        response = admin_user_client.get(f"/admin/sources/report/{report.pk}/change/")
    assert response.status_code == 200
    assert response.content.decode().count("cannot be found") == 30

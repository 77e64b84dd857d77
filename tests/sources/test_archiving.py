"""Archiving reports' pages: captured as WARC, hashed, immutable, fetched safely."""

import gzip
import hashlib
import io
import ssl
import zlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator

from sources import archiving as archiving_module
from sources.archiving import payload_digest_header
from sources.models import CAPTURE_IMMUTABLE, Capture, Report
from tests.factories import make_report

from .conftest import ARTICLE

pytestmark = pytest.mark.django_db

ARTICLE_SHA256 = hashlib.sha256(ARTICLE.read_bytes()).hexdigest()


def save_report_with_url(url, commit_callbacks, **fields):
    with commit_callbacks(execute=True):
        return make_report(url=url, **fields)


def test_saving_a_report_with_a_url_archives_the_page(
    archiving, news_site, django_capture_on_commit_callbacks
):
    before = timezone.now()
    report = save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)

    capture = Capture.objects.get(report=report)
    assert capture.status == Capture.Status.ARCHIVED
    assert capture.http_status == 200
    assert capture.final_url == f"{news_site}/ap-idlib.html"
    assert capture.requested_url == f"{news_site}/ap-idlib.html"
    # The page exactly as served: the hash is the article file's own.
    assert capture.sha256 == ARTICLE_SHA256
    assert capture.size == len(ARTICLE.read_bytes())
    assert capture.content_type == "text/html; charset=utf-8"
    assert capture.remote_ip == "127.0.0.1"
    assert before <= capture.captured_at <= timezone.now()
    assert capture.captured_at.utcoffset().total_seconds() == 0
    assert capture.requested_by is None
    assert capture.warc_file.name.startswith("captures/")
    assert capture.warc_file.name.endswith(".warc.gz")
    assert capture.error == ""


def test_the_extracted_text_is_the_article_without_scripts(
    archiving, news_site, django_capture_on_commit_callbacks
):
    report = save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)
    text = report.captures.get().text
    assert text.startswith("Airstrikes on Syria's Idlib kill at least 23, activists say")
    assert "At least seven children were among those killed" in text
    assert "The videos appeared genuine and corresponded to other AP reporting" in text
    assert "tracking-code-should-not-appear" not in text
    assert "script-output-should-not-appear" not in text
    assert "font-family" not in text


def test_the_warc_file_holds_the_exchange_with_sha256_digests(
    archiving, news_site, django_capture_on_commit_callbacks
):
    report = save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)
    capture = report.captures.get()
    data = capture.warc_file.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == capture.warc_sha256

    records = list(ArchiveIterator(io.BytesIO(data)))
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]
    response, request = records[1], records[2]
    assert request.rec_headers.get_header("WARC-Target-URI") == capture.final_url
    assert response.rec_headers.get_header("WARC-Payload-Digest") == payload_digest_header(
        capture.sha256
    )
    assert response.rec_headers.get_header("WARC-Block-Digest").startswith("sha256:")
    assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response.http_headers.get_statuscode() == "200"
    assert request.http_headers.protocol == "GET"
    assert request.http_headers.statusline == "/ap-idlib.html HTTP/1.0"
    assert request.http_headers.get_header("Host") == news_site.removeprefix("http://")
    assert request.http_headers.get_header("Accept-Encoding") == "identity"

    # Re-read with digest checking: every record's stored digest matches its bytes.
    for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
        record.content_stream().read()
        assert record.digest_checker.passed is not False


def test_redirects_are_followed_and_each_hop_is_recorded(
    archiving, news_site, django_capture_on_commit_callbacks
):
    report = save_report_with_url(f"{news_site}/moved", django_capture_on_commit_callbacks)
    capture = report.captures.get()
    assert capture.status == Capture.Status.ARCHIVED
    assert capture.requested_url == f"{news_site}/moved"
    assert capture.final_url == f"{news_site}/ap-idlib.html"
    assert capture.sha256 == ARTICLE_SHA256
    data = capture.warc_file.open("rb").read()
    responses = [
        (r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode())
        for r in ArchiveIterator(io.BytesIO(data))
        if r.rec_type == "response"
    ]
    assert responses == [(f"{news_site}/moved", "301"), (f"{news_site}/ap-idlib.html", "200")]


def test_a_missing_page_is_archived_with_its_status(
    archiving, news_site, django_capture_on_commit_callbacks
):
    report = save_report_with_url(f"{news_site}/gone", django_capture_on_commit_callbacks)
    capture = report.captures.get()
    assert capture.status == Capture.Status.ARCHIVED
    assert capture.http_status == 404
    assert capture.text == "Not found"


@pytest.mark.parametrize(
    ("path_or_url", "expected"),
    [
        ("http://10.0.0.5/bulletin", "resolves to 10.0.0.5"),
        ("http://169.254.169.254/latest/meta-data/", "resolves to 169.254.169.254"),
        ("http://[::1]/", "resolves to ::1"),
        ("http://[::ffff:127.0.0.1]/", "resolves to ::ffff:7f00:1"),
        ("http://0.0.0.0/", "resolves to 0.0.0.0"),
        ("http://localhost:{port}/ap-idlib.html", "localhost resolves to"),
        ("/to-metadata", "resolves to 169.254.169.254"),
        ("/to-private", "resolves to 10.20.30.40"),
        ("/to-localhost", "localhost resolves to"),
        ("ftp://example.org/file", "Only http and https addresses"),
        ("http://user:secret@example.org/", "user name or password"),
    ],
)
def test_it_refuses_private_addresses_and_redirects_to_them(
    archiving, news_site, django_capture_on_commit_callbacks, path_or_url, expected
):
    port = news_site.rsplit(":", 1)[1]
    url = path_or_url.format(port=port)
    if url.startswith("/"):
        url = news_site + url
    with django_capture_on_commit_callbacks(execute=True):
        # Saved unchecked: a URLField would refuse some of these before the archiver could.
        report = make_report(url=url)
    capture = report.captures.get()
    assert capture.status == Capture.Status.FAILED
    assert expected in capture.error
    assert capture.sha256 == ""
    assert not capture.warc_file
    assert Report.objects.filter(pk=report.pk, url=url).exists()  # the report is kept


@pytest.mark.parametrize(
    ("path", "setting", "value", "expected"),
    [
        ("/big", "ARCHIVE_MAX_BYTES", 1000, "larger than 1000 bytes"),
        ("/slow", "ARCHIVE_TIMEOUT", 1, "did not answer within 1 seconds"),
        ("/loop", "ARCHIVE_TIMEOUT", 10, "More than 5 redirects"),
    ],
)
def test_it_records_a_failure_when_a_limit_is_reached(
    archiving, news_site, django_capture_on_commit_callbacks, path, setting, value, expected
):
    setattr(archiving, setting, value)
    report = save_report_with_url(
        news_site + path, django_capture_on_commit_callbacks, title="Kept whatever happens"
    )
    capture = report.captures.get()
    assert capture.status == Capture.Status.FAILED
    assert expected in capture.error
    assert Report.objects.get(pk=report.pk).title == "Kept whatever happens"


def test_an_https_page_is_archived_when_its_certificate_is_trusted(
    archiving, tls_site, monkeypatch, django_capture_on_commit_callbacks
):
    base, cert = tls_site
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(archiving_module.ssl, "create_default_context", lambda: trusting)
    report = save_report_with_url(f"{base}/moved", django_capture_on_commit_callbacks)
    capture = report.captures.get()
    assert capture.status == Capture.Status.ARCHIVED, capture.error
    assert capture.final_url == f"{base}/ap-idlib.html"
    assert capture.sha256 == ARTICLE_SHA256


def test_an_https_page_with_an_untrusted_certificate_is_refused(
    archiving, tls_site, django_capture_on_commit_callbacks
):
    base, _ = tls_site
    report = save_report_with_url(f"{base}/ap-idlib.html", django_capture_on_commit_callbacks)
    capture = report.captures.get()
    assert capture.status == Capture.Status.FAILED
    assert "Secure connection to 127.0.0.1 failed (CERTIFICATE_VERIFY_FAILED)" in capture.error


def test_a_report_with_captures_cannot_be_deleted(
    archiving, news_site, django_capture_on_commit_callbacks
):
    report = save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)
    with pytest.raises(ProtectedError):
        report.delete()
    assert Capture.objects.filter(report=report).exists()


def test_only_a_new_url_is_archived_not_every_edit(
    archiving, news_site, django_capture_on_commit_callbacks
):
    report = save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        report = Report.objects.get(pk=report.pk)
        report.title = "A better title"
        report.save()
    assert report.captures.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        report.url = f"{news_site}/moved"
        report.save()
    assert report.captures.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        make_report(title="No address")
    assert Capture.objects.count() == 2


def test_captures_cannot_be_changed_or_deleted(
    archiving, news_site, django_capture_on_commit_callbacks
):
    report = save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)
    capture = report.captures.get()
    with pytest.raises(IntegrityError, match="cannot be changed or deleted"), transaction.atomic():
        Capture.objects.filter(pk=capture.pk).update(sha256="0" * 64)
    with pytest.raises(IntegrityError, match="cannot be changed or deleted"), transaction.atomic():
        Capture.objects.filter(pk=capture.pk).delete()
    assert Capture.objects.get(pk=capture.pk).sha256 == ARTICLE_SHA256
    assert CAPTURE_IMMUTABLE.startswith("A capture is evidence")


def test_the_database_refuses_an_archived_capture_without_its_hash():
    report = make_report()
    with pytest.raises(IntegrityError, match="capture_archived_complete"), transaction.atomic():
        Capture.objects.create(
            report=report, requested_url="https://example.org/", status="archived", http_status=200
        )


def test_the_database_worker_runs_the_queued_archiving(
    archiving, news_site, monkeypatch, django_capture_on_commit_callbacks
):
    archiving.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # Between tasks the worker drops connections, as a long-running process should;
    # here that would end the test's own transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    report = save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)
    assert not report.captures.exists()  # queued, not run
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "sources.tasks.archive_report"

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    capture = report.captures.get()
    assert capture.status == Capture.Status.ARCHIVED
    assert capture.sha256 == ARTICLE_SHA256
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def _tamper(capture, old, new):
    """Edit the archived page inside the stored WARC file, as someone with disk access could.

    Each WARC record is its own gzip member; the edit keeps the length, so the file
    still reads as a valid WARC and only the hashes can tell.
    """
    path = capture.warc_file.path
    with open(path, "rb") as stored:
        data = stored.read()
    members = []
    while data:
        member = zlib.decompressobj(wbits=31)
        members.append(member.decompress(data))
        data = member.unused_data
    assert any(old in member for member in members)
    with open(path, "wb") as stored:
        for member in members:
            stored.write(gzip.compress(member.replace(old, new)))


def test_verify_captures_passes_when_nothing_has_changed(
    archiving, news_site, django_capture_on_commit_callbacks
):
    save_report_with_url(f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks)
    out = io.StringIO()
    call_command("verify_captures", stdout=out)
    assert "1 capture(s) checked, 0 mismatched." in out.getvalue()


def test_verify_captures_reports_a_tampered_file_and_exits_non_zero(
    archiving, news_site, django_capture_on_commit_callbacks, capsys
):
    intact = save_report_with_url(
        f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks
    ).captures.get()
    tampered = save_report_with_url(
        f"{news_site}/moved", django_capture_on_commit_callbacks
    ).captures.get()
    _tamper(tampered, b"killing at least 23 people", b"killing at least 32 people")

    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 capture\(s\) checked, 1 mismatched"):
        call_command("verify_captures", stderr=err)
    report = err.getvalue()
    assert f"MISMATCH capture #{tampered.pk}" in report
    assert f"capture #{intact.pk}" not in report
    assert "the archived page has changed" in report
    assert "the WARC file has changed" in report

    # Run as from the shell: the exit status says something is wrong.
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "verify_captures"]).execute()
    assert exit_info.value.code == 1
    assert "MISMATCH" in capsys.readouterr().err


def test_verify_captures_reports_a_missing_file(
    archiving, news_site, django_capture_on_commit_callbacks
):
    capture = save_report_with_url(
        f"{news_site}/ap-idlib.html", django_capture_on_commit_callbacks
    ).captures.get()
    capture.warc_file.storage.delete(capture.warc_file.name)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_captures", stderr=err)
    assert "cannot be read" in err.getvalue()


@pytest.mark.parametrize(
    ("scheme", "host", "port", "expected"),
    [
        ("http", "example.org", 80, "example.org"),
        ("https", "example.org", 443, "example.org"),
        ("https", "example.org", 8443, "example.org:8443"),
        ("http", "2001:db8::1", 8080, "[2001:db8::1]:8080"),
        ("https", "bücher.example", 443, "xn--bcher-kva.example"),
    ],
)
def test_the_host_header_names_the_site_as_browsers_do(scheme, host, port, expected):
    assert archiving_module._host_header(scheme, host, port) == expected

"""The API's read queries prepared on the server give what the plain queries give."""

import datetime

import pytest
from django.db import connection

from config.renderers import dumps
from incidents.api_read import _CLAIMS, Reader, incident_rows
from incidents.models import Claim, Incident
from sources.models import Source
from tests.factories import make_claim, make_denial, make_incident, make_report, make_source


def _read(staff):
    rows = list(incident_rows(Incident.objects.order_by("pk"), staff))
    return dumps(Reader(staff).incidents(rows))


@pytest.fixture
def incidents(seed):
    hidden = make_source(name="Hidden witness", kind=Source.Kind.INDIVIDUAL, protected=True)
    blog = make_source(name="Hidden blog", kind=Source.Kind.MEDIA, protected=True)
    accused = make_source(kind=Source.Kind.ARMED_FORCE)
    for n in range(3):
        incident = make_incident()
        first = make_claim(
            incident, source=hidden, report=make_report(publisher=blog), figures=[("killed", n, 9)]
        )
        make_claim(incident, source=hidden, supersedes=first, figures=[("killed", 12, None)])
        blamed = make_claim(
            incident, kind=Claim.Kind.ATTRIBUTION, attributed_to=accused, statement="They did."
        )
        make_denial(incident, source=accused, denies=[blamed, first])


@pytest.mark.parametrize("staff", [False, True])
def test_prepared_reads_give_what_plain_reads_give(incidents, staff):
    prepared = [_read(staff) for _ in range(3)]  # the first read prepares
    settings_dict = connection.settings_dict
    before = settings_dict.get("DISABLE_SERVER_SIDE_CURSORS", False)
    settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True  # as behind PgBouncer
    try:
        plain = _read(staff)
    finally:
        settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = before
    assert prepared == [plain] * 3
    assert (b"Hidden" in plain) is staff


def test_the_claims_and_denials_queries_are_prepared_once(incidents):
    for _ in range(3):
        _read(False)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT %%'"
        )
        statements = [row[0] for row in cursor.fetchall()]
    assert any('FROM "incidents_claim" LEFT OUTER JOIN' in s for s in statements)
    assert any('FROM "incidents_denial" LEFT OUTER JOIN' in s for s in statements)
    assert len(statements) == len(set(statements))


def test_timestamps_are_read_as_django_reads_them(incidents):
    """The read path decodes timestamps with the driver's own loader when the session's
    time zone is Django's, and with Django's otherwise: the same values either way."""
    ids = list(Incident.objects.values_list("pk", flat=True))

    def read():
        rows = _CLAIMS["incident_id"].dicts((ids,), "default")
        return sorted((row["id"], row["updated_at"], row["updated_at"].tzinfo) for row in rows)

    def django_reads():
        claims = Claim.objects.not_withdrawn().filter(incident__in=ids)
        return sorted(
            (pk, value, value.tzinfo) for pk, value in claims.values_list("pk", "updated_at")
        )

    assert read() == django_reads()
    assert {tz for _, _, tz in read()} == {datetime.UTC}
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Damascus'")
    try:
        assert read() == django_reads()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")

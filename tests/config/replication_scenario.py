"""A researcher, a reader and a real primary with a real streaming replica.

Run in its own process by test_replication.py, with DATABASE_URL naming the primary
and DATABASE_REPLICA_URLS the replica. Prints what each request saw, as JSON.
"""

import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from incidents.models import Claim, Incident  # noqa: E402
from sources.models import Source  # noqa: E402

PRIMARY, REPLICA = "default", "replica1"
NEW_STATEMENT = "The hospital director said the second strike hit the maternity ward."


def wait_for_replica():
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise TimeoutError("The replica did not catch up within 30 seconds.")


def set_replay(paused):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()"
        )
        deadline = time.monotonic() + 30
        while paused and time.monotonic() < deadline:
            cursor.execute("SELECT pg_get_wal_replay_pause_state()")
            if cursor.fetchone()[0] == "paused":
                return
            time.sleep(0.05)


def request(client, method, url, data=None):
    """Send a request; count the queries each server answered."""
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    return {
        "status": response.status_code,
        "content": response.content.decode(),
        "primary_queries": len(primary.captured_queries),
        "replica_queries": len(replica.captured_queries),
        "cookies": sorted(response.cookies),
    }


def main():
    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)
    source = Source.objects.create(name="Idlib Health Directorate", slug="idlib-health", kind="ngo")
    incident = Incident.objects.create(
        title="Strike on a hospital in Idlib",
        slug="strike-on-a-hospital-in-idlib",
        status=Incident.Status.PUBLISHED,
        occurred_start="2016-05-30",
    )
    editor = get_user_model().objects.create_superuser("editor", password="x" * 20)
    wait_for_replica()
    seen = {}

    reader, writer = Client(), Client()
    writer.force_login(editor)
    # Past the admin's one-time-code step, as the editor's real sign-in would be.
    device = TOTPDevice.objects.create(user=editor, name="Authenticator")
    session = writer.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    wait_for_replica()
    page = incident.get_absolute_url()
    seen["read"] = request(reader, "get", page)

    with connections[REPLICA].cursor() as cursor:
        try:
            cursor.execute("CREATE TABLE replica_write_probe (id int)")
            seen["replica_refused_write"] = ""
        except DatabaseError as error:
            seen["replica_refused_write"] = str(error).splitlines()[0]

    # Hold the replica back, as replication lag would, while the researcher writes.
    set_replay(paused=True)
    seen["write"] = request(
        writer,
        "post",
        "/admin/incidents/claim/add/",
        {
            "incident": incident.pk,
            "kind": "damage",
            "source": source.pk,
            "statement": NEW_STATEMENT,
            "figures-TOTAL_FORMS": 0,
            "figures-INITIAL_FORMS": 0,
            "via_links-TOTAL_FORMS": 0,
            "via_links-INITIAL_FORMS": 0,
            "media-TOTAL_FORMS": 0,
            "media-INITIAL_FORMS": 0,
            # The incident is published: every change to it says why.
            "change_reason": "Added the health directorate's report.",
        },
    )
    seen["claim_on_primary"] = Claim.objects.using(PRIMARY).filter(statement=NEW_STATEMENT).exists()
    seen["claim_on_replica"] = Claim.objects.using(REPLICA).filter(statement=NEW_STATEMENT).exists()
    seen["writer_reads"] = request(writer, "get", page)
    seen["reader_reads_during_lag"] = request(reader, "get", page)
    set_replay(paused=False)
    wait_for_replica()
    seen["reader_reads_after_catch_up"] = request(reader, "get", page)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()

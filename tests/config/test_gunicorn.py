import gc
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import make_incident


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(transactional_db, django_db_serialized_rollback, tmp_path):
    """The app under gunicorn with the project's config, on loopback, reading the test database.

    Without a per-test transaction, so the server sees the rows the test commits.
    """
    yield from serve(tmp_path)


@pytest.fixture
def gunicorn_recycling(transactional_db, django_db_serialized_rollback, tmp_path):
    """The same, its worker replaced after every 3 requests."""
    yield from serve(tmp_path, GUNICORN_MAX_REQUESTS="3", GUNICORN_MAX_REQUESTS_JITTER="0")


def serve(tmp_path, **extra_env):
    params = connection.get_connection_params()
    host = quote(str(params.get("host") or "localhost"), safe="")
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": f"postgres://{params.get('user', 'postgres')}@/{params['dbname']}"
        f"?host={host}" + (f"&port={params['port']}" if params.get("port") else ""),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        **extra_env,
    }
    log = tmp_path / "gunicorn.log"
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(gunicorn_bin), "-c", "gunicorn.conf.py", "config.wsgi"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", log
    finally:
        server.terminate()
        server.wait(15)


def test_the_app_serves_pages_under_gunicorn_with_the_project_config(gunicorn):
    base, log = gunicorn
    incident = make_incident(title="Shelling of the bakery in Maarat al-Numan")
    with urllib.request.urlopen(f"{base}/incidents/", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert "Shelling of the bakery" in response.read().decode()
    with urllib.request.urlopen(f"{base}{incident.get_absolute_url()}", timeout=10) as response:
        assert response.status == 200
        etag = response.headers["ETag"]
    request = urllib.request.Request(
        f"{base}{incident.get_absolute_url()}", headers={"If-None-Match": etag}
    )
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=10)
    assert not_modified.value.code == 304
    time.sleep(0.2)
    assert '"GET /incidents/ HTTP/1.1" 200' in log.read_text()  # the access log


def test_the_gunicorn_config_reads_its_settings_from_the_environment():
    env = os.environ | {"WEB_CONCURRENCY": "7", "GUNICORN_MAX_REQUESTS": "500"}
    gunicorn_bin = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn_bin), "--print-config", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    config = dict(
        (part.strip() for part in line.split("=", 1))
        for line in result.stdout.splitlines()
        if "=" in line
    )
    assert config["workers"] == "7"
    assert config["worker_class"] == "sync"
    assert config["max_requests"] == "500"
    assert int(config["max_requests_jitter"]) > 0
    assert config["worker_tmp_dir"] == "/dev/shm"
    assert config["accesslog"] == "-"


def test_the_master_loads_the_urls_and_read_queries_and_closes_its_connections(
    transactional_db, django_db_serialized_rollback
):
    from django.db import connections

    from config.warmup import warm_up
    from incidents import api_read

    for prepared in (*api_read._CLAIMS.values(), *api_read._DENIALS.values()):
        prepared._compiled.clear()
    connections["default"].ensure_connection()

    warm_up()

    # A connection opened before the fork would be shared by every worker.
    assert all(connections[alias].connection is None for alias in connections)
    for prepared in (*api_read._CLAIMS.values(), *api_read._DENIALS.values()):
        assert "default" in prepared._compiled


def test_a_recycled_worker_is_replaced_and_ends_cleanly(gunicorn_recycling):
    base, log = gunicorn_recycling
    incident = make_incident(title="Shelling of the bakery in Maarat al-Numan")

    for _ in range(10):
        with urllib.request.urlopen(f"{base}{incident.get_absolute_url()}", timeout=10) as page:
            assert page.status == 200

    time.sleep(0.5)
    text = log.read_text()
    assert text.count("Autorestarting worker") >= 3
    assert text.count("Booting worker") >= 4
    # Each ended with status 0, its connections closed: the master saw no error.
    assert "exited with code" not in text and "Traceback" not in text


def gunicorn_hooks():
    return runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))


class Exited(Exception):
    pass


def exit_with(hooks, status, monkeypatch):
    """Call worker_exit as gunicorn does, while the worker's SystemExit propagates."""
    calls = []

    def fake_exit(code):
        calls.append(code)
        raise Exited

    monkeypatch.setattr(os, "_exit", fake_exit)
    try:
        try:
            sys.exit(status)
        finally:
            hooks["worker_exit"](None, None)
    except (SystemExit, Exited):
        pass
    return calls


def test_a_worker_done_ends_without_teardown_and_a_failing_one_keeps_its_status(db, monkeypatch):
    from django.db import connections

    hooks = gunicorn_hooks()
    connections["default"].ensure_connection()

    assert exit_with(hooks, 0, monkeypatch) == [0]
    # Closed before leaving (inside the test's transaction Django keeps the closed one).
    closed = connections["default"].connection
    assert closed is None or closed.closed

    # A worker that failed to boot (3) or to load the app (4): the master acts on it.
    assert exit_with(hooks, 3, monkeypatch) == []
    assert exit_with(hooks, 4, monkeypatch) == []


def test_the_master_freezes_what_it_loaded_before_each_fork():
    hooks = gunicorn_hooks()
    gc.unfreeze()
    threshold = gc.get_threshold()
    try:
        hooks["pre_fork"](None, None)
        assert gc.get_freeze_count() > 0
        # Workers collect their short-lived objects seldom; the older generations as usual.
        assert gc.get_threshold() == (20_000, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_the_warm_up_loads_the_cache_client_library():
    # In a process of its own: a fresh interpreter, as gunicorn's master is.
    code = (
        "import sys, django; django.setup(); "
        "assert 'redis' not in sys.modules, 'loaded before the warm-up'; "
        "from config.warmup import warm_up; warm_up(); "
        "assert 'redis' in sys.modules"
    )
    env = os.environ | {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

import os
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
    params = connection.get_connection_params()
    host = quote(str(params.get("host") or "localhost"), safe="")
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": f"postgres://{params.get('user', 'postgres')}@/{params['dbname']}"
        f"?host={host}" + (f"&port={params['port']}" if params.get("port") else ""),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
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

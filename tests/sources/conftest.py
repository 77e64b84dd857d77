"""A local web server standing in for news sites, and settings to archive from it."""

import contextlib
import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ARTICLE = Path(__file__).resolve().parent.parent / "fixtures" / "ap-idlib.html"


class NewsSite(BaseHTTPRequestHandler):
    """Serves the AP article and a few misbehaving pages."""

    def do_GET(self):
        port = self.server.server_address[1]
        routes = {
            "/ap-idlib.html": lambda: self._send(
                200, ARTICLE.read_bytes(), "text/html; charset=utf-8"
            ),
            "/moved": lambda: self._redirect(301, "/ap-idlib.html"),
            "/to-metadata": lambda: self._redirect(302, "http://169.254.169.254/latest/meta-data/"),
            "/to-private": lambda: self._redirect(302, "http://10.20.30.40/internal"),
            "/to-localhost": lambda: self._redirect(302, f"http://localhost:{port}/ap-idlib.html"),
            "/loop": lambda: self._redirect(302, "/loop"),
            "/big": lambda: self._send(200, b"x" * 5000, "text/plain"),
            "/gone": lambda: self._send(
                404, b"<html><body><p>Not found</p></body></html>", "text/html"
            ),
            "/slow": self._slow,
        }
        handler = routes.get(self.path)
        if handler is None:
            self._send(404, b"no such page", "text/plain")
        else:
            handler()

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status, location):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _slow(self):
        time.sleep(2.5)
        with contextlib.suppress(OSError):  # the archiver has long given up
            self._send(200, b"late", "text/plain")

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def news_site():
    """The base URL of a local web server, e.g. http://127.0.0.1:40123."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), NewsSite)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def archiving(settings, tmp_path):
    """Run tasks at once, keep files in a temporary folder, allow only the local server."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.ARCHIVE_TIMEOUT = 10
    settings.ARCHIVE_MAX_BYTES = 1024 * 1024
    return settings


@pytest.fixture(scope="session")
def tls_site(tmp_path_factory):
    """The same site over HTTPS with a self-signed certificate for 127.0.0.1: (base URL, cert)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), NewsSite)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()

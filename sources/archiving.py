"""Archiving a report's page: fetch it safely and keep the HTTP exchange as WARC records.

The fetcher only talks to public addresses: it resolves the host itself, refuses
the request when any address the name resolves to is private, loopback,
link-local or otherwise not globally routable, and then connects to the address
it checked (so a second DNS answer cannot swap in another one). Redirects are
followed by hand, each hop checked the same way. ``ARCHIVE_ALLOWED_HOSTS`` names
hosts exempt from the address check (a local test server). The whole exchange is
bounded by ``ARCHIVE_TIMEOUT`` seconds and ``ARCHIVE_MAX_BYTES`` bytes.

Every hop's request and response are written, as received, into one gzipped WARC
file; see ``sources.models.Capture`` for what is hashed.
"""

import base64
import dataclasses
import hashlib
import http.client
import io
import ipaddress
import logging
import socket
import ssl
import time
from importlib.metadata import version
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from .models import Capture
from .text import extract_text

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
READ_SIZE = 64 * 1024


class ArchiveError(Exception):
    """Archiving failed or was refused; the message says why, for the researcher."""


class WarcError(Exception):
    """A stored WARC file cannot be read back."""


@dataclasses.dataclass
class Exchange:
    """One HTTP request and its response, as they went over the wire."""

    url: str
    ip: str
    request: bytes
    response: bytes
    status: int
    location: str | None
    received_at: object


@dataclasses.dataclass
class FinalResponse:
    http_headers: object
    payload: bytes
    body: bytes


class _Recorder(io.RawIOBase):
    """Wraps a socket's file to keep a copy of every byte read, up to a limit."""

    def __init__(self, fp, sink, limit):
        self.fp, self.sink, self.limit = fp, sink, limit

    def _keep(self, data):
        self.sink.write(data)
        if self.sink.tell() > self.limit:
            raise ArchiveError(f"The page is larger than {self.limit} bytes (ARCHIVE_MAX_BYTES).")
        return data

    def read(self, amt=-1):
        return self._keep(self.fp.read(amt))

    def read1(self, amt=-1):
        return self._keep(self.fp.read1(amt))

    def readinto(self, buffer):
        count = self.fp.readinto(buffer)
        self._keep(bytes(memoryview(buffer)[:count]))
        return count

    def readline(self, limit=-1):
        return self._keep(self.fp.readline(limit))

    def peek(self, size=0):
        return self.fp.peek(size)

    def close(self):
        self.fp.close()
        super().close()


class _PinnedConnectionMixin:
    """Connects to the addresses that were checked, never to a fresh DNS answer.

    Speaks HTTP/1.0 so that servers answer without chunked transfer coding and the
    WARC payload is the document's bytes.
    """

    _http_vsn = 10
    _http_vsn_str = "HTTP/1.0"

    def pin(self, addresses, sink, limit):
        self.addresses = addresses
        self.sent = io.BytesIO()

        class RecordingResponse(http.client.HTTPResponse):
            def __init__(self, sock, *args, **kwargs):
                super().__init__(sock, *args, **kwargs)
                self.fp = _Recorder(self.fp, sink, limit)

        self.response_class = RecordingResponse

    def _open_socket(self):
        error = None
        for address in self.addresses:
            try:
                sock = socket.create_connection(address, self.timeout)
            except OSError as failure:
                error = failure
            else:
                self.address = address
                return sock
        raise error

    def send(self, data):
        self.sent.write(data)
        super().send(data)


class _PinnedHTTPConnection(_PinnedConnectionMixin, http.client.HTTPConnection):
    def connect(self):
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedConnectionMixin, http.client.HTTPSConnection):
    def connect(self):
        # Certificate and SNI for the host name, connection to the checked address.
        self.sock = self._context.wrap_socket(self._open_socket(), server_hostname=self.host)


def _is_public(ip):
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_address(url):
    """Refuse what must not be fetched; return (scheme, host, port, addresses to connect to)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ArchiveError(f"Not a valid address: {url} ({error}).") from None
    if parts.scheme not in ("http", "https"):
        raise ArchiveError(f"Only http and https addresses are archived, not {url}.")
    if parts.username or parts.password:
        raise ArchiveError("Addresses with a user name or password are not archived.")
    host = (parts.hostname or "").lower()
    if not host:
        raise ArchiveError(f"The address {url} names no host.")
    port = port or (443 if parts.scheme == "https" else 80)
    allowed = {name.lower() for name in settings.ARCHIVE_ALLOWED_HOSTS}
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ArchiveError(f"The host {host} cannot be found ({error.strerror}).") from None
    for *_, sockaddr in answers:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if host not in allowed and not _is_public(ip):
            raise ArchiveError(
                f"Refused: {host} resolves to {ip}, a private, loopback, link-local or "
                "otherwise non-public address."
            )
    addresses = list(dict.fromkeys(sockaddr[:2] for *_, sockaddr in answers))
    return parts.scheme, host, port, addresses


def _host_header(scheme, host, port):
    name = f"[{host}]" if ":" in host else host.encode("idna").decode("ascii")
    default = 443 if scheme == "https" else 80
    return name if port == default else f"{name}:{port}"


def _request_target(url):
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _fetch_one(url, deadline):
    scheme, host, port, addresses = check_address(url)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ArchiveError(f"Archiving took longer than {settings.ARCHIVE_TIMEOUT} seconds.")
    if scheme == "https":
        connection = _PinnedHTTPSConnection(
            host, port, timeout=remaining, context=ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(host, port, timeout=remaining)
    received = io.BytesIO()
    connection.pin(addresses, received, settings.ARCHIVE_MAX_BYTES)
    try:
        connection.connect()
        # Kept: the connection lets go of its socket once the response is read.
        sock = connection.sock
        connection.putrequest(
            "GET", _request_target(url), skip_host=True, skip_accept_encoding=True
        )
        # HTTP/1.0 requests get no Host header from http.client; virtual hosts need one.
        connection.putheader("Host", _host_header(scheme, host, port))
        connection.putheader("User-Agent", settings.ARCHIVE_USER_AGENT)
        connection.putheader("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        connection.putheader("Accept-Encoding", "identity")
        connection.putheader("Connection", "close")
        connection.endheaders()
        response = connection.getresponse()
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > settings.ARCHIVE_MAX_BYTES:
            raise ArchiveError(
                f"The page is larger than {settings.ARCHIVE_MAX_BYTES} bytes (ARCHIVE_MAX_BYTES)."
            )
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ArchiveError(
                    f"Archiving took longer than {settings.ARCHIVE_TIMEOUT} seconds."
                )
            sock.settimeout(remaining)
            if not response.read1(READ_SIZE):
                break
    except TimeoutError:
        raise ArchiveError(
            f"{host} did not answer within {settings.ARCHIVE_TIMEOUT} seconds."
        ) from None
    except ssl.SSLError as error:
        raise ArchiveError(f"Secure connection to {host} failed ({error.reason}).") from None
    except (OSError, http.client.HTTPException) as error:
        raise ArchiveError(f"Fetching {url} failed ({error or type(error).__name__}).") from None
    finally:
        connection.close()
    return Exchange(
        url=url,
        ip=connection.address[0],
        request=connection.sent.getvalue(),
        response=received.getvalue(),
        status=response.status,
        location=response.getheader("Location"),
        received_at=timezone.now(),
    )


def fetch(url):
    """Fetch a page, following redirects by hand; return every hop's exchange, last is final."""
    deadline = time.monotonic() + settings.ARCHIVE_TIMEOUT
    exchanges = []
    while True:
        exchange = _fetch_one(url, deadline)
        exchanges.append(exchange)
        if exchange.status not in REDIRECT_STATUSES or not exchange.location:
            return exchanges
        if len(exchanges) > MAX_REDIRECTS:
            raise ArchiveError(
                f"More than {MAX_REDIRECTS} redirects, starting at {exchanges[0].url}."
            )
        url = urljoin(url, exchange.location)


class _SHA256WARCWriter(WARCWriter):
    """A WARC writer whose block and payload digests are SHA-256 (warcio's default is SHA-1)."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


def build_warc(exchanges, filename, description):
    """One gzipped WARC file with an info record and every exchange's request and response."""
    out = io.BytesIO()
    writer = _SHA256WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            filename,
            {
                "software": f"incident-tracker archiver (warcio {version('warcio')})",
                "format": "WARC File Format 1.1",
                "description": description,
                "http-header-user-agent": settings.ARCHIVE_USER_AGENT,
            },
        )
    )
    for exchange in exchanges:
        date = exchange.received_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.response),
            length=len(exchange.response),
            warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": exchange.ip},
        )
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request),
            length=len(exchange.request),
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_request_response_pair(request, response)
    return out.getvalue()


def final_response(data):
    """The last response record of a WARC file: its HTTP headers, raw payload and decoded body.

    ``payload`` is what ``Capture.sha256`` hashes; ``body`` has any chunked or
    content encoding undone, for reading.
    """
    found = None
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type == "response":
                found = (record.http_headers, record.raw_stream.read())
        if found is None:
            raise WarcError("no response record")
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type == "response":
                body = record.content_stream().read()
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:
        raise WarcError(str(error) or type(error).__name__) from None
    return FinalResponse(http_headers=found[0], payload=found[1], body=body)


def payload_digest_header(record_sha256_hex):
    """The WARC-Payload-Digest value for a hex SHA-256 (base32, as WARC writes it)."""
    return "sha256:" + base64.b32encode(bytes.fromhex(record_sha256_hex)).decode()


def archive(report, url, requested_by_id=None):
    """Fetch ``url`` for ``report`` and store a Capture, archived or failed; return it."""
    attempted_at = timezone.now()
    try:
        exchanges = fetch(url)
        final = exchanges[-1]
        filename = f"report-{report.pk}-{final.received_at:%Y%m%dT%H%M%S%f}.warc.gz"
        data = build_warc(exchanges, filename, f"Report #{report.pk}: {report.title}")
        response = final_response(data)
    except (ArchiveError, WarcError) as error:
        return _failed(report, url, requested_by_id, attempted_at, str(error))
    except Exception as error:  # a background job records what went wrong rather than vanish
        logger.exception("Archiving %s for report %s failed", url, report.pk)
        return _failed(report, url, requested_by_id, attempted_at, f"Unexpected error: {error!r}")
    content_type = response.http_headers.get_header("Content-Type") or ""
    capture = Capture(
        report=report,
        requested_url=url,
        final_url=final.url,
        status=Capture.Status.ARCHIVED,
        http_status=final.status,
        content_type=content_type[:200],
        remote_ip=final.ip,
        captured_at=final.received_at,
        requested_by_id=requested_by_id,
        sha256=hashlib.sha256(response.payload).hexdigest(),
        warc_sha256=hashlib.sha256(data).hexdigest(),
        size=len(response.payload),
        text=extract_text(response.body, content_type),
    )
    capture.warc_file.save(filename, ContentFile(data), save=False)
    capture.save()
    return capture


def _failed(report, url, requested_by_id, attempted_at, message):
    return Capture.objects.create(
        report=report,
        requested_url=url,
        status=Capture.Status.FAILED,
        captured_at=attempted_at,
        requested_by_id=requested_by_id,
        error=message,
    )

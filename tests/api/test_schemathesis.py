"""Property-based tests of the whole API against its own OpenAPI schema.

Schemathesis generates requests for every operation from the schema (valid and
invalid ones), sends them through the WSGI app, and checks that none fails with a
server error and that every response conforms to the schema: status code, content
type, headers and body. Anonymous, and with a researcher's token (which may write).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from config.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

PHASES = {
    "examples": {"enabled": True},
    "coverage": {"enabled": True},
    "fuzzing": {"enabled": True},
    "stateful": {"enabled": False},
}


def _load(monkeypatch, phases):
    # The requests run inside the test's transaction: Django must not close the
    # connection at the end of each one.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "100000/minute")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "100000/minute")
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        application,
        config=SchemathesisConfig.from_dict({"phases": phases}),
    )


@pytest.fixture
def anonymous_schema(db, seed, monkeypatch):
    try:
        yield _load(monkeypatch, PHASES)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def researcher_schema(db, seed, monkeypatch):
    # Without the coverage phase (every boundary of every parameter), which the
    # anonymous run covers, to keep the suite fast.
    try:
        yield _load(monkeypatch, {**PHASES, "coverage": {"enabled": False}})
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


anonymous = schemathesis.pytest.from_fixture("anonymous_schema")
researcher_run = schemathesis.pytest.from_fixture("researcher_schema")

EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@anonymous.parametrize()
@EXAMPLES
def test_anonymous_requests_conform_to_the_schema(case):
    case.call_and_validate(checks=CHECKS)


@pytest.fixture
def researcher_key(researcher):
    _token, key = ApiToken.issue(researcher, "schemathesis")
    return key


@researcher_run.parametrize()
@EXAMPLES
def test_researcher_requests_conform_to_the_schema(case, researcher_key):
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Token {researcher_key}"})

"""The Content-Security-Policy every response carries (browser tests check it is obeyed)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_pages_send_a_strict_content_security_policy(client, seed):
    policy = client.get(seed.get_absolute_url())["Content-Security-Policy"]
    script_src = next(d for d in policy.split("; ") if d.startswith("script-src"))
    assert "unsafe-inline" not in script_src
    assert "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in policy

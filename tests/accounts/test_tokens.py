"""API tokens: stored hashed, shown once, revocable, and throttled use."""

import hashlib
import re

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


def client_with(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_only_the_hash_of_a_key_is_stored(researcher):
    token, key = ApiToken.issue(researcher, "Script")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in str(stored)
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["key_prefix"] == key[:8]


def test_a_token_acts_as_its_user(researcher):
    draft = make_incident(status="draft")
    _token, key = ApiToken.issue(researcher, "Script")
    response = client_with(key).get(f"/api/v1/incidents/{draft.pk}/")
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


@pytest.mark.parametrize("header", ["Token not-a-key", "Token ", "Token a b"])
def test_a_wrong_key_is_refused(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/v1/incidents/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_refused(researcher):
    token, key = ApiToken.issue(researcher, "Script")
    token.revoked_at = token.created_at
    token.save()
    response = client_with(key).get("/api/v1/incidents/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_the_token_of_a_deactivated_user_is_refused(researcher):
    _token, key = ApiToken.issue(researcher, "Script")
    researcher.is_active = False
    researcher.save()
    assert client_with(key).get("/api/v1/incidents/").status_code == 401


def test_the_admin_shows_a_new_key_once_and_stores_only_its_hash(admin_user_client, partner):
    response = admin_user_client.post(
        "/admin/accounts/apitoken/add/", {"user": partner.pk, "name": "Newsroom dashboard"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', response.content.decode())[1]
    token = ApiToken.objects.get()
    assert token.key_hash == ApiToken.hash_key(key)
    assert token.user == partner
    assert client_with(key).get("/api/v1/incidents/").status_code == 200
    change = admin_user_client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert key not in change.content.decode()
    assert token.key_prefix in change.content.decode()


def test_the_admin_revokes_tokens(admin_user_client, partner):
    token, key = ApiToken.issue(partner, "Dashboard")
    response = admin_user_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_with(key).get("/api/v1/incidents/").status_code == 401


def test_anonymous_clients_are_throttled(api_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    codes = [api_client.get("/api/v1/incidents/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_token_users_have_their_own_higher_allowance(partner_api, api_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1/minute")
    assert api_client.get("/api/v1/incidents/").status_code == 200
    assert api_client.get("/api/v1/incidents/").status_code == 429
    assert all(partner_api.get("/api/v1/incidents/").status_code == 200 for _ in range(5))


def test_anonymous_clients_are_held_to_the_anonymous_rate_alone(api_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # A generous anonymous rate is not cut short by the token users' rate.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "5/minute")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/minute")
    codes = [api_client.get("/api/v1/incidents/").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_token_users_are_held_to_the_user_rate(partner_api, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/minute")
    codes = [partner_api.get("/api/v1/incidents/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]

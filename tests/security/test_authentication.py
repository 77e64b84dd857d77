"""Sign-in brute-force protection, the admin's two factors, and hostile sign-in input."""

from urllib.parse import quote

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_site import current_code
from accounts.models import ApiToken
from tests.conftest import verify_otp

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"
API = "/api/v1/incidents/"


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# Admin sign-in lockout (django-axes)


def test_it_locks_a_username_out_from_an_address_after_five_wrong_passwords(client, researcher):
    for _ in range(4):
        assert sign_in(client, "researcher", "wrong").status_code == 200
    locked = sign_in(client, "researcher", "wrong")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    # Even the right password is refused while the lockout lasts.
    response = sign_in(client, "researcher")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_only_for_that_username_and_address(client, researcher, editor):
    for _ in range(5):
        sign_in(client, "researcher", "wrong")
    assert sign_in(client, "editor").status_code == 302
    other = type(client)()
    assert sign_in(other, "researcher", REMOTE_ADDR="203.0.113.9").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_failure_limit_comes_from_the_settings(client, researcher):
    sign_in(client, "researcher", "wrong")
    assert sign_in(client, "researcher", "wrong").status_code == 429


@pytest.mark.parametrize(
    "username",
    [
        "a" * 10_000,
        "researcher\x00",
        "\x00",
        "\u202eresearcher",  # right-to-left override
        "رسام\u202e\u200f",
        "é" * 151,
    ],
    ids=["10000-chars", "nul-suffix", "nul", "rtl-override", "rtl-mixed", "too-long-accented"],
)
def test_hostile_usernames_answer_400_with_a_form_error(client, researcher, username):
    response = sign_in(client, username, "wrong")
    assert response.status_code == 400
    assert b"errornote" in response.content or b"errorlist" in response.content
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_a_form_error_not_a_bad_request(client, researcher):
    response = sign_in(client, "researcher", "wrong")
    assert response.status_code == 200
    assert b"errornote" in response.content


@pytest.mark.parametrize(
    "body",
    [
        b"username=%ED%A0%80researcher&password=x",  # an unpaired surrogate, percent-encoded
        b"username=\xed\xa0\x80&password=\xff\xfe",  # the same, and invalid UTF-8, raw
        b"username=" + quote("\U0010ffff" * 50).encode() + b"&password=x",
        b"username=researcher&password=" + b"%00" * 10_000,
        b"\x00\x01\x02",
    ],
    ids=["surrogate-escaped", "surrogate-raw", "astral", "nul-password", "garbage"],
)
def test_malformed_form_bodies_never_cause_a_server_error(client, researcher, body):
    response = client.post(LOGIN, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
    assert "_auth_user_id" not in client.session


# API tokens


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token " + "x" * 10_000,
        "Token \x00",
        "Token é\u202e",
        "Token\tnope",
    ],
    ids=["no-key", "spaces", "10000-chars", "nul", "non-ascii", "tab"],
)
def test_malformed_or_wrong_tokens_answer_401_not_a_server_error(api_client, seed, header):
    response = api_client.get(API, HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403)


def test_it_refuses_every_token_from_an_address_after_too_many_wrong_ones(
    api_client, researcher_api, seed, settings
):
    settings.API_TOKEN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = api_client.get(API, HTTP_AUTHORIZATION="Token guessed-key")
        assert response.status_code == 401
    refused = api_client.get(API, HTTP_AUTHORIZATION="Token guessed-key")
    assert refused.status_code == 429
    assert "Too many failed token attempts" in refused.json()["detail"]
    # The right key from the same address is refused too: guessing learns nothing.
    assert api_client.get(API, HTTP_AUTHORIZATION=f"Token {researcher_api.key}").status_code == 429
    # Another address is not affected, nor are anonymous reads.
    assert researcher_api.get(API, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert api_client.get(API).status_code in (200, 429)


def test_a_revoked_token_counts_as_a_failure(api_client, researcher_api, seed, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 1
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert researcher_api.get(API).status_code == 401
    assert researcher_api.get(API).status_code == 429


def test_tokens_act_without_a_one_time_code(researcher_api, seed):
    assert not TOTPDevice.objects.exists()
    assert researcher_api.get(API).status_code == 200


# Two-factor authentication for the admin


@pytest.mark.otp_unverified
def test_a_password_alone_does_not_open_the_admin(client, researcher):
    client.force_login(researcher)
    response = client.get("/admin/incidents/incident/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get("/admin/").status_code == 302


def test_staff_without_an_authenticator_are_sent_to_enrol_and_then_let_in(client, researcher):
    response = sign_in(client, "researcher")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/otp/enrol/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'src="data:image/svg+xml;base64,' in page.content
    device = TOTPDevice.objects.get(user=researcher, confirmed=False)
    assert device.key.upper() not in page.content.decode()  # shown in base32, not hex
    wrong = client.post("/admin/otp/enrol/", {"otp_token": "000000"})
    assert wrong.status_code == 200
    assert b"That code is wrong" in wrong.content
    assert client.get("/admin/").status_code == 302

    # The throttle after a wrong code is a second; its counter is reset to allow one try.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    device.refresh_from_db()
    done = client.post("/admin/otp/enrol/", {"otp_token": current_code(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_authenticator_give_its_code_after_the_password(client, researcher):
    device = TOTPDevice.objects.create(user=researcher, name="Phone")
    response = sign_in(client, "researcher", **{"QUERY_STRING": "next=/admin/sources/"})
    assert response["Location"].startswith("/admin/otp/")
    assert "enrol" not in response["Location"]
    page = client.get("/admin/otp/?next=/admin/sources/source/")
    assert b"six-digit code" in page.content
    done = client.post(
        "/admin/otp/", {"otp_token": current_code(device), "next": "/admin/sources/source/"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/admin/sources/source/"
    assert client.get("/admin/sources/source/").status_code == 200


def test_wrong_codes_are_throttled(client, researcher):
    TOTPDevice.objects.create(user=researcher, name="Phone")
    sign_in(client, "researcher")
    client.post("/admin/otp/", {"otp_token": "000000"})
    throttled = client.post("/admin/otp/", {"otp_token": "000000"})
    assert throttled.status_code == 200
    assert b"Too many wrong codes" in throttled.content
    assert client.get("/admin/").status_code == 302


def test_the_code_step_does_not_send_you_to_another_site(client, researcher):
    device = TOTPDevice.objects.create(user=researcher, name="Phone")
    sign_in(client, "researcher")
    done = client.post(
        "/admin/otp/", {"otp_token": current_code(device), "next": "https://evil.example/"}
    )
    assert done["Location"] == "/admin/"


def test_the_code_step_needs_a_password_first(client):
    assert client.get("/admin/otp/")["Location"].startswith(LOGIN)
    assert client.get("/admin/otp/enrol/")["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "code,status",
    [("a" * 10_000, 400), ("\x00", 400), ("\u202e123456", 400), ("１２３４５６", 200)],
    ids=["10000-chars", "nul", "rtl-override", "full-width-digits"],
)
def test_hostile_codes_get_a_form_error(client, researcher, code, status):
    TOTPDevice.objects.create(user=researcher, name="Phone")
    sign_in(client, "researcher")
    response = client.post("/admin/otp/", {"otp_token": code})
    assert response.status_code == status
    assert b"errorlist" in response.content
    assert client.get("/admin/").status_code == 302


@pytest.mark.otp_unverified
def test_a_password_only_session_reads_the_api_as_the_public_does(client, researcher, seed):
    from incidents.models import Incident
    from tests.factories import make_incident

    draft = make_incident(status=Incident.Status.DRAFT)
    client.force_login(researcher)
    assert client.get(f"{API}{draft.pk}/").status_code == 404
    verify_otp(client, researcher)
    assert client.get(f"{API}{draft.pk}/").status_code == 200

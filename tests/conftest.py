import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from incidents.seed import load_seed


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (the API's throttles count requests there)."""
    cache.clear()
    yield
    cache.clear()


def verify_otp(client, user):
    """Mark the client's session as having passed the admin's one-time-code step, as a
    staff member who entered their authenticator's code would have."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def staff_force_login_passes_otp(request, monkeypatch):
    """``client.force_login(staff)`` gives a session past the admin's one-time code, as a
    staff member's real sign-in does; tests of the code step itself mark themselves
    ``otp_unverified`` to get the bare password session."""
    if request.node.get_closest_marker("otp_unverified"):
        return
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff:
            verify_otp(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def seed(db):
    """The canonical Idlib case, as the demo loads it."""
    return load_seed()


def _staff_user(django_user_model, username, role):
    """A staff account in one of the editorial roles (groups made by a migration)."""
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def researcher(db, django_user_model):
    return _staff_user(django_user_model, "researcher", "Researcher")


@pytest.fixture
def editor(db, django_user_model):
    return _staff_user(django_user_model, "editor", "Editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def researcher_client(client, researcher):
    client.force_login(researcher)
    return client


@pytest.fixture
def admin_user_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def partner(db, django_user_model):
    """A partner tool's account: not staff, no permissions, reads through a token."""
    return django_user_model.objects.create_user(username="partner", password="unused-here")


def _token_client(user, name):
    from rest_framework.test import APIClient

    from accounts.models import ApiToken

    _token, key = ApiToken.issue(user, name)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.key = key
    return api


@pytest.fixture
def api_client():
    """An anonymous API client."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def researcher_api(researcher):
    return _token_client(researcher, "Researcher's script")


@pytest.fixture
def editor_api(editor):
    return _token_client(editor, "Editor's script")


@pytest.fixture
def partner_api(partner):
    return _token_client(partner, "Newsroom dashboard")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last: their live server's flush empties what the migrations wrote
    (categories, editorial roles), which the transactional tests before them rely on."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)

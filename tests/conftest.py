import pytest
from django.contrib.auth.models import Permission

from incidents.seed import load_seed


@pytest.fixture
def seed(db):
    """The canonical Idlib case, as the demo loads it."""
    return load_seed()


def _staff_user(django_user_model, username, codenames):
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


RESEARCHER_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("incident", "claim", "figure", "denial", "source", "report")
    for action in ("add", "change", "view")
] + ["view_casualtycategory"]
# Evidence and provenance: intermediaries, media evidence, other monitors' identifiers.
RESEARCHER_PERMISSIONS += [
    f"{action}_{model}"
    for model in ("claimvia", "media", "incidentidentifier")
    for action in ("add", "change", "view")
]


@pytest.fixture
def researcher(db, django_user_model):
    return _staff_user(django_user_model, "researcher", RESEARCHER_PERMISSIONS)


@pytest.fixture
def researcher_client(client, researcher):
    client.force_login(researcher)
    return client


@pytest.fixture
def admin_user_client(client, admin_user):
    client.force_login(admin_user)
    return client

"""Who may reach which URL: every URL pattern of the project against an explicit table.

A URL pattern that the table does not name fails the test, so a new page, API endpoint
or admin screen gets its access decided here, on purpose.
"""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import ApiToken
from incidents.models import Claim, Incident
from incidents.sitemaps import SITEMAPS
from tests.factories import make_claim, make_incident

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "researcher", "editor", "administrator", "deactivated"]
STAFF = ["researcher", "editor", "administrator"]


def walk(patterns, prefix=""):
    """Every URL pattern's full route and its callback, depth first."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def each(value, **overrides):
    """The same expectation for every role, except those named."""
    return {role: overrides.get(role, value) for role in ROLES}


def public(get=200, post=None):
    """A public page: the same answer whoever asks."""
    return {"GET": each(get), **({"POST": each(post)} if post else {})}


def staff_only(get, post=None, **anonymous):
    """Staff see it; anonymous and deactivated users are sent to sign in."""
    login = anonymous.get("login", "login")
    result = {"GET": each(get, anonymous=login, deactivated=login)}
    if post is not None:
        result["POST"] = each(post, anonymous=login, deactivated=login)
    return result


API_READ = {"GET": each(200), "POST": each(400, anonymous=401, deactivated=401)}
API_DETAIL = {"GET": each(200), "POST": each(405, anonymous=401, deactivated=401)}

# route -> method -> role -> expected status (an int, "3xx", or "login" for a redirect to
# the admin's sign-in page).
TABLE = {
    "": public(),
    "incidents/": public(),
    "incidents/feed/": public(),
    "incidents/<slug:slug>/": public(),
    "incidents/<slug:slug>/claims/<int:pk>.jsonld": public(),
    "denials/<int:pk>.jsonld": public(),
    "claims.csv": public(),
    "evidence/<int:pk>/file": public(404),
    "sources/": public(),
    "sources/<slug:slug>/": public(),
    "sitemap.xml": public(),
    "sitemap-<section>.xml": public(),
    "robots.txt": public(),
    "_nested_admin/^server-data\\.js$": {"GET": each(200, anonymous=403, deactivated=403)},
    # The API: anonymous reads; writes need a token or a verified staff session.
    "api/v1/": {"GET": each(200)},
    "api/v1/^incidents/$": API_READ,
    "api/v1/^incidents/by-slug/(?P<slug>[-a-zA-Z0-9_]+)/$": {"GET": each(200)},
    "api/v1/^incidents/count/$": {"GET": each(200)},
    "api/v1/^incidents/(?P<pk>\\d+)/$": API_DETAIL,
    "api/v1/^claims/$": API_READ,
    "api/v1/^claims/(?P<pk>\\d+)/$": API_DETAIL,
    "api/v1/^denials/$": API_READ,
    "api/v1/^denials/(?P<pk>\\d+)/$": API_DETAIL,
    "api/v1/^sources/$": API_READ,
    "api/v1/^sources/(?P<pk>\\d+)/$": API_DETAIL,
    "api/v1/^reports/$": API_READ,
    "api/v1/^reports/(?P<pk>\\d+)/$": API_DETAIL,
    "api/v1/^deleted/$": {"GET": each(200), "POST": each(403, anonymous=401, deactivated=401)},
    "api/v1/import/": {
        "GET": each(405, anonymous=401, deactivated=401),
        "POST": each(400, anonymous=401, deactivated=401),
    },
    "api/schema/": public(),
    "api/docs/": public(),
    # The admin site's own screens.
    "admin/": staff_only(200),
    "admin/login/": {
        "GET": each("3xx", anonymous=200, deactivated=200),
        "POST": each(200),
    },
    "admin/otp/": {"GET": each("3xx"), "POST": each("3xx")},
    "admin/otp/enrol/": {"GET": each("3xx"), "POST": each("3xx")},
    "admin/logout/": staff_only(405, post=200, login="3xx"),
    "admin/password_change/": staff_only(200, post=200),
    "admin/password_change/done/": staff_only(200),
    "admin/autocomplete/": staff_only(403),
    "admin/jsi18n/": staff_only(200),
    "admin/r/<path:content_type_id>/<path:object_id>/": staff_only("3xx"),
    "admin/^(?P<app_label>auth|django_tasks_database|accounts|sources|incidents|otp_totp|axes)/$": (
        staff_only(200)
    ),
    "admin/(?P<url>.*)$": staff_only(404, login="login"),
}

# What each staff role may do with each model in the admin: v(iew) a(dd) c(hange)
# d(elete) p(ublish). Security records (tokens, authenticators, sign-in logs, tasks) belong to
# superusers alone: no role is given their permissions.
MODEL_PERMISSIONS = {
    "incidents.incident": {"researcher": "vac", "editor": "vacdp", "administrator": "vacdp"},
    "incidents.claim": {"researcher": "vacd", "editor": "vacd", "administrator": "vacd"},
    "incidents.media": {"researcher": "vac", "editor": "vacd", "administrator": "vacd"},
    "incidents.casualtycategory": {"researcher": "v", "editor": "vac", "administrator": "vacd"},
    "sources.source": {"researcher": "vac", "editor": "vacd", "administrator": "vacd"},
    "sources.report": {"researcher": "vac", "editor": "vacd", "administrator": "vacd"},
    "sources.capture": {"researcher": "v", "editor": "v", "administrator": "vc"},
    "auth.user": {"researcher": "", "editor": "", "administrator": "vacd"},
    "auth.group": {"researcher": "", "editor": "", "administrator": "vacd"},
    "accounts.apitoken": {"researcher": "", "editor": "", "administrator": ""},
    "otp_totp.totpdevice": {"researcher": "", "editor": "", "administrator": ""},
    "axes.accessattempt": {"researcher": "", "editor": "", "administrator": ""},
    "axes.accesslog": {"researcher": "", "editor": "", "administrator": ""},
    "axes.accessfailurelog": {"researcher": "", "editor": "", "administrator": ""},
    "django_tasks_database.dbtaskresult": {"researcher": "", "editor": "", "administrator": ""},
}

# A model admin's own extra screens: (model, route suffix) -> permission letter needed.
MODEL_EXTRA = {
    ("incidents.incident", "<path:object_id>/withdraw/"): ("p", 200),
    ("incidents.incident", "<path:object_id>/history/<int:event_id>/restore/"): ("c", "3xx"),
    ("incidents.claim", "<path:object_id>/withdraw/"): ("c", 200),
    ("incidents.claim", "<path:object_id>/history/<int:event_id>/restore/"): ("c", "3xx"),
    ("sources.source", "<path:object_id>/history/<int:event_id>/restore/"): ("c", "3xx"),
    ("sources.report", "<path:object_id>/history/<int:event_id>/restore/"): ("c", "3xx"),
    ("otp_totp.totpdevice", "<int:pk>/config/"): ("c", 200),
    ("otp_totp.totpdevice", "<int:pk>/qrcode/"): ("c", 200),
    ("auth.user", "<id>/password/"): ("c", 200),
    ("sources.capture", "<int:pk>/warc/"): ("v", 200),
}


# Models with no row in the test database: their object screens answer with the admin's
# "no such object" redirect (or 404) to whoever may see them.
NO_OBJECT = {"sources.capture", "django_tasks_database.dbtaskresult"}


def model_expectations(label, suffix):
    """The table row of one of a model admin's screens, from MODEL_PERMISSIONS."""
    perms = MODEL_PERMISSIONS[label]
    if label in NO_OBJECT and suffix.startswith("<"):
        return missing_object_expectations(perms, suffix)

    def by_role(letter, allowed=200, denied=403):
        return each(
            "login",
            **{role: allowed if letter in perms[role] else denied for role in STAFF},
        )

    if suffix == "":
        # An empty POST (no action chosen) shows the list again.
        return {"GET": by_role("v"), "POST": by_role("v")}
    if suffix == "add/":
        return {"GET": by_role("a"), "POST": by_role("a")}
    if suffix == "<path:object_id>/change/":
        return {"GET": by_role("v"), "POST": by_role("c")}
    if suffix == "<path:object_id>/delete/":
        return {"GET": by_role("d"), "POST": by_role("d")}
    if suffix == "<path:object_id>/history/":
        return {"GET": by_role("v")}
    if suffix == "<path:object_id>/":
        return {"GET": each("login", **dict.fromkeys(STAFF, "3xx"))}
    if (label, suffix) in MODEL_EXTRA:
        letter, allowed = MODEL_EXTRA[label, suffix]
        return {"GET": by_role(letter, allowed)}
    return None


def missing_object_expectations(perms, suffix):
    def by_role(letter, allowed="3xx"):
        return each("login", **{role: allowed if letter in perms[role] else 403 for role in STAFF})

    if suffix.endswith("/history/"):
        return {"GET": each("login", **dict.fromkeys(STAFF, "3xx"))}
    if suffix.endswith("/warc/"):
        return {"GET": by_role("v", 404)}
    if suffix.endswith("/delete/"):
        return {"GET": by_role("d"), "POST": by_role("d")}
    if suffix.endswith("/change/"):
        return {"GET": by_role("v"), "POST": by_role("v")}
    return {"GET": each("login", **dict.fromkeys(STAFF, "3xx"))}


def expectations(route):
    if route in TABLE:
        return TABLE[route]
    for model in admin.site._registry:
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.startswith(prefix) and model._meta.label_lower in MODEL_PERMISSIONS:
            return model_expectations(model._meta.label_lower, route.removeprefix(prefix))
    return None


@pytest.fixture
def world(seed, researcher, editor, django_user_model):
    """One object of each kind the URL patterns name, published unless it is the
    draft the staff screens open."""
    administrator = django_user_model.objects.create_user(
        "administrator", password="correct horse battery staple", is_staff=True
    )
    administrator.groups.add(Group.objects.get(name="Administrator"))
    deactivated = django_user_model.objects.create_user(
        "deactivated", password="correct horse battery staple", is_staff=True
    )
    deactivated.groups.add(Group.objects.get(name="Editor"))
    draft = make_incident(status=Incident.Status.DRAFT)
    make_claim(draft)
    ApiToken.issue(administrator, "A script")
    AccessAttempt.objects.create(username="someone", ip_address="192.0.2.1", failures_since_start=1)
    AccessLog.objects.create(username="someone", ip_address="192.0.2.1")
    AccessFailureLog.objects.create(username="someone", ip_address="192.0.2.1", locked_out=False)
    return {
        "users": {
            "researcher": researcher,
            "editor": editor,
            "administrator": administrator,
            "deactivated": deactivated,
        },
        "published": seed,
        "draft": draft,
    }


def path_for(route, world):
    """A real path for the route, its parameters filled from the seed case."""
    seed = world["published"]
    claim = seed.claims.filter(source__protected=False).first()
    denial = seed.denials.first()
    source = claim.source
    values = {
        "slug": seed.slug,
        "pk": seed.pk,
        "section": next(iter(SITEMAPS)),
        "app_label": "incidents",
        "url": "no-such-screen/",
        "content_type_id": ContentType.objects.get_for_model(Incident).pk,
        "event_id": 1,
    }
    if route.startswith("sources/"):
        values["slug"] = source.slug
    if "claims/<int:pk>" in route or route.startswith("api/v1/^claims"):
        values["pk"] = claim.pk
    if "denials" in route:
        values["pk"] = denial.pk
    if route.startswith("api/v1/^sources"):
        values["pk"] = source.pk
    if route.startswith("api/v1/^reports"):
        values["pk"] = claim.report_id or seed.claims.exclude(report=None).first().report_id
    if route.startswith("evidence/"):
        values["pk"] = 999_999
    object_id = str(seed.pk)
    for model in admin.site._registry:
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.startswith(prefix):
            if model is Incident:
                obj = world["draft"]
            elif model is Claim:
                obj = world["draft"].claims.first()
            else:
                obj = model._default_manager.order_by("pk").first()
            object_id = str(obj.pk) if obj else "999999"
    values["object_id"] = values["id"] = object_id
    if route.startswith("admin/") and "<int:pk>" in route:
        values["pk"] = object_id

    def fill(match):
        name = match.group("name") or match.group("rname")
        return str(values[name])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)", fill, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def client_for(role, world, client_class):
    client = client_class()
    if role == "anonymous":
        return client
    user = world["users"][role]
    client.force_login(user)
    if role == "deactivated":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    return client


def matches(expected, response):
    status = response.status_code
    if expected == "login":
        return status == 302 and "/admin/login/" in response["Location"]
    if expected == "3xx":
        return 300 <= status < 400
    return status == expected


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_the_table_says(role, world, client):
    client = client_for(role, world, type(client))
    routes = list(walk(get_resolver().url_patterns))
    missing = [route for route, _pattern in routes if expectations(route) is None]
    assert not missing, f"URL patterns without an entry in the access table: {missing}"

    wrong = []
    for route, _pattern in routes:
        path = path_for(route, world)
        for method, by_role in expectations(route).items():
            # Signing out (or in) ends the session; every request starts signed in.
            if role in STAFF and "_auth_user_id" not in client.session:
                client = client_for(role, world, type(client))
            if method == "GET":
                response = client.get(path)
            elif route.startswith("api/"):
                response = client.post(path, {}, content_type="application/json")
            else:
                response = client.post(path, {})
            expected = by_role[role]
            if not matches(expected, response):
                wrong.append(f"{method} {path} ({route}): {response.status_code}, not {expected}")
    assert not wrong, "\n".join(wrong)

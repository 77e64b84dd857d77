"""Browser tests: Playwright drives the system's Chromium against pytest-django's live_server."""

import importlib
import os
from pathlib import Path

import pytest

# Playwright's synchronous API runs an event loop in the test's thread; the tests'
# own database calls are ordinary blocking calls, which Django must be told are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never a browser of Playwright's own: the system's Chromium, quiet and offline.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def live_seed(live_server, transactional_db):
    """The Idlib case in a database the live server's thread can see.

    Transactional tests empty the tables afterwards, data migrations' rows included,
    so the casualty categories are put back first.
    """
    from incidents.models import CasualtyCategory
    from incidents.seed import load_seed

    categories = importlib.import_module("incidents.migrations.0003_casualty_categories")
    for slug, name, position in categories.CATEGORIES:
        CasualtyCategory.objects.update_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
    return load_seed()


@pytest.fixture
def offline_page(page, live_server):
    """A page that can reach the live server only: map tiles and anything else fail."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    watch_csp(page)

    def only_local(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_local)
    page.errors = errors
    yield page
    assert page.csp_violations == [], page.csp_violations


def watch_csp(page):
    """Collect the page's Content-Security-Policy violations in ``page.csp_violations``."""
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.csp_violations.append(message.text)
        ),
    )
    # Reported as events too, with the directive that refused (console wording varies).
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + e.blockedURI));"
    )
    return page


@pytest.fixture
def csp_page(page):
    """A page that fails the test on any Content-Security-Policy violation."""
    yield watch_csp(page)
    assert page.csp_violations == [], page.csp_violations

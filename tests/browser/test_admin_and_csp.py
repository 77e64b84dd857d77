"""The admin and the pages under the Content-Security-Policy, in a real browser."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_site import current_code

pytestmark = pytest.mark.browser


def test_a_researcher_enters_a_claim_in_the_admin_without_csp_violations(
    csp_page, live_server, live_seed, admin_user
):
    page = csp_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    # The one-time-code step: first sign-in enrols an authenticator from the QR code.
    page.wait_for_url("**/admin/otp/enrol/**")
    assert page.locator("img[src^='data:image/svg+xml']").count() == 1
    device = TOTPDevice.objects.get(user=admin_user)
    page.fill("#id_otp_token", current_code(device))
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/incidents/incident/{live_seed.pk}/change/")
    assert page.locator("h1").inner_text() == "Change incident"
    # The nested inlines' JavaScript works: a new claim form and a figure inside it.
    page.get_by_role("link", name="Add another Claim").first.click()
    assert page.locator(".djn-item:not(.djn-empty-form)").count() > 0
    page.goto(f"{live_server.url}/admin/incidents/incident/add/")
    page.locator("#id_title").press_sequentially("Shelling of the market")
    assert page.input_value("#id_slug") == "shelling-of-the-market"  # prepopulated by script

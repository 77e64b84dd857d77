"""What a journalist sees: the list, its filters and map, and the incident page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLIB = "/incidents/idlib-city-airstrikes-2016-05-30/"


def test_a_journalist_filters_the_list_and_opens_the_incident(offline_page, live_server, live_seed):
    page = offline_page
    page.goto(f"{live_server.url}/incidents/")
    expect(page.locator(".incident-entry")).to_have_count(2)

    page.get_by_label("Contested", exact=True).select_option("true")
    page.get_by_label("Search", exact=True).fill("hospital")
    page.get_by_role("button", name="Show incidents").click()

    expect(page).to_have_url(re.compile(r"/incidents/\?q=hospital&contested=true$"))
    expect(page.locator(".result-count")).to_contain_text("1 incident")
    expect(page.locator(".active-filters")).to_contain_text("Contested: Yes")
    page.get_by_role("link", name="Late-night airstrikes on Idlib city").click()

    expect(page).to_have_url(f"{live_server.url}{IDLIB}")
    table = page.get_by_role("table", name="Each source's figures, as said and as numbers")
    expect(table).to_be_visible()
    expect(
        table.get_by_role("row", name=re.compile("Local Coordination Committees.*50 people"))
    ).to_be_visible()
    expect(page.locator(".range-cards")).to_contain_text("23–50")
    chart = page.get_by_role("img", name="Killed: each source's figure on one scale", exact=True)
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 80
    expect(page.locator(".attribution-pair .answers")).to_contain_text("Russian Defense Ministry")
    assert page.errors == []


def test_the_map_initialises_without_network_tiles(offline_page, live_server, live_seed):
    page = offline_page
    tiles = []
    page.on(
        "requestfailed",
        lambda request: tiles.append(request.url) if "tile" in request.url else None,
    )
    with page.expect_response(lambda r: r.url.endswith("incident-map.js")):
        page.goto(f"{live_server.url}/incidents/")
    expect(page.locator("#incident-map[data-ready='true']")).to_be_visible()
    expect(page.locator("#incident-map.leaflet-container")).to_be_visible()
    markers = page.locator("#incident-map path.leaflet-interactive, #incident-map .marker-cluster")
    expect(markers.first).to_be_visible()
    assert tiles, "the tile server was asked for tiles, and none could be had"
    expect(page.get_by_role("button", name="Show only incidents in this map area")).to_be_visible()
    assert page.errors == []


def test_the_list_works_without_javascript(browser, live_server, live_seed):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/incidents/?assessment=weak")
    expect(page.locator(".incident-entry")).to_have_count(1)
    expect(page.locator("#incident-map")).to_be_hidden()
    expect(page.locator(".timeline svg")).to_be_visible()
    context.close()


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 900), ("phone", 390, 844)])
def test_the_incident_page_reads_at_desktop_and_phone_widths(
    offline_page, live_server, live_seed, artifacts, name, width, height
):
    page = offline_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}{IDLIB}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Late-night airstrikes on Idlib city")
    expect(page.get_by_role("img", name=re.compile("^Killed:"))).to_be_visible()
    # Nothing but the wide table scrolls sideways.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(artifacts / f"incident-{name}.png"), full_page=True)
    assert (artifacts / f"incident-{name}.png").stat().st_size > 10_000


def test_the_pages_work_from_the_keyboard(offline_page, live_server, live_seed):
    page = offline_page
    page.goto(f"{live_server.url}/incidents/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.get_by_label("Search", exact=True).focus()
    page.keyboard.type("vaccination")
    page.keyboard.press("Enter")
    expect(page.locator(".result-count")).to_contain_text("1 incident")
    link = page.get_by_role("link", name="Raids destroy two vaccination centres in Kfar Takharim")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Raids destroy two vaccination centres in Kfar Takharim"
    )


def test_graphic_evidence_opens_only_when_the_reader_asks(
    offline_page, live_server, live_seed, artifacts
):
    page = offline_page
    page.goto(f"{live_server.url}{IDLIB}")
    evidence = page.locator("#evidence")
    expect(evidence).to_contain_text(
        "The videos appeared genuine and corresponded to other AP reporting of the events depicted."
    )
    description = evidence.locator(".media-description")
    expect(description).to_be_hidden()
    page.get_by_text("Show graphic content").click()
    expect(description).to_be_visible()
    expect(description).to_contain_text("Amateur videos showed relief workers")
    expect(evidence.locator("details.graphic-content")).to_have_attribute("open", "")
    evidence.screenshot(path=str(artifacts / "incident-evidence-open.png"))
    page.locator("#claims").screenshot(path=str(artifacts / "incident-claims.png"))
    assert page.errors == []


def test_graphic_evidence_opens_without_javascript(browser, live_server, live_seed):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{IDLIB}")
    description = page.locator("#evidence .media-description")
    expect(description).to_be_hidden()
    page.get_by_text("Show graphic content").click()
    expect(description).to_be_visible()
    context.close()

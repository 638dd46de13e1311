"""The public schedule page in headless Chromium against a real node: the day's grid with its
rooms, the running talk and the "now" line are visible, and the live room is linked."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from core.clock import utc_now
from tests.live.conftest import LiveNode
from tests.web.test_schedule_page import released, talk_event

TIMEOUT_MS = 10_000


async def test_schedule_grid_and_now_marker_are_visible(
    browser: Browser, live_node: LiveNode
) -> None:
    database = live_node.services.database
    event = await talk_event(database, utc_now())
    await released(database, event, "v1")
    page = await browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    await page.goto(f"{live_node.url}/{event.slug}/schedule/")

    await expect(page.get_by_role("heading", level=1)).to_have_text("TalkCon schedule")
    grid = page.get_by_role("table").first
    await expect(grid).to_be_visible()
    await expect(grid.get_by_role("columnheader").first).to_have_text("Time")
    await expect(page.get_by_role("columnheader", name="Main hall").first).to_be_visible()
    running = page.locator("article.running")
    await expect(running).to_have_count(1)
    await expect(running).to_be_visible()
    await expect(running.get_by_role("heading")).to_have_text("Opening")
    await expect(page.locator("#now")).to_be_visible()
    await expect(page.locator("#now")).to_contain_text("now")
    watch = page.get_by_role("link", name="Watch live in Main hall").first
    assert await watch.get_attribute("href") == f"/join#event={event.slug}"
    await expect(page.get_by_role("link", name="schedule.ics (calendar)")).to_be_visible()

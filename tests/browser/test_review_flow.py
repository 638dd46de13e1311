"""The reviewer pages in headless Chromium against a real node: a logged-in reviewer opens the
list, reviews a submission through the form and finds their score in the list."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.live.conftest import LiveNode
from tests.web.test_review_pages import ReviewSite, add_category, add_phase, add_submissions
from web.account_session import COOKIE

TIMEOUT_MS = 10_000


async def test_review_a_submission_and_see_the_score_in_the_list(
    browser: Browser, live_node: LiveNode
) -> None:
    async with httpx.AsyncClient(base_url=live_node.url) as http:
        site = await ReviewSite.make(http, live_node.services.database)
        await add_phase(site)
        await add_category(site, "3", max_score=4, sort_key=0)
        await add_category(site, "1", max_score=4, sort_key=1)
        await add_submissions(site, "Rust in the kernel", "Postgres tuning")
        token = await site.session_token(await site.account())
    context = await browser.new_context()
    await context.add_cookies([{"name": COOKIE, "value": token, "url": live_node.url}])
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    await page.goto(f"{live_node.url}{site.base}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    row = page.get_by_role("row", name="Rust in the kernel")
    await expect(row.locator("td.own-score")).to_have_text("not reviewed")
    await row.get_by_role("link", name="Rust in the kernel").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Rust in the kernel")
    await page.get_by_label("category 0").fill("4")
    await page.get_by_label("category 1").fill("0")
    await page.get_by_label("Your comments").fill("Clear and timely.")
    await page.get_by_role("button", name="Save review").click()

    await expect(page.get_by_role("status")).to_have_text("Your review was saved.")
    await expect(page.locator("#own-score")).to_have_text("3.00")
    await page.get_by_role("link", name="All submissions").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Reviews")
    row = page.get_by_role("row", name="Rust in the kernel")
    await expect(row.locator("td.own-score")).to_have_text("3.00")
    await expect(row.locator("td.review-count")).to_have_text("1")
    other = page.get_by_role("row", name="Postgres tuning")
    await expect(other.locator("td.own-score")).to_have_text("not reviewed")
    await context.close()

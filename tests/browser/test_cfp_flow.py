"""The call for papers in headless Chromium against a real node: a new speaker signs up from the
CfP, submits a talk answering a custom question, finds it in the speaker area, edits it and
withdraws it."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.live.conftest import LiveNode
from tests.web.test_cfp_pages import CfpEvent, cfp_event

TIMEOUT_MS = 10_000


async def sign_up_from_the_cfp(browser: Browser, node: LiveNode, event: CfpEvent) -> Page:
    page = await browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(f"{node.url}/{event.slug}/cfp/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Call for papers: TalkCon")
    await page.get_by_role("link", name="Submit a proposal").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    await page.get_by_role("link", name="Sign up").last.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    await page.get_by_label("Your name").fill("Grace Hopper")
    await page.get_by_label("Email address").fill(f"grace-{event.id[:8]}@example.org")
    await page.get_by_label("Password (at least 8 characters)").fill("compilers rock")
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Submit a proposal")
    return page


async def test_sign_up_submit_edit_and_withdraw_a_talk(
    browser: Browser, live_node: LiveNode
) -> None:
    event = await cfp_event(live_node.services.database)
    page = await sign_up_from_the_cfp(browser, live_node, event)

    await page.get_by_label("Title").fill("Nanoseconds")
    await page.get_by_label("Abstract").fill("How long is a nanosecond?")
    await page.get_by_label("Company").fill("US Navy")
    await page.get_by_role("button", name="Submit proposal").click()

    # The required question was left open: the form comes back with the values and the error.
    await expect(page.locator("#form-errors")).to_be_visible()
    await expect(page.get_by_label("Title")).to_have_value("Nanoseconds")
    await expect(page.locator(f'[id="{event.level}-error"]')).to_have_text(
        "This question must be answered."
    )
    await page.get_by_label("Audience level").select_option("Beginner")
    await page.get_by_role("button", name="Submit proposal").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Nanoseconds")
    await expect(page.locator("#message")).to_have_text("Thank you, your proposal is submitted.")
    await expect(page.locator("#state")).to_have_text("submitted")

    await page.get_by_role("link", name="My submissions", exact=True).click()
    row = page.get_by_role("row", name="Nanoseconds submitted")
    await expect(row).to_be_visible()
    await row.get_by_role("link", name="Nanoseconds").click()

    await page.get_by_label("Title").fill("Nanoseconds and microseconds")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.locator("#message")).to_have_text("Your changes are saved.")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nanoseconds and microseconds")
    await expect(page.get_by_label("Audience level")).to_have_value("Beginner")

    await page.get_by_role("button", name="Withdraw proposal").click()
    await expect(page.locator("#message")).to_have_text("Your proposal is withdrawn.")
    await expect(page.locator("#state")).to_have_text("withdrawn")
    await expect(page.get_by_role("button", name="Save changes")).to_have_count(0)

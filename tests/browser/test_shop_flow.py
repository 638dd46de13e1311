"""The ticket shop in a real browser against a real node: buying a ticket with an add-on, paying
with the test provider, and joining the live event with the ticket's link."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.live.conftest import LiveNode

TIMEOUT_MS = 10_000
SHOP = "/shop/demo/democon/"


async def order_a_ticket(browser: Browser, node: LiveNode, attendee: str) -> Page:
    """Open the shop, add an online ticket with the workshop, check out; on the order page."""
    page = await browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(f"{node.url}{SHOP}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Tickets for DemoCon")

    await page.get_by_label("Quantity of Online ticket").fill("1")
    await page.get_by_label("Extras with each Online ticket").select_option(
        label="Workshop seat (+15.00 EUR)"
    )
    await page.get_by_role("button", name="Add to cart").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    await expect(page.locator("#cart-total")).to_have_text("40.00 EUR")
    await page.get_by_label("Email address").fill("ada@example.org")
    await page.get_by_label("Attendee name for ticket 1").fill(attendee)
    await page.get_by_label("Test payment").check()
    await page.get_by_role("button", name="Place order").click()

    await expect(page.locator("#order-status")).to_have_text("Awaiting payment")
    return page


async def test_buy_pay_and_join_the_live_event(browser: Browser, live_node: LiveNode) -> None:
    page = await order_a_ticket(browser, live_node, "Ada Lovelace")

    await page.get_by_role("button", name="Pay (succeeds)").click()

    await expect(page.locator("#order-status")).to_have_text("Paid")
    await expect(page.locator("#payments")).to_contain_text("received")
    await expect(page.locator("#tickets")).to_contain_text("with Workshop seat")
    join = page.get_by_role("link", name="Join the live event as Ada Lovelace")
    assert (await join.get_attribute("href") or "").startswith("/join#event=demo/democon&token=")

    await page.get_by_role("link", name="Show ticket of Ada Lovelace").click()
    await expect(page.locator("#attendee")).to_have_text("Ada Lovelace")
    await expect(page.locator("#ticket-qr svg")).to_be_visible()
    await page.go_back()

    await page.get_by_role("link", name="Join the live event as Ada Lovelace").click()
    await expect(page.locator("#event-title")).to_have_text("DemoCon")
    await expect(page.locator("#status")).to_contain_text("Connected as Ada Lovelace")
    await expect(page.locator("#status")).not_to_have_class("error")
    await expect(page.locator("#rooms button")).to_have_text(["Stage", "Hallway"])


async def test_a_failed_payment_leaves_the_order_payable(
    browser: Browser, live_node: LiveNode
) -> None:
    page = await order_a_ticket(browser, live_node, "Grace Hopper")

    await page.get_by_role("button", name="Pay (fails)").click()

    await expect(page.locator("#message")).to_contain_text("The payment did not go through")
    await expect(page.locator("#order-status")).to_have_text("Awaiting payment")
    await expect(page.locator("#payments")).to_contain_text("failed")
    await expect(page.get_by_role("link", name="Join the live event")).to_have_count(0)

    await page.get_by_role("button", name="Pay (succeeds)").click()
    await expect(page.locator("#order-status")).to_have_text("Paid")
    await expect(
        page.get_by_role("link", name="Join the live event as Grace Hopper")
    ).to_be_visible()

"""The attendee page `/join` in a real browser against a real node: the demo links work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.async_api import Browser, Page, expect

from live import DEMO_SLUG, TimelineActor
from live.timeline import TimelineSlot
from tests.live.conftest import LiveNode
from web.pages import join_link

TIMEOUT_MS = 10_000


async def open_join(browser: Browser, node: LiveNode, token: str) -> Page:
    page = await browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(join_link(node.url, DEMO_SLUG, token))
    return page


async def test_attendee_sees_rooms_enters_one_and_chats(
    browser: Browser, live_node: LiveNode
) -> None:
    page = await open_join(browser, live_node, live_node.token("attendee", name="Ada"))

    await expect(page.locator("#event-title")).to_have_text("DemoCon")
    rooms = page.locator("#rooms button")
    await expect(rooms).to_have_text(["Stage", "Hallway"])

    await rooms.filter(has_text="Hallway").click()
    await expect(page.locator("#room-name")).to_have_text("Hallway")
    await expect(page.locator("#viewers")).to_have_text("1")

    await page.locator("#message").fill("Hello from the browser")
    await page.get_by_role("button", name="Send").click()
    message = page.locator("#messages li", has_text="Hello from the browser")
    await expect(message).to_have_count(1)
    await expect(message).to_contain_text("Ada")
    await expect(page.locator("#status")).not_to_have_class("error")


async def test_a_message_from_another_client_arrives(browser: Browser, live_node: LiveNode) -> None:
    page = await open_join(browser, live_node, live_node.token("attendee", name="Ada"))
    await page.locator("#rooms button", has_text="Hallway").click()
    await expect(page.locator("#viewers")).to_have_text("1")

    async with live_node.attendee(name="Grace") as other:
        channel = next(
            module["channel"]
            for room in other.authenticated["rooms"]
            if room["name"] == "Hallway"
            for module in room["modules"]
            if module["type"] == "chat.native"
        )
        await other.call("room.enter", {"room": other.room_id("Hallway")})
        await expect(page.locator("#viewers")).to_have_text("2")
        await other.call("chat.join", {"channel": channel})
        reply = await other.call(
            "chat.send", {"channel": channel, "content": {"type": "text", "body": "Hi Ada"}}
        )
        assert reply["ok"], reply

    await expect(page.locator("#messages li", has_text="Hi Ada")).to_contain_text("Grace")


async def test_a_bad_token_shows_the_error_code(browser: Browser, live_node: LiveNode) -> None:
    page = await open_join(browser, live_node, "not-a-token")

    await expect(page.locator("#status")).to_contain_text("auth.invalid_token")
    await expect(page.locator("#status")).to_have_class("error")
    await expect(page.locator("#rooms button")).to_have_count(0)


async def test_the_room_shows_now_next_and_switches_streams_on_a_new_schedule(
    browser: Browser, live_node: LiveNode
) -> None:
    page = await open_join(browser, live_node, live_node.token("attendee", name="Ada"))
    await page.locator("#rooms button", has_text="Stage").click()
    # The demo schedule has a talk running now on the stage.
    await expect(page.locator("#schedule")).to_be_visible()
    await expect(page.locator("#now")).not_to_have_text("\u2013")
    await expect(page.locator("#stream")).to_be_hidden()  # the demo stage has no stream URL

    async with live_node.attendee() as client:
        stage = client.room_id("Stage")
    now = datetime.now(UTC)
    guest = "https://cdn.example.org/guest.m3u8"
    slots = [
        TimelineSlot(
            "guest",
            now - timedelta(minutes=5),
            now + timedelta(minutes=25),
            "Guest talk",
            speakers=("Grace",),
            stream={"hls_url": guest},
        ).wire(),
        TimelineSlot(
            "after", now + timedelta(minutes=30), now + timedelta(hours=1), "After"
        ).wire(),
    ]
    timeline = live_node.services.actors.ref(TimelineActor, stage)
    await timeline.ask(TimelineActor.publish, slots, "browser")

    await expect(page.locator("#now")).to_have_text("Guest talk (Grace)")
    await expect(page.locator("#next")).to_contain_text("After")
    await expect(page.locator("#stream-link")).to_have_text(guest)
    await expect(page.locator("#stream-link")).to_have_attribute("href", guest)

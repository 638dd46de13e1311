"""Browser tests: a real node (the live tests' ``live_node``) and Debian's Chromium via Playwright.

Chromium is the system's (``apt-get install chromium``); Playwright's own browser downloads are
never used. Without a Chromium that starts, the tests skip saying so; with
TEST_REQUIRE_SERVICES=1 (as CI sets it) they fail instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Error, async_playwright

from tests.conftest import REQUIRE_SERVICES
from tests.live.conftest import live_node

__all__ = ["browser", "live_node"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium for one test."""
    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Error as exc:
            message = f"Chromium at {CHROMIUM} does not start; apt-get install -y chromium ({exc})"
            if REQUIRE_SERVICES:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        try:
            yield browser
        finally:
            await browser.close()

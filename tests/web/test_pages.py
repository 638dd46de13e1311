"""The pages a node serves (``/join`` and ``/static``) and the demo links it logs on first start."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.web.test_app import embedded_settings, running_client
from web.app import create_app
from web.pages import base_url, join_link


async def test_join_page_and_its_scripts_are_served(tmp_path: Path) -> None:
    async with running_client(create_app(embedded_settings(tmp_path))) as client:
        page = await client.get("/join")
        script = await client.get("/static/join.js")
        vendored = await client.get("/static/vendor/socket.io.min.js")
        missing = await client.get("/static/nothing.js")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/vendor/socket.io.min.js">' in page.text
    assert script.status_code == 200
    assert vendored.status_code == 200
    assert vendored.text.startswith("/*!\n * Socket.IO v4.")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "protocol.not_found"


async def test_first_start_logs_join_links_for_attendee_and_moderator(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = embedded_settings(tmp_path, web={"host": "0.0.0.0", "port": 8123})
    with caplog.at_level(logging.INFO, logger="web.app"):
        async with running_client(create_app(settings)):
            pass

    [announcement] = [r.getMessage() for r in caplog.records if "demo/democon" in r.getMessage()]
    links = [line.split(": ", 1) for line in announcement.splitlines()[1:]]
    assert [role.strip() for role, _ in links] == [
        "attendee",
        "moderator",
        "schedule",
        "call for papers",
        "ticket shop",
        "reviews",
    ]
    for _, link in links[:2]:
        assert link.startswith("http://localhost:8123/join#event=demo/democon&token=ey")
    assert links[2][1] == "http://localhost:8123/demo/democon/schedule/"
    assert links[5][1].startswith("http://localhost:8123/demo/democon/reviews/ (log in as ")


def test_links_carry_event_and_token_in_the_fragment() -> None:
    assert join_link("http://127.0.0.1:8000/", "demo/democon", "a.b-c_d") == (
        "http://127.0.0.1:8000/join#event=demo/democon&token=a.b-c_d"
    )
    assert base_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert base_url("::", 8000) == "http://localhost:8000"
    assert base_url("::1", 8000) == "http://[::1]:8000"

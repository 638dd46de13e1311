"""``user.update``: the profile changes durably and the user's other sockets hear of it."""

from __future__ import annotations

import asyncio

from tests.live.conftest import LiveNode


async def test_a_profile_update_reaches_the_other_sockets_but_not_the_sender(
    live_node: LiveNode,
) -> None:
    token = live_node.token("attendee", uid="twin", name="Ada")
    async with live_node.client(token=token) as first, live_node.client(token=token) as second:
        reply = await first.call(
            "user.update", {"profile": {"display_name": "Ada L.", "fields": {"city": "London"}}}
        )
        user = {
            "id": first.authenticated["user"]["id"],
            "display_name": "Ada L.",
            "profile": {"fields": {"city": "London"}},
        }
        assert reply == {"ok": True, "data": {"user": user}}
        assert await second.push("user.updated") == {"user": user}
        await asyncio.sleep(0.2)
        assert [name for name, _ in first.pushes if name == "user.updated"] == []
    async with live_node.client(token=token) as again:
        assert again.authenticated["user"]["display_name"] == "Ada L."


async def test_a_display_name_must_not_be_blank(live_node: LiveNode) -> None:
    async with live_node.attendee() as client:
        reply = await client.call("user.update", {"profile": {"display_name": "   "}})
        assert reply["error"]["code"] == "protocol.invalid_payload"

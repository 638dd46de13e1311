"""Malformed payloads of every chat command answer ``protocol.invalid_payload``, socket intact."""

from __future__ import annotations

from typing import Any

from tests.live.chat_clients import channel_of, send, text
from tests.live.conftest import LiveNode

LONG = "x" * 4001


def malformed(channel: str) -> dict[str, list[Any]]:
    """For each command, payloads that must fail validation."""
    target = {"channel": channel, "event": 1}
    return {
        "chat.join": [None, [], "x", {}, {"channel": 7}, {"channel": channel, "volatile": True}],
        "chat.leave": [{}, {"channel": ""}, {"channel": "x" * 65}],
        "chat.subscribe": [
            {"channel": channel, "after": -1},
            {"channel": channel, "after": "3"},
            {"channel": channel, "after": 1.5},
            {"channel": channel, "after": True},
        ],
        "chat.unsubscribe": [{"channel": None}],
        "chat.fetch": [
            {"channel": channel, "count": 0},
            {"channel": channel, "count": 1001},
            {"channel": channel, "before": 0},
        ],
        "chat.send": [
            {"channel": channel},
            {"channel": channel, "content": "hello"},
            {"channel": channel, "content": {"type": "text"}},
            {"channel": channel, "content": {"type": "html", "body": "<b>hi</b>"}},
            {"channel": channel, "content": text("")},
            {"channel": channel, "content": text("   \n ")},
            {"channel": channel, "content": text(LONG)},
            {"channel": channel, "content": {**text("hi"), "extra": 1}},
            {"channel": channel, "content": text("hi"), "event_type": "channel.message"},
        ],
        "chat.edit": [{**target}, {**target, "event": "1", "content": text("x")}],
        "chat.delete": [{"channel": channel}, {**target, "event": -5}, {**target, "content": {}}],
        "chat.react": [
            {**target},
            {**target, "reaction": ""},
            {**target, "reaction": "👍" * 17},
            {**target, "reaction": "👍", "remove": "yes"},
        ],
        "chat.mark_read": [{"channel": channel}, {**target, "event": 0}, {**target, "id": 1}],
        "chat.direct.create": [{}, {"users": []}, {"users": "bob"}, {"users": ["x"] * 21}],
    }


async def test_malformed_chat_payloads_are_refused_and_the_socket_stays_usable(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee() as ada:
        hallway = channel_of(ada, "Hallway")
        for command, payloads in malformed(hallway).items():
            for payload in payloads:
                reply = await ada.call(command, payload)
                assert reply["ok"] is False, (command, payload)
                assert reply["error"]["code"] == "protocol.invalid_payload", (command, payload)
                assert reply["error"]["details"]["errors"], (command, payload)
        await ada.call("chat.join", {"channel": hallway})
        assert (await send(ada, hallway, "still here"))["content"] == text("still here")


async def test_a_body_of_exactly_the_limit_is_accepted(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        hallway = channel_of(ada, "Hallway")
        await ada.call("chat.join", {"channel": hallway})
        assert (await send(ada, hallway, "é" * 4000))["content"]["body"] == "é" * 4000

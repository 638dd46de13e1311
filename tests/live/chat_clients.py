"""What the chat tests do with a client: find a room's channel, unpack ``batch`` pushes, send."""

from __future__ import annotations

from typing import Any

from tests.live.conftest import LiveClient


def channel_of(client: LiveClient, room_name: str) -> str:
    """The chat channel of a room as the greeting names it."""
    room = next(r for r in client.authenticated["rooms"] if r["name"] == room_name)
    return str(next(m["channel"] for m in room["modules"] if m["type"] == "chat.native"))


def user_id(client: LiveClient) -> str:
    return str(client.authenticated["user"]["id"])


def unbatching(client: LiveClient) -> LiveClient:
    """Record the pushes of a ``batch`` push one by one, as the protocol says clients treat it."""

    def unpack(data: list[list[Any]]) -> None:
        for name, item in data:
            client._record(name, item)

    client.sio.on("batch", unpack)
    return client


def text(body: str) -> dict[str, Any]:
    return {"type": "text", "body": body}


async def send(client: LiveClient, channel: str, body: str) -> dict[str, Any]:
    """Send a text message; returns the acknowledged event."""
    reply = await client.call("chat.send", {"channel": channel, "content": text(body)})
    assert reply["ok"] is True, reply
    event: dict[str, Any] = reply["data"]["event"]
    return event


async def fetch(client: LiveClient, channel: str, **options: Any) -> list[dict[str, Any]]:
    reply = await client.call("chat.fetch", {"channel": channel, **options})
    assert reply["ok"] is True, reply
    events: list[dict[str, Any]] = reply["data"]["events"]
    return events


def error_code(reply: dict[str, Any]) -> str:
    assert reply["ok"] is False, reply
    return str(reply["error"]["code"])


def pushed_events(client: LiveClient) -> list[dict[str, Any]]:
    """The ``chat.event`` pushes received so far (consumed)."""
    events = [data for name, data in client.pushes if name == "chat.event"]
    client.pushes[:] = [(name, data) for name, data in client.pushes if name != "chat.event"]
    return events

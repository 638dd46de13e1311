"""The per-user connection limit: the oldest sockets beyond it get ``connection.replaced`` and are
closed, on whichever node they are."""

from __future__ import annotations

import asyncio

import pytest

from live import DEMO_SLUG, EventService
from live.audit import entries
from live.connections import UserConnectionsActor
from tests.live.conftest import LiveClient, LiveNode


async def limit_connections(node: LiveNode, limit: int) -> str:
    """Set the demo event's limit (before any socket connects: nodes cache the event briefly)."""
    events = EventService(node.services.database)
    event = await events.by_slug(DEMO_SLUG)
    await events.update_config(event.id, {"connection_limit": limit}, by=None)
    return event.id


def watch_close(client: LiveClient) -> asyncio.Event:
    closed = asyncio.Event()
    client.sio.on("disconnect", lambda *_reason: closed.set())
    return closed


def socket_ref(node: LiveNode, client: LiveClient) -> str:
    return f"{node.services.actors.node_id}/{client.sio.get_sid()}"


async def replaced(client: LiveClient, closed: asyncio.Event) -> None:
    assert await client.push("connection.replaced") == {}
    async with asyncio.timeout(3):
        await closed.wait()


async def test_the_oldest_socket_beyond_the_limit_is_replaced(live_node: LiveNode) -> None:
    event_id = await limit_connections(live_node, 2)
    token = live_node.token("attendee", uid="many-tabs")
    async with live_node.client(token=token) as first, live_node.client(token=token) as second:
        first_closed, second_closed = watch_close(first), watch_close(second)
        async with live_node.client(token=token) as third:
            await replaced(first, first_closed)
            assert second.sio.connected
            async with live_node.client(token=token) as fourth:
                await replaced(second, second_closed)
                assert third.sio.connected
                assert fourth.sio.connected
    logged = await entries(live_node.services.database, event_id)
    # The demo seed's "room.created" entries are not what these tests are about.
    assert [(e.type, e.user_id, e.data) for e in logged if e.type != "room.created"] == [
        ("event.config.updated", None, {"changes": {"connection_limit": 2}})
    ]


async def test_a_closed_socket_frees_its_place(live_node: LiveNode) -> None:
    await limit_connections(live_node, 2)
    token = live_node.token("attendee", uid="reloader")
    async with live_node.client(token=token) as first:
        user = first.authenticated["user"]["id"]
        counted = live_node.services.actors.ref(UserConnectionsActor, user)
        async with live_node.client(token=token) as second:
            second_ref = socket_ref(live_node, second)
            assert await counted.ask(UserConnectionsActor.counted) == [
                socket_ref(live_node, first),
                second_ref,
            ]
        async with asyncio.timeout(3):
            # The release is a tell sent when the server notices the close; nothing signals it.
            while second_ref in await counted.ask(UserConnectionsActor.counted):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        async with live_node.client(token=token) as third:
            assert await counted.ask(UserConnectionsActor.counted) == [
                socket_ref(live_node, first),
                socket_ref(live_node, third),
            ]
            # Pushes on the user's topic come after any replacement: the first socket got none.
            await third.call("user.update", {"profile": {"display_name": "Still here"}})
            await first.push("user.updated")
            assert first.sio.connected
            assert ("connection.replaced", {}) not in first.pushes


async def test_limits_count_per_user_and_spare_exempt_users(live_node: LiveNode) -> None:
    await limit_connections(live_node, 1)
    admin = live_node.token("admin", uid="admin-everywhere")
    other = live_node.token("attendee", uid="someone-else")
    async with (
        live_node.client(token=admin) as admin_one,
        live_node.client(token=admin) as admin_two,
        live_node.attendee() as attendee,
        live_node.client(token=other) as other_one,
    ):
        closed = watch_close(other_one)
        async with live_node.client(token=other) as other_two:
            await replaced(other_one, closed)
            for client in (admin_one, admin_two, attendee, other_two):
                assert client.sio.connected
                assert ("connection.replaced", {}) not in client.pushes


@pytest.mark.redis
@pytest.mark.postgres
async def test_a_socket_on_another_node_is_replaced_there(
    two_nodes: tuple[LiveNode, LiveNode],
) -> None:
    a, b = two_nodes
    # The database outlives this test: put the limit back for the tests after it.
    await limit_connections(a, 2)
    try:
        token = a.token("attendee", uid="two-devices")
        async with b.client(token=token) as on_b:
            closed = watch_close(on_b)
            async with a.client(token=token) as first_on_a, a.client(token=token) as second_on_a:
                await replaced(on_b, closed)
                assert first_on_a.sio.connected
                assert second_on_a.sio.connected
    finally:
        await limit_connections(a, 0)

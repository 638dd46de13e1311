"""Read pointers and notification counts: shared by a user's sockets and kept for the next login."""

from __future__ import annotations

from tests.live.chat_clients import channel_of, send, text, user_id
from tests.live.conftest import LiveNode


async def test_marking_read_on_one_socket_reaches_the_users_other_sockets(
    live_node: LiveNode,
) -> None:
    token = live_node.token("attendee", uid="ada")
    async with live_node.client(token=token) as phone, live_node.client(token=token) as laptop:
        hallway = channel_of(phone, "Hallway")
        await phone.call("chat.join", {"channel": hallway})
        message = await send(phone, hallway, "hello")

        reply = await phone.call("chat.mark_read", {"channel": hallway, "event": message["id"]})

        assert reply == {"ok": True, "data": {}}
        assert await laptop.push("chat.read_pointers") == {hallway: message["id"]}
        assert await laptop.push("chat.notification_counts") == {hallway: 0}
    async with live_node.client(token=token) as again:
        assert again.authenticated["chat"]["read_pointers"] == {hallway: message["id"]}


async def test_a_pointer_only_moves_forward_and_not_past_the_newest_event(
    live_node: LiveNode,
) -> None:
    token = live_node.token("attendee", uid="ada-pointer")
    async with live_node.client(token=token) as ada, live_node.client(token=token) as other:
        hallway = channel_of(ada, "Hallway")
        await ada.call("chat.join", {"channel": hallway})
        await send(ada, hallway, "two")
        await ada.call("chat.mark_read", {"channel": hallway, "event": 99})
        assert await other.push("chat.read_pointers") == {hallway: 2}
        await ada.call("chat.mark_read", {"channel": hallway, "event": 1})
        assert await other.push("chat.read_pointers") == {hallway: 2}


async def test_mentions_while_away_are_counted_at_the_next_login_until_read(
    live_node: LiveNode,
) -> None:
    bob_token = live_node.token("attendee", uid="bob")
    async with live_node.attendee() as ada:
        hallway = channel_of(ada, "Hallway")
        async with live_node.client(token=bob_token) as bob:
            await bob.call("chat.join", {"channel": hallway})
            bob_id = user_id(bob)
        await ada.call("chat.join", {"channel": hallway})
        mentions = []
        for n in range(2):
            body = f"@[{bob_id}] ping {n}"
            reply = await ada.call("chat.send", {"channel": hallway, "content": text(body)})
            mentions.append(reply["data"]["event"]["id"])
        await send(ada, hallway, "not for bob")
    async with live_node.client(token=bob_token) as bob:
        assert bob.authenticated["chat"]["notification_counts"] == {hallway: 2}
        await bob.call("chat.mark_read", {"channel": hallway, "event": mentions[0]})
        assert await bob.push("chat.notification_counts") == {hallway: 1}
    async with live_node.client(token=bob_token) as bob:
        assert bob.authenticated["chat"] == {
            "channels": [{"id": hallway, "room": bob.room_id("Hallway")}],
            "read_pointers": {hallway: mentions[0]},
            "notification_counts": {hallway: 1},
        }

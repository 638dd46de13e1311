"""Room channels: join, leave, subscribe with resume, unsubscribe, fetch, and who may do what."""

from __future__ import annotations

import asyncio

from tests.live.chat_clients import (
    channel_of,
    error_code,
    fetch,
    pushed_events,
    send,
    text,
    unbatching,
    user_id,
)
from tests.live.conftest import LiveClient, LiveNode


async def test_joining_a_channel_records_a_member_event_for_its_subscribers(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee(name="Ada") as ada, live_node.attendee(name="Bob") as bob:
        hallway = channel_of(ada, "Hallway")
        assert (await bob.call("chat.subscribe", {"channel": hallway}))["ok"]

        reply = await ada.call("chat.join", {"channel": hallway})

        ada_profile = {"id": user_id(ada), "display_name": "Ada", "profile": {}}
        assert reply == {
            "ok": True,
            "data": {"next_event_id": 2, "unread_pointer": 0, "members": [ada_profile]},
        }
        joined = await bob.push("chat.event")
        assert joined == {
            "id": 1,
            "channel": hallway,
            "sender": user_id(ada),
            "timestamp": joined["timestamp"],
            "type": "member",
            "content": {"membership": "join", "user": ada_profile},
            "edited": None,
            "replaces": None,
            "reactions": {},
            "users": {user_id(ada): ada_profile},
        }
        assert joined["timestamp"].endswith("Z")


async def test_joining_twice_adds_no_second_member_event(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        hallway = channel_of(ada, "Hallway")
        await ada.call("chat.join", {"channel": hallway})
        again = await ada.call("chat.join", {"channel": hallway})
        assert again["data"]["next_event_id"] == 2
        assert [e["type"] for e in await fetch(ada, hallway)] == ["member"]


async def test_a_sent_message_reaches_subscribers_and_the_history(live_node: LiveNode) -> None:
    async with live_node.attendee(name="Ada") as ada, live_node.attendee() as bob:
        hallway = channel_of(ada, "Hallway")
        await ada.call("chat.join", {"channel": hallway})
        await bob.call("chat.subscribe", {"channel": hallway})

        reply = await ada.call("chat.send", {"channel": hallway, "content": text("Hello")})

        event = reply["data"]["event"]
        assert reply == {
            "ok": True,
            "data": {
                "event": {
                    "id": 2,
                    "channel": hallway,
                    "sender": user_id(ada),
                    "timestamp": event["timestamp"],
                    "type": "message",
                    "content": {"type": "text", "body": "Hello"},
                    "edited": None,
                    "replaces": None,
                    "reactions": {},
                }
            },
        }
        ada_profile = {"id": user_id(ada), "display_name": "Ada", "profile": {}}
        pushed = await bob.push("chat.event")
        assert pushed == {**event, "users": {user_id(ada): ada_profile}}
        history = await bob.call("chat.fetch", {"channel": hallway})
        assert history["data"]["events"][1] == event
        assert history["data"]["users"] == {user_id(ada): ada_profile}


async def test_fetch_pages_backwards_from_before(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        hallway = channel_of(ada, "Hallway")
        await ada.call("chat.join", {"channel": hallway})
        for n in range(5):
            await send(ada, hallway, f"m{n}")
        newest = await fetch(ada, hallway, count=2)
        older = await fetch(ada, hallway, before=newest[0]["id"], count=10)
        assert [e["id"] for e in newest] == [5, 6]
        assert [e["id"] for e in older] == [1, 2, 3, 4]
        assert await fetch(ada, hallway, before=1) == []


async def test_resume_after_a_disconnect_returns_exactly_the_missed_events(
    live_node: LiveNode,
) -> None:
    ada_token = live_node.token("attendee", uid="ada")
    async with live_node.attendee() as bob:
        hallway = channel_of(bob, "Hallway")
        await bob.call("chat.join", {"channel": hallway})
        async with live_node.client(token=ada_token) as ada:
            await ada.call("chat.subscribe", {"channel": hallway})
            seen = await send(bob, hallway, "before")
            assert (await ada.push("chat.event"))["id"] == seen["id"]
        missed = [await send(bob, hallway, f"while away {n}") for n in range(3)]
        async with live_node.client(token=ada_token) as ada:
            reply = await ada.call("chat.subscribe", {"channel": hallway, "after": seen["id"]})
            assert reply == {
                "ok": True,
                "data": {
                    "next_event_id": missed[-1]["id"] + 1,
                    "unread_pointer": missed[-1]["id"],
                    "events": missed,
                    "more": False,
                },
            }
            after = await send(bob, hallway, "back again")
            assert (await ada.push("chat.event"))["id"] == after["id"]


async def test_unsubscribe_and_leave_stop_the_pushes(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        hallway = channel_of(ada, "Hallway")
        await ada.call("chat.join", {"channel": hallway})
        await bob.call("chat.join", {"channel": hallway})
        assert (await bob.push("chat.event"))["id"] == 2  # bob's own join
        assert (await bob.call("chat.unsubscribe", {"channel": hallway})) == {
            "ok": True,
            "data": {},
        }
        await send(ada, hallway, "bob does not hear this")
        assert (await ada.call("chat.leave", {"channel": hallway})) == {"ok": True, "data": {}}
        await asyncio.sleep(0.2)
        assert pushed_events(bob) == []
        events = await fetch(bob, hallway)
        assert [(e["type"], e["content"].get("membership")) for e in events] == [
            ("member", "join"),
            ("member", "join"),
            ("message", None),
            ("member", "leave"),
        ]
        reply = await ada.call("chat.send", {"channel": hallway, "content": text("gone")})
        assert error_code(reply) == "auth.denied"


async def test_a_stage_chat_is_volatile_no_member_events_and_no_member_list(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        stage = channel_of(ada, "Stage")
        await bob.call("chat.subscribe", {"channel": stage})
        joined = await ada.call("chat.join", {"channel": stage})
        assert joined == {
            "ok": True,
            "data": {"next_event_id": 1, "unread_pointer": 0, "members": []},
        }
        message = await send(ada, stage, "Great talk!")
        assert message["id"] == 1
        assert (await bob.push("chat.event"))["id"] == 1
        assert [e["type"] for e in await fetch(bob, stage)] == ["message"]


async def test_a_volatile_membership_ends_with_the_users_last_socket(live_node: LiveNode) -> None:
    token = live_node.token("attendee", uid="ada")
    async with live_node.client(token=token) as phone, live_node.client(token=token) as laptop:
        stage = channel_of(phone, "Stage")
        await phone.call("chat.join", {"channel": stage})
        await laptop.call("chat.subscribe", {"channel": stage})
        await phone.call("chat.unsubscribe", {"channel": stage})
        await send(laptop, stage, "the laptop still holds the membership")
        await laptop.call("chat.unsubscribe", {"channel": stage})
        reply = await laptop.call("chat.send", {"channel": stage, "content": text("gone?")})
        assert error_code(reply) == "auth.denied"


async def test_a_disconnect_ends_the_volatile_membership_it_held(live_node: LiveNode) -> None:
    token = live_node.token("attendee", uid="ada")
    async with live_node.client(token=token) as ada:
        stage = channel_of(ada, "Stage")
        await ada.call("chat.join", {"channel": stage})
    async with live_node.client(token=token) as ada:
        assert ada.authenticated["chat"]["channels"] == []
        for _ in range(40):  # the server handles the old socket's disconnect on its own time
            reply = await ada.call("chat.send", {"channel": stage, "content": text("here?")})
            if not reply["ok"]:
                break
            await asyncio.sleep(0.05)
        assert error_code(reply) == "auth.denied"


async def test_the_greeting_lists_joined_channels(live_node: LiveNode) -> None:
    token = live_node.token("attendee", uid="ada")
    async with live_node.client(token=token) as ada:
        hallway = channel_of(ada, "Hallway")
        await ada.call("chat.join", {"channel": hallway})
    async with live_node.client(token=token) as ada:
        assert ada.authenticated["chat"] == {
            "channels": [{"id": hallway, "room": ada.room_id("Hallway")}],
            "read_pointers": {},
            "notification_counts": {},
        }


async def test_unknown_channels_answer_chat_unknown(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        for command, payload in [
            ("chat.join", {}),
            ("chat.leave", {}),
            ("chat.subscribe", {"after": 3}),
            ("chat.fetch", {}),
            ("chat.send", {"content": text("x")}),
            ("chat.edit", {"event": 1, "content": text("x")}),
            ("chat.delete", {"event": 1}),
            ("chat.react", {"event": 1, "reaction": "👍"}),
            ("chat.mark_read", {"event": 1}),
        ]:
            reply = await ada.call(command, {"channel": "no-such-channel", **payload})
            assert reply["error"] == {
                "code": "chat.unknown",
                "message": "No such chat channel",
                "details": {"channel": "no-such-channel"},
            }, command
        assert (await ada.call("chat.unsubscribe", {"channel": "nope"})) == {"ok": True, "data": {}}


async def test_room_permissions_decide_who_reads_joins_and_sends(live_node: LiveNode) -> None:
    async with live_node.client(token=live_node.token("admin")) as admin:
        created = await admin.call(
            "room.create",
            {
                "name": "Lounge",
                "modules": [{"type": "chat.native"}],
                "trait_grants": {"viewer": []},
            },
        )
        assert created["ok"], created
        crew = await admin.call(
            "room.create",
            {
                "name": "Crew",
                "modules": [{"type": "chat.native"}],
                "trait_grants": {"participant": ["crew"]},
            },
        )
        assert crew["ok"], crew
    async with live_node.attendee() as ada:
        lounge, hidden_rooms = channel_of(ada, "Lounge"), ada.authenticated["rooms"]
        assert "Crew" not in [room["name"] for room in hidden_rooms]
        assert (await ada.call("chat.subscribe", {"channel": lounge}))["ok"] is True
        assert (await ada.call("chat.fetch", {"channel": lounge}))["ok"] is True
        assert error_code(await ada.call("chat.join", {"channel": lounge})) == "auth.denied"
        sent = await ada.call("chat.send", {"channel": lounge, "content": text("hi")})
        assert error_code(sent) == "auth.denied"
    async with live_node.client(token=live_node.token("attendee", "crew")) as crew_member:
        crew_channel = channel_of(crew_member, "Crew")
    async with live_node.attendee() as ada:
        for command in ("chat.subscribe", "chat.fetch", "chat.join"):
            reply = await ada.call(command, {"channel": crew_channel})
            assert error_code(reply) == "auth.denied", command


async def test_concurrent_sends_are_all_acknowledged_with_distinct_growing_ids(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        hallway = channel_of(ada, "Hallway")
        unbatching(bob)
        await ada.call("chat.join", {"channel": hallway})
        await bob.call("chat.join", {"channel": hallway})
        assert (await bob.push("chat.event"))["id"] == 2  # bob's own join

        async def burst(client: LiveClient, label: str) -> list[int]:
            sent = await asyncio.gather(*(send(client, hallway, f"{label}{n}") for n in range(100)))
            return [event["id"] for event in sent]

        ids = [i for batch in await asyncio.gather(burst(ada, "a"), burst(bob, "b")) for i in batch]

        assert len(set(ids)) == 200
        history = await fetch(ada, hallway, count=1000)
        assert [e["id"] for e in history] == list(range(1, 203))
        assert {e["id"] for e in history if e["type"] == "message"} == set(ids)
        received = [(await bob.push("chat.event"))["id"] for _ in range(200)]
        assert received == list(range(3, 203))  # pushed in id order

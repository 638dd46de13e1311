"""Rooms: exact live viewer counts, viewer lists for moderators only, aggregated reactions."""

from __future__ import annotations

import asyncio

from tests.live.conftest import LiveNode


async def test_viewer_counts_follow_enters_leaves_and_disconnects(live_node: LiveNode) -> None:
    async with live_node.attendee() as first:
        room = first.room_id("Hallway")
        reply = await first.call("room.enter", {"room": room})
        assert reply["ok"] is True
        assert reply["data"]["room"] == {"id": room, "viewers": 1}
        assert reply["data"]["schedule"]["room"] == room  # the demo schedule's now and next
        async with live_node.attendee() as second:
            assert (await second.call("room.enter", {"room": room}))["data"]["room"]["viewers"] == 2
            assert await first.push("room.viewers") == {"room": room, "viewers": 2}
        # The second user disconnected without leaving.
        assert await first.push("room.viewers") == {"room": room, "viewers": 1}
        assert await first.call("room.leave", {"room": room}) == {"ok": True, "data": {}}
        assert await first.call("room.leave", {"room": room}) == {"ok": True, "data": {}}


async def test_two_sockets_of_one_user_count_once(live_node: LiveNode) -> None:
    token = live_node.token("attendee", uid="two-tabs")
    async with live_node.client(token=token) as tab1, live_node.client(token=token) as tab2:
        room = tab1.room_id("Stage")
        await tab1.call("room.enter", {"room": room})
        reply = await tab2.call("room.enter", {"room": room})
        assert reply["data"]["room"]["viewers"] == 1


async def test_only_moderators_see_who_is_in_the_room(live_node: LiveNode) -> None:
    async with live_node.moderator(name="Mo") as moderator, live_node.attendee(name="Ann") as ann:
        room = moderator.room_id("Hallway")
        entered = await moderator.call("room.enter", {"room": room})
        assert [v["display_name"] for v in entered["data"]["room"]["viewer_list"]] == ["Mo"]
        reply = await ann.call("room.enter", {"room": room})
        assert "viewer_list" not in reply["data"]["room"]
        ann_public = {k: ann.authenticated["user"][k] for k in ("id", "display_name", "profile")}
        mo_public = {
            k: moderator.authenticated["user"][k] for k in ("id", "display_name", "profile")
        }
        assert await moderator.push("room.viewer.added") == {"room": room, "user": mo_public}
        assert await moderator.push("room.viewer.added") == {"room": room, "user": ann_public}
        await ann.call("room.leave", {"room": room})
        removed = await moderator.push("room.viewer.removed")
        assert removed == {"room": room, "user": ann.authenticated["user"]["id"]}
        await asyncio.sleep(0.1)
        assert [n for n, _ in ann.pushes if n.startswith("room.viewer.")] == []


async def test_reactions_are_summed_once_a_second_and_once_per_user(live_node: LiveNode) -> None:
    async with (
        live_node.attendee() as a,
        live_node.attendee() as b,
        live_node.attendee() as watcher,
    ):
        room = a.room_id("Stage")
        for client in (a, b, watcher):
            await client.call("room.enter", {"room": room})
        for client, reaction in ((a, "👏"), (a, "👏"), (a, "❤️"), (b, "👏")):
            assert await client.call("room.react", {"room": room, "reaction": reaction}) == {
                "ok": True,
                "data": {},
            }
        assert await watcher.push("room.reaction") == {"room": room, "reactions": {"👏": 2}}
        unknown = await a.call("room.react", {"room": room, "reaction": "🦄"})
        assert unknown["error"]["code"] == "room.unknown_reaction"

"""Messages: edit and delete rules, reactions, and mentions."""

from __future__ import annotations

from typing import Any

from tests.live.chat_clients import channel_of, error_code, fetch, send, text, user_id
from tests.live.conftest import LiveClient, LiveNode


async def joined_hallway(*clients: LiveClient) -> str:
    hallway = channel_of(clients[0], "Hallway")
    for client in clients:
        assert (await client.call("chat.join", {"channel": hallway}))["ok"]
    return hallway


def edit(channel: str, event: int, body: str) -> dict[str, Any]:
    return {"channel": channel, "event": event, "content": text(body)}


async def test_authors_edit_their_messages_and_the_history_shows_the_new_text(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        hallway = await joined_hallway(ada, bob)
        original = await send(ada, hallway, "helo")

        reply = await ada.call("chat.edit", edit(hallway, original["id"], "hello"))

        replacing = reply["data"]["event"]
        assert replacing == {
            "id": original["id"] + 1,
            "channel": hallway,
            "sender": user_id(ada),
            "timestamp": replacing["timestamp"],
            "type": "message",
            "content": text("hello"),
            "edited": None,
            "replaces": original["id"],
            "reactions": {},
        }
        pushed = [(await bob.push("chat.event"))["id"] for _ in range(3)]
        assert pushed == [2, original["id"], replacing["id"]]  # bob's join, the message, the edit
        history = await fetch(bob, hallway)
        assert history[-2:] == [
            {**original, "content": text("hello"), "edited": replacing["timestamp"]},
            replacing,
        ]


async def test_nobody_edits_someone_elses_message_not_even_a_moderator(
    live_node: LiveNode,
) -> None:
    async with (
        live_node.attendee() as ada,
        live_node.attendee() as bob,
        live_node.moderator() as mod,
    ):
        hallway = await joined_hallway(ada, bob, mod)
        message = await send(ada, hallway, "mine")
        for other in (bob, mod):
            reply = await other.call("chat.edit", edit(hallway, message["id"], "theirs"))
            assert error_code(reply) == "auth.denied"
        assert (await fetch(ada, hallway))[-1] == message


async def test_authors_delete_their_messages_and_earlier_edits_lose_their_text(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee() as ada:
        hallway = await joined_hallway(ada)
        message = await send(ada, hallway, "oops")
        await ada.call("chat.edit", edit(hallway, message["id"], "oops, secret"))

        reply = await ada.call("chat.delete", {"channel": hallway, "event": message["id"]})

        deletion = reply["data"]["event"]
        assert (deletion["content"], deletion["replaces"]) == ({"type": "deleted"}, message["id"])
        history = await fetch(ada, hallway)
        assert [e["content"] for e in history[1:]] == [{"type": "deleted"}] * 3
        assert history[1]["edited"] == deletion["timestamp"]
        for command, payload in [
            ("chat.edit", edit(hallway, message["id"], "back")),
            ("chat.delete", {"channel": hallway, "event": message["id"]}),
            ("chat.react", {"channel": hallway, "event": message["id"], "reaction": "👍"}),
        ]:
            assert error_code(await ada.call(command, payload)) == "chat.unknown_event", command


async def test_moderators_delete_others_messages_attendees_do_not(live_node: LiveNode) -> None:
    async with (
        live_node.attendee() as ada,
        live_node.attendee() as bob,
        live_node.moderator() as mod,
    ):
        hallway = await joined_hallway(ada, bob)
        message = await send(ada, hallway, "spam")
        denied = await bob.call("chat.delete", {"channel": hallway, "event": message["id"]})
        assert error_code(denied) == "auth.denied"

        reply = await mod.call("chat.delete", {"channel": hallway, "event": message["id"]})

        assert reply["data"]["event"]["sender"] == user_id(mod)
        assert (await fetch(bob, hallway))[2]["content"] == {"type": "deleted"}


async def test_only_messages_of_the_channel_can_be_changed(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        hallway = await joined_hallway(ada)
        message = await send(ada, hallway, "one")
        edited = await ada.call("chat.edit", edit(hallway, message["id"], "two"))
        for event_id in (1, edited["data"]["event"]["id"], 999):  # member event, an edit, none
            reply = await ada.call("chat.edit", edit(hallway, event_id, "x"))
            assert reply["error"] == {
                "code": "chat.unknown_event",
                "message": "No such message in this channel",
                "details": {"channel": hallway, "event": event_id},
            }


async def test_reactions_are_per_user_and_pushed_to_the_channel(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        hallway = await joined_hallway(ada, bob)
        message = await send(ada, hallway, "react to me")
        target = {"channel": hallway, "event": message["id"]}

        first = await bob.call("chat.react", {**target, "reaction": "👍"})
        again = await bob.call("chat.react", {**target, "reaction": "👍"})
        await ada.call("chat.react", {**target, "reaction": "👍"})
        await ada.call("chat.react", {**target, "reaction": "❤️"})
        removed = await ada.call("chat.react", {**target, "reaction": "❤️", "remove": True})

        assert first["data"]["event"]["reactions"] == {"👍": [user_id(bob)]}
        assert again == first
        both = sorted([user_id(ada), user_id(bob)])
        assert removed["data"]["event"]["reactions"] == {"👍": both}
        assert (await fetch(ada, hallway))[-1]["reactions"] == {"👍": both}
        assert await ada.push("chat.reaction") == {
            "channel": hallway,
            "event": message["id"],
            "reactions": {"👍": [user_id(bob)]},
        }


async def test_reactions_must_be_emoji_and_need_membership(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        hallway = await joined_hallway(ada)
        message = await send(ada, hallway, "hi")
        target = {"channel": hallway, "event": message["id"]}
        for reaction in ("lol", "a👍", " "):
            reply = await ada.call("chat.react", {**target, "reaction": reaction})
            assert error_code(reply) == "chat.invalid_reaction", reaction
        outsider = await bob.call("chat.react", {**target, "reaction": "👍"})
        assert error_code(outsider) == "auth.denied"


async def test_mentions_notify_members_and_warn_about_the_others(live_node: LiveNode) -> None:
    async with (
        live_node.attendee(name="Ada") as ada,
        live_node.attendee() as bob,
        live_node.attendee() as carl,
    ):
        hallway = await joined_hallway(ada, bob)
        body = f"@[{user_id(bob)}] @[{user_id(carl)}] @[{user_id(ada)}] look"

        reply = await ada.call("chat.send", {"channel": hallway, "content": text(body)})

        event = reply["data"]["event"]
        assert reply["data"]["mention_warning"] == {
            "channel": hallway,
            "event": event["id"],
            "missed_users": [user_id(carl)],
        }
        ada_profile = {"id": user_id(ada), "display_name": "Ada", "profile": {}}
        assert await bob.push("chat.notification") == {
            "channel": hallway,
            "event": event,
            "sender": ada_profile,
        }
        plain = await ada.call("chat.send", {"channel": hallway, "content": text("no one")})
        assert "mention_warning" not in plain["data"]
        assert [name for name, _ in carl.pushes + ada.pushes if name == "chat.notification"] == []


async def test_mentions_in_a_stage_chat_reach_the_users_present(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        stage = channel_of(ada, "Stage")
        await ada.call("chat.join", {"channel": stage})
        await bob.call("chat.join", {"channel": stage})
        reply = await ada.call(
            "chat.send", {"channel": stage, "content": text(f"@[{user_id(bob)}]")}
        )
        assert "mention_warning" not in reply["data"]
        assert (await bob.push("chat.notification"))["event"] == reply["data"]["event"]

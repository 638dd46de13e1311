"""Direct channels: one per set of users, members only, hidden until the first message, blocks."""

from __future__ import annotations

from tests.live.chat_clients import error_code, fetch, send, text, user_id
from tests.live.conftest import LiveClient, LiveNode


async def open_direct(client: LiveClient, *others: LiveClient) -> str:
    reply = await client.call("chat.direct.create", {"users": [user_id(o) for o in others]})
    assert reply["ok"] is True, reply
    return str(reply["data"]["channel"])


async def test_creating_a_direct_channel_twice_reuses_it_whoever_asks(live_node: LiveNode) -> None:
    async with (
        live_node.attendee(name="Ada") as ada,
        live_node.attendee(name="Bob") as bob,
        live_node.attendee(name="Cy") as cy,
    ):
        reply = await ada.call("chat.direct.create", {"users": [user_id(bob)]})
        profiles = {
            user_id(c): {"id": user_id(c), "display_name": name, "profile": {}}
            for c, name in ((ada, "Ada"), (bob, "Bob"), (cy, "Cy"))
        }
        channel = reply["data"]["channel"]
        pair = sorted([user_id(ada), user_id(bob)])
        assert reply == {
            "ok": True,
            "data": {"channel": channel, "members": [profiles[u] for u in pair]},
        }
        assert await open_direct(bob, ada) == channel
        again = await ada.call("chat.direct.create", {"users": [user_id(bob), user_id(ada)]})
        assert again["data"]["channel"] == channel
        trio = await open_direct(ada, cy, bob)
        assert trio != channel
        assert await open_direct(cy, bob, ada) == trio


async def test_only_members_use_a_direct_channel(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob, live_node.attendee() as cy:
        channel = await open_direct(ada, bob)
        await send(ada, channel, "just us")
        for command, payload in [
            ("chat.subscribe", {}),
            ("chat.fetch", {}),
            ("chat.join", {}),
            ("chat.send", {"content": text("me too")}),
            ("chat.mark_read", {"event": 1}),
        ]:
            reply = await cy.call(command, {"channel": channel, **payload})
            assert error_code(reply) == "auth.denied", command
        assert [e["content"]["body"] for e in await fetch(bob, channel)] == ["just us"]


async def test_a_new_direct_channel_shows_up_for_the_others_with_its_first_message(
    live_node: LiveNode,
) -> None:
    bob_token = live_node.token("attendee", uid="bob", name="Bob")
    async with live_node.attendee(name="Ada") as ada:
        async with live_node.client(token=bob_token) as bob:
            channel = await open_direct(ada, bob)
        async with live_node.client(token=bob_token) as bob:
            assert bob.authenticated["chat"]["channels"] == []
            message = await send(ada, channel, "psst")
            notification = await bob.push("chat.notification")
            assert notification["event"] == message
            assert notification["sender"]["display_name"] == "Ada"
        async with live_node.client(token=bob_token) as bob:
            chat = bob.authenticated["chat"]
            assert [c["id"] for c in chat["channels"]] == [channel]
            assert sorted(m["display_name"] for m in chat["channels"][0]["members"]) == [
                "Ada",
                "Bob",
            ]
            assert chat["notification_counts"] == {channel: 1}


async def test_leaving_a_direct_channel_hides_it_until_the_next_message(
    live_node: LiveNode,
) -> None:
    ada_token = live_node.token("attendee", uid="ada")
    async with live_node.attendee() as bob:
        async with live_node.client(token=ada_token) as ada:
            channel = await open_direct(ada, bob)
            assert (await ada.call("chat.leave", {"channel": channel})) == {"ok": True, "data": {}}
        async with live_node.client(token=ada_token) as ada:
            assert ada.authenticated["chat"]["channels"] == []
            await send(bob, channel, "come back")
        async with live_node.client(token=ada_token) as ada:
            assert [c["id"] for c in ada.authenticated["chat"]["channels"]] == [channel]


async def test_blocks_refuse_new_and_existing_direct_channels(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        channel = await open_direct(ada, bob)
        assert (await bob.call("user.block", {"user": user_id(ada)}))["ok"] is True

        created = await ada.call("chat.direct.create", {"users": [user_id(bob)]})
        sent = await ada.call("chat.send", {"channel": channel, "content": text("hello?")})
        answered = await bob.call("chat.send", {"channel": channel, "content": text("no")})

        assert error_code(created) == "auth.denied"
        assert error_code(sent) == "auth.denied"
        assert error_code(answered) == "auth.denied"


async def test_direct_channels_need_real_other_users(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        unknown = await ada.call("chat.direct.create", {"users": ["0" * 32]})
        assert unknown["error"]["code"] == "user.not_found"
        assert unknown["error"]["details"] == {"user": "0" * 32}
        alone = await ada.call("chat.direct.create", {"users": [user_id(ada)]})
        assert error_code(alone) == "protocol.invalid_payload"


async def test_silenced_users_may_not_write_direct_messages(live_node: LiveNode) -> None:
    ada_token = live_node.token("attendee", uid="ada")
    async with live_node.attendee() as bob, live_node.moderator() as mod:
        async with live_node.client(token=ada_token) as ada:
            channel = await open_direct(ada, bob)
            ada_id = user_id(ada)
        assert (await mod.call("user.silence", {"user": ada_id}))["ok"]
        async with live_node.client(token=ada_token) as ada:
            sent = await ada.call("chat.send", {"channel": channel, "content": text("hi")})
            created = await ada.call("chat.direct.create", {"users": [user_id(bob)]})
            assert error_code(sent) == "auth.denied"
            assert error_code(created) == "auth.denied"
            assert (await ada.call("chat.fetch", {"channel": channel}))["ok"] is True

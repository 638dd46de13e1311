"""``user.block`` / ``user.unblock`` / ``user.list.blocked`` over real sockets, and what a block
does to direct channels."""

from __future__ import annotations

from typing import Any

from tests.live.chat_clients import error_code, send, text, user_id
from tests.live.conftest import LiveClient, LiveNode

OK: dict[str, Any] = {"ok": True, "data": {}}


async def block(client: LiveClient, other: LiveClient) -> None:
    assert await client.call("user.block", {"user": user_id(other)}) == OK


async def unblock(client: LiveClient, other: LiveClient) -> None:
    assert await client.call("user.unblock", {"user": user_id(other)}) == OK


async def create(client: LiveClient, other: LiveClient) -> Any:
    return await client.call("chat.direct.create", {"users": [user_id(other)]})


async def blocked_names(client: LiveClient) -> list[str]:
    reply = await client.call("user.list.blocked")
    assert reply["ok"] is True, reply
    return [user["display_name"] for user in reply["data"]["users"]]


async def test_a_block_refuses_direct_channels_both_ways_until_it_is_lifted(
    live_node: LiveNode,
) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        channel = (await create(ada, bob))["data"]["channel"]
        await block(ada, bob)

        assert error_code(await create(ada, bob)) == "auth.denied"
        assert error_code(await create(bob, ada)) == "auth.denied"
        sent = await bob.call("chat.send", {"channel": channel, "content": text("hi?")})
        assert error_code(sent) == "auth.denied"

        await unblock(ada, bob)
        assert (await create(bob, ada))["data"]["channel"] == channel
        assert (await create(ada, bob))["data"]["channel"] == channel
        await send(bob, channel, "hi again")


async def test_unblocking_lifts_only_ones_own_block(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        await block(ada, bob)
        await block(bob, ada)
        await unblock(ada, bob)
        assert error_code(await create(ada, bob)) == "auth.denied"
        await unblock(bob, ada)
        assert (await create(ada, bob))["ok"] is True


async def test_the_list_holds_the_users_one_blocks_and_repeats_change_nothing(
    live_node: LiveNode,
) -> None:
    async with (
        live_node.attendee(name="Ada") as ada,
        live_node.attendee(name="Bob") as bob,
        live_node.attendee(name="Cy") as cy,
    ):
        assert await ada.call("user.list.blocked", {}) == {"ok": True, "data": {"users": []}}
        await block(ada, cy)
        await block(ada, bob)
        await block(ada, bob)
        reply = await ada.call("user.list.blocked")
        assert reply["data"]["users"] == [
            {"id": user_id(bob), "display_name": "Bob", "profile": {}},
            {"id": user_id(cy), "display_name": "Cy", "profile": {}},
        ]
        assert await blocked_names(bob) == []  # being blocked is not blocking

        await unblock(ada, cy)
        await unblock(ada, cy)
        assert await blocked_names(ada) == ["Bob"]


async def test_blocks_outlive_the_socket(live_node: LiveNode) -> None:
    ada_token = live_node.token("attendee", uid="ada")
    async with live_node.attendee(name="Bob") as bob:
        async with live_node.client(token=ada_token) as ada:
            await block(ada, bob)
        async with live_node.client(token=ada_token) as ada:
            assert await blocked_names(ada) == ["Bob"]
            assert error_code(await create(bob, ada)) == "auth.denied"


async def test_silenced_users_may_still_block(live_node: LiveNode) -> None:
    ada_token = live_node.token("attendee", uid="ada")
    async with live_node.attendee(name="Bob") as bob, live_node.moderator() as mod:
        async with live_node.client(token=ada_token) as ada:
            ada_id = user_id(ada)
        assert (await mod.call("user.silence", {"user": ada_id}))["ok"] is True
        async with live_node.client(token=ada_token) as ada:
            await block(ada, bob)
            assert await blocked_names(ada) == ["Bob"]


async def test_nobody_blocks_themselves(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        for command in ("user.block", "user.unblock"):
            reply = await ada.call(command, {"user": user_id(ada)})
            assert error_code(reply) == "user.self_block", command
        assert await blocked_names(ada) == []


async def test_blocking_an_unknown_user_names_them(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada:
        for command in ("user.block", "user.unblock"):
            reply = await ada.call(command, {"user": "0" * 32})
            assert error_code(reply) == "user.not_found", command
            assert reply["error"]["details"] == {"user": "0" * 32}


async def test_malformed_payloads_are_refused(live_node: LiveNode) -> None:
    async with live_node.attendee() as ada, live_node.attendee() as bob:
        bob_id = user_id(bob)
        payloads: list[Any] = [
            None,
            {},
            {"user": ""},
            {"user": 7},
            {"user": [bob_id]},
            {"user": "x" * 65},
            {"user": bob_id, "extra": True},
            bob_id,
            [bob_id],
        ]
        for payload in payloads:
            for command in ("user.block", "user.unblock"):
                reply = await ada.call(command, payload)
                assert error_code(reply) == "protocol.invalid_payload", (command, payload)
        for payload in [{"user": bob_id}, "all", [], 1]:
            reply = await ada.call("user.list.blocked", payload)
            assert error_code(reply) == "protocol.invalid_payload", payload
        assert await blocked_names(ada) == []

"""``ChannelActor`` driven directly: group commit, failed writes, ids across activations — on
SQLite and on the real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from actors import ActorRef, ActorSystem, running_actor_system
from core.clock import utc_now
from core.database import Database
from core.errors import UnavailableError
from core.ids import new_id
from core.settings import ActorSettings
from live import ActorDeps, ChannelActor, EventService, UserService, seed_demo
from live.models import Module
from live.tables import chat_events

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
TEXT = {"type": "text", "body": "hello"}


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    """The migrated database of each dialect (``sqlite_database``, ``postgres_database``)."""
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@asynccontextmanager
async def channel_system(database: Database, **settings: Any) -> AsyncIterator[ActorSystem]:
    async with running_actor_system(
        ActorSettings(ask_timeout_s=10, **settings),
        node_id="t",
        database=database,
        deps=ActorDeps(database),
    ) as system:
        system.register(ChannelActor)
        yield system


async def new_channel(database: Database) -> tuple[str, str]:
    """A fresh event with one chat room (the PostgreSQL database is shared by tests): its id and
    the room's channel."""
    events = EventService(database)
    # Node tests on the shared database expect the demo event, seeded only into an empty one.
    await seed_demo(events)
    slug = f"test/{new_id()}"
    event_id = await events.create_event(slug, "Test")
    room_id = await events.add_room(event_id, "Hallway", [Module(type="chat.native")])
    room = (await events.by_slug(slug)).room(room_id)
    assert room is not None
    assert room.modules[0].channel is not None
    return event_id, room.modules[0].channel


async def member(database: Database, event_id: str, ref: ActorRef[ChannelActor]) -> dict[str, Any]:
    """A new user of the event who joined the channel (its public profile)."""
    user = await UserService(database).login(
        event_id, kind="guest", traits=frozenset(), display_name="Ada", client_id=new_id()
    )
    await ref.ask(ChannelActor.join, user.public(), "t/socket", False)
    return user.public()


async def test_concurrent_sends_share_transactions_and_all_are_stored(database: Database) -> None:
    event_id, channel = await new_channel(database)
    async with channel_system(database) as system:
        ref = system.ref(ChannelActor, channel)
        ada = await member(database, event_id, ref)
        before = await ref.ask(ChannelActor.stats)

        replies = await asyncio.gather(*(ref.ask(ChannelActor.send, ada, TEXT) for _ in range(500)))

        after = await ref.ask(ChannelActor.stats)
    ids = [reply["event"]["id"] for reply in replies]  # type: ignore[index]
    assert ids == list(range(2, 502))  # asked in this order, answered in id order
    assert after["writes"] - before["writes"] == 500
    assert after["batches"] - before["batches"] < 50  # many messages per transaction
    async with database.transaction() as session:
        stored = await session.execute(
            select(func.count()).where(chat_events.c.channel_id == channel)
        )
        assert stored.scalar_one() == 501


async def test_a_failed_write_fails_its_senders_and_its_id_is_not_given_again(
    database: Database,
) -> None:
    event_id, channel = await new_channel(database)
    async with channel_system(database) as system:
        ref = system.ref(ChannelActor, channel)
        ada = await member(database, event_id, ref)
        # Someone else took id 2 behind the actor's back: its insert of id 2 must fail.
        async with database.transaction() as session:
            await session.execute(
                insert(chat_events).values(
                    channel_id=channel,
                    event_id=2,
                    sender_id=None,
                    timestamp=utc_now(),
                    type="message",
                    content={"type": "text", "body": "intruder"},
                )
            )

        with pytest.raises(UnavailableError):
            await ref.ask(ChannelActor.send, ada, TEXT)
        reply = await ref.ask(ChannelActor.send, ada, TEXT)

    assert reply["event"]["id"] == 3  # type: ignore[index]


async def test_ids_continue_after_the_newest_stored_one_in_a_new_activation(
    database: Database,
) -> None:
    event_id, channel = await new_channel(database)
    async with channel_system(database) as system:
        ref = system.ref(ChannelActor, channel)
        ada = await member(database, event_id, ref)
        await asyncio.gather(*(ref.ask(ChannelActor.send, ada, TEXT) for _ in range(10)))
    async with channel_system(database) as system:
        reply = await system.ref(ChannelActor, channel).ask(ChannelActor.send, ada, TEXT)
    assert reply["event"]["id"] == 12  # type: ignore[index]


async def test_a_volatile_channel_everyone_left_passivates(database: Database) -> None:
    event_id, channel = await new_channel(database)
    async with channel_system(database, idle_ttl_s=0.2) as system:
        ref = system.ref(ChannelActor, channel)
        ada = await member(database, event_id, ref)
        await ref.ask(ChannelActor.join, ada, "t/phone", True)  # volatile: held by the socket
        await ref.ask(ChannelActor.leave, ada)
        await asyncio.sleep(0.6)
        assert not system.is_active(("live.channel", channel))

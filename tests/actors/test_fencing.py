"""Fenced durability: writes carry the writer's token and a deposed owner's write is rejected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select

from actors import Fence, FencedOutError, FenceStore, actor_fences, running_actor_system
from actors.keys import RedisNames
from core.database import Database
from tests.actors.conftest import SystemFactory, actor_settings
from tests.support.sample_actors import DurableCounter, counter_tables, counters


@pytest.fixture(params=["sqlite_database", "postgres_database"])
def any_database(request: pytest.FixtureRequest) -> Database:
    """A migrated database of each kind."""
    db: Database = request.getfixturevalue(request.param)
    return db


@pytest.fixture
async def database(any_database: Database) -> AsyncIterator[Database]:
    """The database with the sample counter tables."""
    async with any_database.engine.begin() as conn:
        await conn.run_sync(counter_tables.create_all)
    yield any_database
    async with any_database.engine.begin() as conn:
        await conn.run_sync(counter_tables.drop_all)


async def stored_token(database: Database, key: str) -> int | None:
    async with database.transaction() as session:
        result = await session.execute(
            select(actor_fences.c.token).where(actor_fences.c.key == key)
        )
        return result.scalar()


async def test_a_newer_token_deposes_an_older_one(database: Database) -> None:
    fences = FenceStore(database)
    old, new = Fence("k", "f1", 10, "a"), Fence("k", "f1", 11, "b")
    await fences.claim(old)
    await fences.claim(new)
    with pytest.raises(FencedOutError):
        await fences.claim(old)
    with pytest.raises(FencedOutError):
        async with fences.transaction(old):
            pass
    async with fences.transaction(new):
        pass
    assert await stored_token(database, "f1") == 11


async def test_a_rejected_transaction_writes_nothing(database: Database) -> None:
    fences = FenceStore(database)
    await fences.claim(Fence("k", "f2", 20, "b"))
    with pytest.raises(FencedOutError):
        async with fences.transaction(Fence("k", "f2", 19, "a")) as session:
            await session.execute(counters.insert().values(key="f2", value=99))
    async with database.transaction() as session:
        assert (await session.execute(select(counters))).all() == []


async def test_a_fenced_actor_claims_its_token_before_it_loads(database: Database) -> None:
    deps = SimpleNamespace(database=database)
    async with running_actor_system(
        actor_settings(), node_id="solo", database=database, deps=deps
    ) as system:
        ref = system.ref(DurableCounter, "fenced-1")
        assert [await ref.ask(DurableCounter.increment, f"op{i}") for i in range(3)] == [1, 2, 3]
        assert await ref.ask(DurableCounter.increment, "op1") == 3  # idempotent
        assert await stored_token(database, "fenced-1") is not None


@pytest.mark.redis
async def test_a_deposed_owners_write_is_rejected(
    redis_system: SystemFactory, redis_url: str, redis_prefix: str, postgres_database: Database
) -> None:
    async with postgres_database.engine.begin() as conn:
        await conn.run_sync(counter_tables.create_all)
    deps = SimpleNamespace(database=postgres_database)
    client = aioredis.Redis.from_url(redis_url)
    try:
        async with (
            redis_system("node-a", database=postgres_database, deps=deps) as a,
            redis_system("node-b", database=postgres_database, deps=deps) as b,
        ):
            on_a = a.ref(DurableCounter, "contested")
            assert await on_a.ask(DurableCounter.increment, "a1") == 1
            # Node A's lease vanishes (as after a partition); node B takes the actor over.
            await client.delete(
                RedisNames(redis_prefix).lease(DurableCounter.kind_name or "", "contested")
            )
            on_b = b.ref(DurableCounter, "contested")
            assert await on_b.ask(DurableCounter.increment, "b1") == 2
            assert await on_b.ask(DurableCounter.where) == "node-b"
            # A still runs its old activation; its durable write must be refused.
            with pytest.raises(FencedOutError):
                await on_a.ask(DurableCounter.increment, "a2")
            # A's next message goes to the new owner, and nothing was applied twice.
            assert await on_a.ask(DurableCounter.where) == "node-b"
            assert await on_a.ask(DurableCounter.increment, "a2") == 3
        async with postgres_database.transaction() as session:
            rows = (await session.execute(select(counters.c.value))).scalars().all()
        assert rows == [3]
    finally:
        await client.aclose()
        async with postgres_database.engine.begin() as conn:
            await conn.run_sync(counter_tables.drop_all)

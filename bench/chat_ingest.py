"""Durable chat messages per second into one channel, with group commit, on the real PostgreSQL.

Drives one ``ChannelActor`` in-process (embedded actor system) from many concurrent senders.
Each send is acknowledged only after the transaction holding it committed. The benchmark makes a
throwaway database on the server, migrates it, and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from importlib.metadata import version
from uuid import uuid4

import asyncpg
import uvloop
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from actors import running_actor_system
from bench.load import closed_loop
from bench.stats import Latency
from core.database import Database, create_database
from core.migrate import migrate
from core.settings import ActorSettings, DatabaseSettings
from live import ActorDeps, ChannelActor, EventService, UserService, seed_demo
from live.tables import chat_events

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_PER_S = 10_000
BODY = "Hello everyone, this is a chat message of a typical length for a live event."


async def hallway_channel(database: Database) -> str:
    events = EventService(database)
    await seed_demo(events)
    event = await events.by_slug("demo/democon")
    return next(
        m.channel for r in event.rooms for m in r.modules if m.channel and r.name == "Hallway"
    )


async def run(database: Database, messages: int, senders: int, users: int) -> None:
    channel = await hallway_channel(database)
    event_id = (await EventService(database).by_slug("demo/democon")).id
    logins = UserService(database)
    profiles = [
        (
            await logins.login(
                event_id,
                kind="guest",
                traits=frozenset(),
                display_name=f"u{n}",
                client_id=f"bench-client-{n:04d}",
            )
        ).public()
        for n in range(users)
    ]
    settings = ActorSettings(ask_timeout_s=60)
    async with running_actor_system(
        settings, node_id="bench", database=database, deps=ActorDeps(database)
    ) as system:
        system.register(ChannelActor)
        ref = system.ref(ChannelActor, channel)
        for profile in profiles:
            await ref.ask(ChannelActor.join, profile, "bench/none", False)
        content = {"type": "text", "body": BODY}

        async def send(n: int) -> object:
            return await ref.ask(ChannelActor.send, profiles[n % users], content)

        await closed_loop(send, min(messages, 5_000), senders, [])  # warm-up
        before = await ref.ask(ChannelActor.stats)
        samples_ns: list[int] = []
        seconds = await closed_loop(send, messages, senders, samples_ns)
        after = await ref.ask(ChannelActor.stats)
    batches = after["batches"] - before["batches"]
    writes = after["writes"] - before["writes"]
    async with database.transaction() as session:
        stored = (
            await session.execute(
                select(func.count(), func.count(func.distinct(chat_events.c.event_id))).where(
                    chat_events.c.channel_id == channel, chat_events.c.type == "message"
                )
            )
        ).one()
    rate = len(samples_ns) / seconds
    print(f"{len(samples_ns):,} messages from {senders} concurrent senders ({users} users)")
    print(f"  throughput  {rate:,.0f} durable messages/s in {seconds:.2f} s")
    print(f"  send        {Latency.of_ns(samples_ns).text()}")
    print(f"  batches     {batches:,}, average {writes / max(batches, 1):,.1f} messages per commit")
    print(f"  stored      {stored[0]:,} messages, {stored[1]:,} distinct ids (warm-up included)")
    verdict = "met" if rate >= TARGET_PER_S else "MISSED"
    print(f"target ≥ {TARGET_PER_S:,} durable messages/s → {verdict}")


async def main(messages: int, senders: int, users: int, pool_size: int) -> None:
    name = f"eyl_bench_{uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        database = create_database(url, DatabaseSettings(pool_size=pool_size))
        try:
            await migrate(database)
            server = await admin.fetchval("SHOW server_version")
            sync = await admin.fetchval("SHOW synchronous_commit")
            print(
                f"Python {platform.python_version()}, uvloop {version('uvloop')}, "
                f"asyncpg {version('asyncpg')}, PostgreSQL {server} (synchronous_commit={sync})"
            )
            await run(database, messages, senders, users)
        finally:
            await database.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--senders", type=int, default=500, help="concurrent senders")
    parser.add_argument("--users", type=int, default=100, help="distinct members sending")
    parser.add_argument("--pool-size", type=int, default=5)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    args = parser.parse_args()
    factory = uvloop.new_event_loop if args.loop == "uvloop" else None
    started = time.perf_counter()
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main(args.messages, args.senders, args.users, args.pool_size))
    print(f"({time.perf_counter() - started:.1f} s in all, {args.loop} loop)")


if __name__ == "__main__":
    cli()

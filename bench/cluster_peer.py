"""Node B of the cluster benchmark, in its own process: owns the echo actor, echoes raw pings,
and measures asks from its own node on request. Talks to node A only through a pipe and Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from multiprocessing.connection import Connection
from typing import Any

import uvloop

from actors import ActorRef, running_actor_system
from bench.echo_actor import EchoActor, chat_message
from bench.load import closed_loop
from bench.raw_redis import RawEcho
from core.settings import ActorSettings, RedisSettings

ECHO_KEY = "echo"
NODE_ID = "bench-b"
IDLE_LIMIT_S = 120.0  # give up if node A goes quiet for this long


def serve(conn: Connection, url: str, prefix: str, loop_name: str) -> None:
    """Process entry point: run node B until node A says ``stop`` (or goes away)."""
    logging.basicConfig(
        level=logging.WARNING, format=f"{NODE_ID} %(levelname)s %(name)s %(message)s"
    )
    factory = uvloop.new_event_loop if loop_name == "uvloop" else None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(_serve(conn, url, prefix))


async def _serve(conn: Connection, url: str, prefix: str) -> None:
    settings = RedisSettings(key_prefix=prefix)
    async with running_actor_system(
        ActorSettings(), node_id=NODE_ID, redis_url=url, redis_settings=settings
    ) as system:
        system.register(EchoActor)
        echo = system.ref(EchoActor, ECHO_KEY)
        await echo.ask(EchoActor.echo, chat_message(0))  # activates it here, before node A asks
        raw = RawEcho(url, prefix)
        await raw.start()
        try:
            conn.send(("ready", system.is_active(echo.actor)))
            while (command := await asyncio.to_thread(_next_command, conn)) != "stop":
                conn.send(await _local_asks(echo, *command))
        finally:
            await raw.stop()


def _next_command(conn: Connection) -> Any:
    with contextlib.suppress(EOFError, OSError):
        if conn.poll(IDLE_LIMIT_S):
            return conn.recv()
    return "stop"


async def _local_asks(
    echo: ActorRef[EchoActor], count: int, callers: int
) -> tuple[float, list[int]]:
    """Asks from node B to its own echo actor: the same actor, without the hop."""

    async def ask(seq: int) -> Any:
        return await echo.ask(EchoActor.echo, chat_message(seq))

    samples: list[int] = []
    seconds = await closed_loop(ask, count, callers, samples)
    return seconds, samples

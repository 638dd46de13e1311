"""Which WebSocket client the swarm should use: client CPU per received frame for the raw protocol
of ``bench.fanout.client``, the ``websockets`` asyncio client and aiohttp's, against one source.

The source is a ``websockets`` server in a child process broadcasting Socket.IO-shaped event frames.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import resource
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import uvloop
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection, broadcast, serve

from bench.fanout.client import SocketIOClient, upgrade_request
from bench.fanout.contract import MESSAGE_EVENT, payload
from bench.fanout.swarm import raise_open_files

HOST = "127.0.0.1"
KINDS = ("raw", "websockets", "aiohttp")
ROUNDS = 2
STEP_TIMEOUT_S = 60.0
CONNECT_CONCURRENCY = 100


def event_frame(seq: int) -> str:
    body = payload(seq)
    return f'42["{MESSAGE_EVENT}",{{"t":{body["t"]},"seq":{seq},"pad":"{body["pad"]}"}}]'


async def source(conn: Connection) -> None:
    """The child: serve on a free port, report it, then obey ``count``/``send``/``stop``."""
    peers: set[ServerConnection] = set()

    async def handler(websocket: ServerConnection) -> None:
        peers.add(websocket)
        try:
            await websocket.wait_closed()
        finally:
            peers.discard(websocket)

    async with serve(
        handler, HOST, 0, compression=None, ping_interval=None, backlog=4096
    ) as server:
        conn.send(server.sockets[0].getsockname()[1])
        while (command := await asyncio.to_thread(conn.recv)) != "stop":
            if command == "count":
                conn.send(len(peers))
                continue
            for seq in range(command):
                broadcast(peers, event_frame(seq))
                await asyncio.sleep(0)
            conn.send("sent")


def run_source(conn: Connection) -> None:
    raise_open_files(6_000)
    uvloop.run(source(conn))


class Counter:
    """Counts frames after the same byte/str search the swarm does, and says when all arrived."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.seen = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_bytes(self, frame: bytes) -> None:
        at = frame.find(b'"t":')
        int(frame[at + 4 : frame.find(b",", at)])
        self._count()

    def on_str(self, frame: str) -> None:
        at = frame.find('"t":')
        int(frame[at + 4 : frame.find(",", at)])
        self._count()

    def _count(self) -> None:
        self.seen += 1
        if self.seen == self.expected and not self.done.done():
            self.done.set_result(None)


Opener = Callable[[str, int, Counter, list[Any]], Awaitable[None]]


async def open_raw(url: str, port: int, counter: Counter, handles: list[Any]) -> None:
    request = upgrade_request(HOST, port, "/")
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(
        lambda: SocketIOClient(request, b"", counter.on_bytes), HOST, port
    )
    client.connected.cancel()  # no Socket.IO here: the source only sends frames
    handles.append(client)


async def open_websockets(url: str, port: int, counter: Counter, handles: list[Any]) -> None:
    websocket = await websockets.connect(url, compression=None, ping_interval=None)
    handles.append(websocket)
    handles.append(asyncio.create_task(read_websockets(websocket, counter)))


async def read_websockets(websocket: ClientConnection, counter: Counter) -> None:
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            counter.on_bytes(await websocket.recv(decode=False))


async def open_aiohttp(url: str, port: int, counter: Counter, handles: list[Any]) -> None:
    session: aiohttp.ClientSession = handles[0]
    websocket = await session.ws_connect(url, compress=0, autoping=True)
    handles.append(websocket)
    handles.append(asyncio.create_task(read_aiohttp(websocket, counter)))


async def read_aiohttp(websocket: aiohttp.ClientWebSocketResponse, counter: Counter) -> None:
    async for message in websocket:
        counter.on_str(message.data)


OPENERS: dict[str, Opener] = {
    "raw": open_raw,
    "websockets": open_websockets,
    "aiohttp": open_aiohttp,
}


async def measure(kind: str, conn: Connection, port: int, members: int, frames: int) -> float:
    """Client CPU µs per frame for one round of ``kind``."""
    counter = Counter(members * frames)
    handles: list[Any] = []
    if kind == "aiohttp":
        handles.append(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)))
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one() -> None:
        async with gate:
            await OPENERS[kind](f"ws://{HOST}:{port}/", port, counter, handles)

    await asyncio.gather(*(open_one() for _ in range(members)))
    await wait_for_peers(conn, members)
    before = cpu_s()
    conn.send(frames)
    await asyncio.wait_for(counter.done, STEP_TIMEOUT_S)
    spent = cpu_s() - before
    await asyncio.to_thread(conn.recv)  # "sent"
    await close_all(handles)
    await wait_for_peers(conn, 0)
    return spent / (members * frames) * 1e6


async def wait_for_peers(conn: Connection, count: int) -> None:
    async with asyncio.timeout(STEP_TIMEOUT_S):
        while True:
            conn.send("count")
            if await asyncio.to_thread(conn.recv) == count:
                return
            await asyncio.sleep(0.05)


async def close_all(handles: list[Any]) -> None:
    for handle in reversed(handles):
        if isinstance(handle, asyncio.Task):
            handle.cancel()
        elif isinstance(handle, SocketIOClient):
            handle.close()
        else:
            await handle.close()


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def compare(conn: Connection, port: int, members: int, frames: int) -> None:
    best: dict[str, float] = {}
    for _ in range(ROUNDS):
        for kind in KINDS:
            cost_us = await measure(kind, conn, port, members, frames)
            best[kind] = min(best.get(kind, cost_us), cost_us)
            print(f"  {kind:<11} {cost_us:6.1f} µs client CPU per frame")
    print("best of", ROUNDS, "rounds:", ", ".join(f"{k} {v:.1f} µs" for k, v in best.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--frames", type=int, default=20)
    args = parser.parse_args()
    raise_open_files(args.members)
    context = multiprocessing.get_context("spawn")
    conn, child_conn = context.Pipe()
    child = context.Process(target=run_source, args=(child_conn,), daemon=True)
    child.start()
    try:
        if not conn.poll(STEP_TIMEOUT_S):
            raise SystemExit("source server did not start")
        port = conn.recv()
        print(f"{args.members:,} connections, {args.frames} frames per round, uvloop")
        uvloop.run(compare(conn, port, args.members, args.frames))
    finally:
        with contextlib.suppress(OSError):
            conn.send("stop")
        child.join(10)
        if child.is_alive():
            child.terminate()


if __name__ == "__main__":
    main()

"""A real node (uvicorn on a free port, embedded mode) and real Socket.IO clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import socketio
import uvicorn
from starlette.applications import Starlette

from core.clock import Clock
from core.secrets import load_secret_key
from core.settings import Settings
from live import DEMO_SLUG, own_issuer
from live.tokens import issue_token
from tests.conftest import make_settings
from tests.integration.processes import free_port
from web.app import create_app
from web.services import Services


@dataclass
class LiveClient:
    """One socket: replies of ``call`` and every push it received, in order."""

    sio: socketio.AsyncClient
    authenticated: dict[str, Any] = field(default_factory=dict)
    pushes: list[tuple[str, Any]] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def call(self, name: str, payload: Any = None) -> Any:
        return await self.sio.call(name, payload, timeout=5)

    def room_id(self, name: str) -> str:
        return next(r["id"] for r in self.authenticated["rooms"] if r["name"] == name)

    async def push(self, name: str, timeout_s: float = 3.0) -> Any:
        """The first push called ``name`` (waiting for it if needed); it is consumed."""
        async with asyncio.timeout(timeout_s):
            while True:
                for index, (pushed, data) in enumerate(self.pushes):
                    if pushed == name:
                        del self.pushes[index]
                        return data
                self._arrived.clear()
                await self._arrived.wait()

    def _record(self, name: str, data: Any) -> None:
        self.pushes.append((name, data))
        self._arrived.set()


@dataclass
class LiveNode:
    url: str
    secret_key: str
    app: Starlette

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def token(self, *traits: str, uid: str | None = None, name: str | None = None) -> str:
        return issue_token(
            own_issuer(self.secret_key, DEMO_SLUG),
            uid=uid or uuid4().hex,
            traits=traits,
            display_name=name,
            valid_for=timedelta(hours=1),
        )

    @asynccontextmanager
    async def client(self, **auth: Any) -> AsyncIterator[LiveClient]:
        """A connected, authenticated client; ``auth`` defaults to the demo event."""
        sio = socketio.AsyncClient(reconnection=False)
        client = LiveClient(sio)
        greeted = asyncio.get_running_loop().create_future()
        sio.on("authenticated", lambda data: greeted.set_result(data))
        sio.on("*", client._record)
        await sio.connect(
            self.url, auth={"event": DEMO_SLUG, **auth}, transports=["websocket"], wait_timeout=5
        )
        try:
            client.authenticated = await asyncio.wait_for(greeted, 5)
            yield client
        finally:
            await sio.disconnect()

    def attendee(self, **claims: Any) -> Any:
        return self.client(token=self.token("attendee", **claims))

    def moderator(self, **claims: Any) -> Any:
        return self.client(token=self.token("moderator", **claims))


async def refusal(url: str, auth: Any) -> Any:
    """The ``connect_error`` data a refused connection gets."""
    sio = socketio.AsyncClient(reconnection=False)
    refused = asyncio.get_running_loop().create_future()
    sio.on("connect_error", lambda data: refused.done() or refused.set_result(data))
    try:
        await sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        pass
    finally:
        await sio.disconnect()
    return await asyncio.wait_for(refused, 5)


@asynccontextmanager
async def running_node(settings: Settings, clock: Clock | None = None) -> AsyncIterator[LiveNode]:
    """A node on a free port for the duration of the block (``clock``: its wall time)."""
    port = free_port()
    app = create_app(settings, clock=clock)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no started event
            await asyncio.sleep(0.02)
    try:
        yield LiveNode(f"http://127.0.0.1:{port}", load_secret_key(settings), app)
    finally:
        server.should_exit = True
        await task


FAST_COMMANDS = {"commands_per_s": 1000, "command_burst": 1000}


@pytest.fixture
async def live_node(tmp_path: Path) -> AsyncIterator[LiveNode]:
    """A node serving the seeded demo event on a free port (embedded mode)."""
    async with running_node(make_settings(data_dir=tmp_path, live=FAST_COMMANDS)) as node:
        yield node


@pytest.fixture
async def two_nodes(
    postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[tuple[LiveNode, LiveNode]]:
    """Two cluster nodes sharing the session's PostgreSQL and Redis (under this test's prefix)."""

    def settings(node_id: str) -> Settings:
        return make_settings(
            data_dir=tmp_path,
            db_url=postgres_url,
            redis_url=redis_url,
            redis={"key_prefix": redis_prefix},
            node_id=node_id,
            secret_key="two-nodes-test-secret-two-nodes-test-secret",
            live=FAST_COMMANDS,
        )

    async with running_node(settings("node-a")) as a, running_node(settings("node-b")) as b:
        yield a, b

"""What the outbox tests share: the database of each dialect with empty outboxes, a real aiohttp
receiver of webhooks, a real aiosmtpd SMTP server, and a webhook factory."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import (
    ORDER_PAID,
    Webhook,
    create_webhook,
    delivery_tables,
    enqueue_webhook_calls,
    tables,
)
from core.database import Database
from tests.catalog.ticket_rows import make_event

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


async def empty_outboxes(database: Database) -> None:
    """Drop queued rows left by earlier tests of the session (PostgreSQL is shared, and a pass
    claims every due row); tests in one session run one at a time."""
    async with database.transaction() as session:
        await session.execute(delete(delivery_tables.emails))
        await session.execute(delete(delivery_tables.webhook_calls))


async def organizer_of(session: AsyncSession, event_id: str) -> tuple[str, str]:
    """The organizer id and the event's full slug."""
    row = (
        await session.execute(
            select(tables.ticket_events.c.organizer_id, tables.ticket_events.c.slug).where(
                tables.ticket_events.c.id == event_id
            )
        )
    ).one()
    return row.organizer_id, row.slug


async def make_webhook(
    session: AsyncSession, organizer_id: str, url: str, **options: Any
) -> Webhook:
    options.setdefault("action_types", ["*"])
    return await create_webhook(session, organizer_id=organizer_id, target_url=url, **options)


async def hooked_event(database: Database, url: str, **options: object) -> tuple[str, str, str]:
    """An event with one hook to ``url``: organizer id, event slug, hook id."""
    async with database.transaction() as session:
        organizer_id, slug = await organizer_of(session, await make_event(session))
        hook = await make_webhook(session, organizer_id, url, **options)
    return organizer_id, slug, hook.id


async def queue(database: Database, organizer_id: str, slug: str, action: str = ORDER_PAID) -> str:
    async with database.transaction() as session:
        ids = await enqueue_webhook_calls(
            session,
            organizer_id=organizer_id,
            event_slug=slug,
            action_type=action,
            payload={"code": "ABC12"},
        )
    assert len(ids) == 1
    return ids[0]


async def call_row(database: Database, call_id: str) -> dict[str, object]:
    async with database.transaction() as session:
        calls = delivery_tables.webhook_calls
        row = (await session.execute(select(calls).where(calls.c.id == call_id))).one()
    return dict(row._mapping)


@dataclass
class Receiver:
    """A webhook receiver answering each request with the next scripted status (then 200),
    after ``delay_s``, and while ``held`` only once ``release`` is set."""

    statuses: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    held: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def wait_for(self, count: int, timeout_s: float = 5.0) -> None:
        """Until ``count`` requests arrived."""
        async with asyncio.timeout(timeout_s):
            while True:
                self.arrived.clear()
                if len(self.requests) >= count:
                    return
                await self.arrived.wait()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((dict(request.headers), body))
        self.arrived.set()
        if self.held:
            await self.release.wait()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status, text=f"answer {status}")


@asynccontextmanager
async def running_receiver(receiver: Receiver) -> AsyncIterator[Receiver]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.url = f"http://{host}:{port}/hook"
    try:
        yield receiver
    finally:
        receiver.release.set()
        await runner.cleanup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class MailHandler:
    """An aiosmtpd handler keeping each accepted message; answers the scripted replies first."""

    replies: list[str] = field(default_factory=list)
    received: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.replies:
            return self.replies.pop(0)
        self.received.append(envelope)
        return "250 Message accepted"


@asynccontextmanager
async def running_smtp(handler: MailHandler, **options: Any) -> AsyncIterator[Controller]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd runs it in a thread of its own)."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    await asyncio.to_thread(controller.start)
    try:
        yield controller
    finally:
        await asyncio.to_thread(controller.stop)

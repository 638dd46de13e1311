"""Durable writes of one channel: the statements that change the chat tables, and the group
commit that writes every staged change of a channel actor in one fenced transaction.

Durable before visible: a sender's answer and the pushes of a change go out only after the
transaction holding it committed. Nothing here decides what may be written; the actor does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import EventyayError, UnavailableError
from live.chat_event import DELETED, ChatEvent
from live.tables import channel_members, chat_events, chat_notifications, chat_reactions

logger = logging.getLogger(__name__)

MAX_BATCH = 2000
Push = tuple[str, str, Any]  # topic, push name, data


@dataclass(slots=True)
class StagedWrite:
    """One acknowledged-when-durable change: new events, other statements, the sender's answer
    and the pushes it causes."""

    events: list[ChatEvent]
    statements: list[Executable]
    reply: dict[str, Any]
    pushes: list[Push]
    future: asyncio.Future[dict[str, Any]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class GroupCommit:
    """The write task of one channel actor.

    The task takes every staged write at once (up to ``MAX_BATCH``), inserts their events in one
    statement and runs their other statements in staging order, all in one transaction; then it
    answers the senders and publishes the pushes, in staging order. While a transaction runs, new
    writes gather for the next one. A failed transaction fails its writes and every write staged
    behind it (they were checked against state that included the failed ones) and calls
    ``failed``; ids they held are not given out again.
    """

    def __init__(
        self,
        name: str,
        transaction: Transaction,
        publish: Callable[[str, Any], None],
        committed: Callable[[list[StagedWrite]], None],
        failed: Callable[[], None],
    ) -> None:
        self._name = name
        self._transaction = transaction
        self._publish = publish
        self._committed = committed
        self._failed = failed
        self._staged: list[StagedWrite] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.writes = 0

    def stage(self, write: StagedWrite) -> None:
        self._staged.append(write)
        self._idle.clear()
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self._name)

    async def close(self, drain_s: float) -> None:
        """Let staged writes finish for up to ``drain_s``, then stop the task; writes still
        staged or in flight fail (a write in flight may or may not have committed)."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), drain_s)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._staged:
                batch = self._staged[:MAX_BATCH]
                del self._staged[:MAX_BATCH]
                if not await self._write(batch):
                    continue
                try:
                    self._finish(batch)
                except Exception:  # the task must outlive a bug in a callback or a publish
                    logger.exception("after a chat commit (%s)", self._name)
            self._idle.set()

    async def _write(self, batch: list[StagedWrite]) -> bool:
        try:
            async with self._transaction() as session:
                rows = [event.row() for write in batch for event in write.events]
                if rows:
                    await session.execute(insert(chat_events), rows)
                for write in batch:
                    for statement in write.statements:
                        await session.execute(statement)
        except asyncio.CancelledError:
            interrupted = UnavailableError(
                "The chat write was interrupted; it may or may not be stored", component="chat"
            )
            _fail([*batch, *self._staged], interrupted)
            self._staged.clear()
            raise
        except Exception as exc:
            error = exc if isinstance(exc, EventyayError) else None
            if error is None:
                logger.exception("chat write failed (%s)", self._name)
                error = UnavailableError("The message could not be stored", component="database")
            _fail([*batch, *self._staged], error)
            self._staged.clear()
            self._failed()
            return False
        return True

    def _finish(self, batch: list[StagedWrite]) -> None:
        self.batches += 1
        self.writes += len(batch)
        self._committed(batch)
        by_topic: dict[str, list[list[Any]]] = {}
        for write in batch:
            if not write.future.done():
                write.future.set_result(write.reply)
            for topic, name, data in write.pushes:
                by_topic.setdefault(topic, []).append([name, data])
        # One push per topic and batch: a lone push as itself, several as one ``batch`` push.
        for topic, pushes in by_topic.items():
            self._publish(topic, pushes[0] if len(pushes) == 1 else ["batch", pushes])


def _fail(writes: Iterable[StagedWrite], error: Exception) -> None:
    for write in writes:
        if not write.future.done():
            write.future.set_exception(error)


# -- statements ------------------------------------------------------------------------------


def add_member(channel_id: str, user_id: str) -> Executable:
    return insert(channel_members).values(channel_id=channel_id, user_id=user_id, hidden=False)


def remove_member(channel_id: str, user_id: str) -> Executable:
    return delete(channel_members).where(
        channel_members.c.channel_id == channel_id, channel_members.c.user_id == user_id
    )


def show_to_all(channel_id: str) -> Executable:
    """A direct channel appears again for members who hid it (a message came in)."""
    return (
        update(channel_members)
        .where(channel_members.c.channel_id == channel_id, channel_members.c.hidden.is_(True))
        .values(hidden=False)
    )


def notify(channel_id: str, event_id: int, user_ids: Iterable[str]) -> Executable:
    return insert(chat_notifications).values(
        [{"user_id": user, "channel_id": channel_id, "event_id": event_id} for user in user_ids]
    )


def replace_content(
    channel_id: str, event_id: int, content: dict[str, Any], edited: datetime
) -> Executable:
    return (
        update(chat_events)
        .where(chat_events.c.channel_id == channel_id, chat_events.c.event_id == event_id)
        .values(content=content, edited=edited)
    )


def erase_edits(channel_id: str, event_id: int) -> Executable:
    """Earlier edits of a deleted message lose their text too."""
    return (
        update(chat_events)
        .where(chat_events.c.channel_id == channel_id, chat_events.c.replaces == event_id)
        .values(content=DELETED)
    )


def add_reaction(channel_id: str, event_id: int, user_id: str, reaction: str) -> Executable:
    return insert(chat_reactions).values(
        channel_id=channel_id, event_id=event_id, user_id=user_id, reaction=reaction
    )


def remove_reaction(channel_id: str, event_id: int, user_id: str, reaction: str) -> Executable:
    return delete(chat_reactions).where(
        chat_reactions.c.channel_id == channel_id,
        chat_reactions.c.event_id == event_id,
        chat_reactions.c.user_id == user_id,
        chat_reactions.c.reaction == reaction,
    )

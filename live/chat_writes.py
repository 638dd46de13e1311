"""Durable writes of one channel: the statements that change the chat tables, how a batch of
staged changes is written (``actors.GroupCommit`` runs it in one fenced transaction) and how its
pushes go out after the commit.

Durable before visible: a sender's answer and the pushes of a change go out only after the
transaction holding it committed. Nothing here decides what may be written; the actor does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.chat_event import DELETED, ChatEvent
from live.tables import channel_members, chat_events, chat_notifications, chat_reactions

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


async def write_batch(session: AsyncSession, batch: list[StagedWrite]) -> None:
    """Insert the batch's events in one statement, then run its other statements in order."""
    rows = [event.row() for write in batch for event in write.events]
    if rows:
        await session.execute(insert(chat_events), rows)
    for write in batch:
        for statement in write.statements:
            await session.execute(statement)


def publish_pushes(batch: list[StagedWrite], publish: Callable[[str, Any], None]) -> None:
    """One push per topic and batch: a lone push as itself, several as one ``batch`` push."""
    by_topic: dict[str, list[list[Any]]] = {}
    for write in batch:
        for topic, name, data in write.pushes:
            by_topic.setdefault(topic, []).append([name, data])
    for topic, pushes in by_topic.items():
        publish(topic, pushes[0] if len(pushes) == 1 else ["batch", pushes])


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

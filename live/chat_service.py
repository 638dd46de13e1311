"""Reads of one channel: the state its actor loads, its history with reactions, and the public
profiles shown beside it.

Only reads. Chat events, memberships of room channels and reactions are written by
``ChannelActor`` (statements in ``live.chat_writes``); direct channels and read pointers have
their own services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.database import Database
from live.chat_event import ChatEvent
from live.tables import channel_members, channels, chat_events, chat_reactions, users


@dataclass(frozen=True, slots=True)
class ChannelState:
    """What a channel actor loads when it activates."""

    room_id: str | None
    members: frozenset[str]
    last_id: int
    last_message_id: int


class ChatService:
    """Channel reads on one database; stateless, cheap to make."""

    def __init__(self, database: Database) -> None:
        self._database = database

    # -- channels and history --------------------------------------------------------------

    async def channel_state(self, channel_id: str) -> ChannelState | None:
        async with self._database.transaction() as session:
            room = (
                await session.execute(select(channels.c.room_id).where(channels.c.id == channel_id))
            ).first()
            if room is None:
                return None
            members = (
                await session.execute(
                    select(channel_members.c.user_id).where(
                        channel_members.c.channel_id == channel_id
                    )
                )
            ).scalars()
            last_id, last_message_id = await newest_ids(session, channel_id)
            return ChannelState(room.room_id, frozenset(members), last_id, last_message_id)

    async def newest(self, channel_id: str) -> tuple[int, int]:
        """The newest event id and the newest message id (edits aside); 0 when there is none."""
        async with self._database.transaction() as session:
            return await newest_ids(session, channel_id)

    async def event(self, channel_id: str, event_id: int) -> ChatEvent | None:
        found = await self._events(
            select(chat_events).where(
                chat_events.c.channel_id == channel_id, chat_events.c.event_id == event_id
            )
        )
        return found[0] if found else None

    async def events_after(self, channel_id: str, after: int, limit: int) -> list[ChatEvent]:
        """Up to ``limit`` events with ids above ``after``, oldest first."""
        return await self._events(
            select(chat_events)
            .where(chat_events.c.channel_id == channel_id, chat_events.c.event_id > after)
            .order_by(chat_events.c.event_id)
            .limit(limit)
        )

    async def events_before(
        self, channel_id: str, before: int | None, count: int
    ) -> list[ChatEvent]:
        """The newest ``count`` events with ids below ``before``, oldest first."""
        query = select(chat_events).where(chat_events.c.channel_id == channel_id)
        if before is not None:
            query = query.where(chat_events.c.event_id < before)
        found = await self._events(query.order_by(chat_events.c.event_id.desc()).limit(count))
        return found[::-1]

    async def _events(self, query: Any) -> list[ChatEvent]:
        async with self._database.transaction() as session:
            rows = (await session.execute(query)).all()
            if not rows:
                return []
            ids = [row.event_id for row in rows]
            reactions = (
                await session.execute(
                    select(chat_reactions)
                    .where(
                        chat_reactions.c.channel_id == rows[0].channel_id,
                        chat_reactions.c.event_id.between(min(ids), max(ids)),
                    )
                    .order_by(chat_reactions.c.reaction, chat_reactions.c.user_id)
                )
            ).all()
        events = {row.event_id: _event(row) for row in rows}
        for reaction in reactions:
            event = events.get(reaction.event_id)
            if event is not None:
                event.reactions.setdefault(reaction.reaction, []).append(reaction.user_id)
        return list(events.values())

    # -- users -------------------------------------------------------------------------------

    async def profiles(self, user_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Public profiles by id (unknown ids are left out)."""
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        async with self._database.transaction() as session:
            rows = (
                await session.execute(
                    select(users.c.id, users.c.display_name, users.c.profile).where(
                        users.c.id.in_(wanted)
                    )
                )
            ).all()
        return {row.id: public_profile(row) for row in rows}

    async def member_profiles(self, channel_id: str) -> list[dict[str, Any]]:
        async with self._database.transaction() as session:
            rows = (
                await session.execute(
                    select(users.c.id, users.c.display_name, users.c.profile)
                    .join(channel_members, channel_members.c.user_id == users.c.id)
                    .where(channel_members.c.channel_id == channel_id)
                    .order_by(users.c.display_name, users.c.id)
                )
            ).all()
        return [public_profile(row) for row in rows]


async def newest_ids(session: AsyncSession, channel_id: str) -> tuple[int, int]:
    in_channel = chat_events.c.channel_id == channel_id
    last = (
        await session.execute(select(func.max(chat_events.c.event_id)).where(in_channel))
    ).scalar()
    last_message = (
        await session.execute(
            select(func.max(chat_events.c.event_id)).where(
                in_channel, chat_events.c.type == "message", chat_events.c.replaces.is_(None)
            )
        )
    ).scalar()
    return int(last or 0), int(last_message or 0)


def _event(row: Any) -> ChatEvent:
    return ChatEvent(
        id=int(row.event_id),
        channel=row.channel_id,
        sender=row.sender_id,
        timestamp=row.timestamp,
        type=row.type,
        content=row.content,
        replaces=row.replaces,
        edited=row.edited,
    )


def public_profile(row: Any) -> dict[str, Any]:
    return {"id": row.id, "display_name": row.display_name, "profile": row.profile}

"""Storing a room's timeline (``room_timelines``): one upsert, used by the room's
``TimelineActor`` and by tools that publish a schedule from outside a node's process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from live.tables import room_timelines
from live.timeline import Timeline


async def save_timeline(
    session: AsyncSession, room_id: str, timeline: Timeline, version: str | None, now: datetime
) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(room_timelines).values(
        room_id=room_id, slots=timeline.wire(), version=version, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[room_timelines.c.room_id],
            set_={"slots": statement.excluded.slots, "version": version, "updated_at": now},
        )
    )

"""One user's chat state across sockets and logins: read pointers, notification counts, and the
channels they joined (the ``chat`` part of the ``authenticated`` greeting).

Owns the ``read_pointers`` table and prunes ``chat_notifications`` up to the pointer. A pointer
only moves forward.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from core.database import Database
from live.chat_service import ChatService, newest_ids
from live.tables import channel_members, channels, chat_notifications, read_pointers


class ReadPointerService:
    """Read pointer queries on one database; stateless, cheap to make."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def mark_read(self, user_id: str, channel_id: str, event_id: int) -> tuple[int, int]:
        """Move the user's pointer forward to ``event_id`` (at most to the newest event).

        Returns the pointer and how many notifications of the channel are left after it.
        """
        dialect: Any = postgresql if self._database.dialect == "postgresql" else sqlite
        async with self._database.transaction() as session:
            newest, _ = await newest_ids(session, channel_id)
            statement = dialect.insert(read_pointers).values(
                user_id=user_id, channel_id=channel_id, event_id=min(event_id, newest)
            )
            forward = statement.excluded.event_id > read_pointers.c.event_id
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[read_pointers.c.user_id, read_pointers.c.channel_id],
                    set_={
                        "event_id": case(
                            (forward, statement.excluded.event_id), else_=read_pointers.c.event_id
                        )
                    },
                )
            )
            pointer = (
                await session.execute(
                    select(read_pointers.c.event_id).where(
                        read_pointers.c.user_id == user_id,
                        read_pointers.c.channel_id == channel_id,
                    )
                )
            ).scalar_one()
            mine = and_(
                chat_notifications.c.user_id == user_id,
                chat_notifications.c.channel_id == channel_id,
            )
            await session.execute(
                chat_notifications.delete().where(mine, chat_notifications.c.event_id <= pointer)
            )
            left = await session.execute(
                select(func.count()).select_from(chat_notifications).where(mine)
            )
            return int(pointer), int(left.scalar_one())

    async def greeting(self, user_id: str, event_id: str) -> dict[str, Any]:
        """``{channels, read_pointers, notification_counts}`` for the ``authenticated`` greeting.

        ``channels`` are the user's joined, not hidden channels (``members`` for direct ones);
        counts are notifications after the read pointer, channels without any left out.
        """
        async with self._database.transaction() as session:
            joined = (
                await session.execute(
                    select(channels.c.id, channels.c.room_id)
                    .join(channel_members, channel_members.c.channel_id == channels.c.id)
                    .where(
                        channel_members.c.user_id == user_id,
                        channel_members.c.hidden.is_(False),
                        channels.c.event_id == event_id,
                    )
                    .order_by(channels.c.created_at, channels.c.id)
                )
            ).all()
            direct = [row.id for row in joined if row.room_id is None]
            direct_members = (
                await session.execute(
                    select(channel_members.c.channel_id, channel_members.c.user_id).where(
                        channel_members.c.channel_id.in_(direct)
                    )
                )
            ).all()
            pointers = (
                await session.execute(
                    select(read_pointers.c.channel_id, read_pointers.c.event_id).where(
                        read_pointers.c.user_id == user_id
                    )
                )
            ).all()
            counts = (await session.execute(_unread_notifications(user_id))).all()
        profiles = await ChatService(self._database).profiles(r.user_id for r in direct_members)
        members: dict[str, list[dict[str, Any]]] = {}
        for row in direct_members:
            if row.user_id in profiles:
                members.setdefault(row.channel_id, []).append(profiles[row.user_id])
        return {
            "channels": [
                {"id": row.id, "room": row.room_id}
                if row.room_id is not None
                else {"id": row.id, "room": None, "members": members.get(row.id, [])}
                for row in joined
            ],
            "read_pointers": {row.channel_id: int(row.event_id) for row in pointers},
            "notification_counts": {row.channel_id: int(row.n) for row in counts},
        }


def _unread_notifications(user_id: str) -> Any:
    """Per channel, the user's notifications after their read pointer."""
    pointer = func.coalesce(read_pointers.c.event_id, 0)
    return (
        select(chat_notifications.c.channel_id, func.count().label("n"))
        .outerjoin(
            read_pointers,
            (read_pointers.c.user_id == chat_notifications.c.user_id)
            & (read_pointers.c.channel_id == chat_notifications.c.channel_id),
        )
        .where(chat_notifications.c.user_id == user_id, chat_notifications.c.event_id > pointer)
        .group_by(chat_notifications.c.channel_id)
    )

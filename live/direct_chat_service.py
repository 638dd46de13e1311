"""Direct channels: one channel per set of users, who may see it, and who blocks whom.

Owns the ``channels`` and ``channel_members`` rows of direct channels (``direct_key`` is a digest
of the sorted member ids) and the ``user_blocks`` table (set by ``user.block``/``user.unblock``,
enforced here for direct channels). Messages go through ``ChannelActor``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from core.clock import utc_now
from core.database import Database
from core.ids import new_id
from live.chat_service import public_profile
from live.tables import channel_members, channels, user_blocks, users


class DirectChatService:
    """Direct channel queries on one database; stateless, cheap to make."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def members(self, channel_id: str, event_id: str) -> frozenset[str] | None:
        """The members of a direct channel of the event; None if there is no such channel."""
        async with self._database.transaction() as session:
            rows = (
                await session.execute(
                    select(channels.c.id, channel_members.c.user_id)
                    .outerjoin(channel_members, channel_members.c.channel_id == channels.c.id)
                    .where(
                        channels.c.id == channel_id,
                        channels.c.event_id == event_id,
                        channels.c.room_id.is_(None),
                    )
                )
            ).all()
        if not rows:
            return None
        return frozenset(row.user_id for row in rows if row.user_id is not None)

    async def open(self, event_id: str, creator: str, members: frozenset[str]) -> str:
        """The direct channel of exactly ``members`` (made if needed), shown to ``creator``.

        A new channel stays hidden from the other members until its first message.
        """
        key = hashlib.sha256(",".join(sorted(members)).encode()).hexdigest()
        try:
            return await self._open(event_id, key, creator, members)
        except IntegrityError:  # made by another request at the same moment: use that one
            return await self._open(event_id, key, creator, members)

    async def _open(self, event_id: str, key: str, creator: str, members: frozenset[str]) -> str:
        async with self._database.transaction() as session:
            found = await session.execute(
                select(channels.c.id).where(
                    channels.c.event_id == event_id, channels.c.direct_key == key
                )
            )
            channel_id = found.scalar()
            if channel_id is not None:
                await session.execute(_hide(channel_id, creator, hidden=False))
                return str(channel_id)
            channel_id = new_id()
            await session.execute(
                insert(channels).values(
                    id=channel_id,
                    event_id=event_id,
                    room_id=None,
                    direct_key=key,
                    created_at=utc_now(),
                )
            )
            await session.execute(
                insert(channel_members),
                [
                    {"channel_id": channel_id, "user_id": user, "hidden": user != creator}
                    for user in sorted(members)
                ],
            )
            return channel_id

    async def set_hidden(self, channel_id: str, user_id: str, *, hidden: bool) -> None:
        """Hide the channel from the user's channel list (leaving), or show it again."""
        async with self._database.transaction() as session:
            await session.execute(_hide(channel_id, user_id, hidden=hidden))

    async def existing_users(self, event_id: str, user_ids: Iterable[str]) -> set[str]:
        """Those of ``user_ids`` that are users of the event and not banned."""
        async with self._database.transaction() as session:
            found = await session.execute(
                select(users.c.id).where(
                    users.c.event_id == event_id,
                    users.c.id.in_(sorted(set(user_ids))),
                    users.c.moderation != "banned",
                )
            )
            return set(found.scalars())

    async def blocked(self, user_id: str, others: Iterable[str]) -> bool:
        """Whether ``user_id`` blocks any of ``others`` or is blocked by any of them."""
        others = sorted(set(others) - {user_id})
        if not others:
            return False
        mine = (user_blocks.c.user_id == user_id) & user_blocks.c.blocked_id.in_(others)
        theirs = (user_blocks.c.blocked_id == user_id) & user_blocks.c.user_id.in_(others)
        async with self._database.transaction() as session:
            found = await session.execute(
                select(user_blocks.c.user_id).where(mine | theirs).limit(1)
            )
            return found.first() is not None

    async def block(self, user_id: str, blocked_id: str) -> None:
        """Record that ``user_id`` blocks ``blocked_id`` (idempotent)."""
        dialect: Any = postgresql if self._database.dialect == "postgresql" else sqlite
        statement = dialect.insert(user_blocks).values(user_id=user_id, blocked_id=blocked_id)
        async with self._database.transaction() as session:
            await session.execute(statement.on_conflict_do_nothing())

    async def unblock(self, user_id: str, blocked_id: str) -> None:
        """Drop ``user_id``'s block of ``blocked_id`` (idempotent; the reverse block stays)."""
        async with self._database.transaction() as session:
            await session.execute(
                delete(user_blocks).where(
                    user_blocks.c.user_id == user_id, user_blocks.c.blocked_id == blocked_id
                )
            )

    async def blocked_profiles(self, user_id: str) -> list[dict[str, Any]]:
        """The public profiles of the users ``user_id`` blocks, by display name then id."""
        async with self._database.transaction() as session:
            rows = (
                await session.execute(
                    select(users.c.id, users.c.display_name, users.c.profile)
                    .join(user_blocks, user_blocks.c.blocked_id == users.c.id)
                    .where(user_blocks.c.user_id == user_id)
                    .order_by(users.c.display_name, users.c.id)
                )
            ).all()
        return [public_profile(row) for row in rows]


def _hide(channel_id: str, user_id: str, *, hidden: bool) -> Any:
    return (
        update(channel_members)
        .where(channel_members.c.channel_id == channel_id, channel_members.c.user_id == user_id)
        .values(hidden=hidden)
    )

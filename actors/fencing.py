"""Fenced durability: every durable write of an actor carries its fencing token.

The ``actor_fences`` row of a key holds the highest token that has written. A write whose token is
lower is rejected, so an owner that lost its lease can never apply state after a newer one did.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, DateTime, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from actors.errors import FencedOutError
from core.clock import utc_now
from core.database import Base, Database

actor_fences = Table(
    "actor_fences",
    Base.metadata,
    Column("kind", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("token", BigInteger, nullable=False),
    Column("node_id", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class Fence:
    """The fencing token one activation holds for its key."""

    kind: str
    key: str
    token: int
    node_id: str


class FenceStore:
    """Checks and advances fencing tokens inside the writer's own transaction."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def claim(self, fence: Fence) -> None:
        """Record ``fence`` as the newest owner, deposing every older token at once.

        Raises:
            FencedOutError: a newer token has already written for this key.
        """
        async with self.database.transaction() as session:
            await self.check(session, fence)

    @asynccontextmanager
    async def transaction(
        self, fence: Fence, *, check_last: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """A transaction that commits only if ``fence`` is still the newest token.

        The check comes first, or with ``check_last`` just before the commit: the token row is
        then locked only for the commit, so the next transaction of the same owner can do its
        work while this one commits (its own check waits for this commit). Either way a deposed
        owner's transaction never commits.

        Raises:
            FencedOutError: on entering (or before the commit, with ``check_last``), when a
                newer owner has written for this key.
        """
        async with self.database.transaction() as session:
            if not check_last:
                await self.check(session, fence)
            yield session
            if check_last:
                await self.check(session, fence)

    async def check(self, session: AsyncSession, fence: Fence) -> None:
        """Advance the stored token to ``fence.token`` within ``session``'s transaction.

        On PostgreSQL the row stays locked until commit, so a newer owner's claim waits for this
        transaction and an older owner's write waits for the newer one's, then fails.

        Raises:
            FencedOutError: the stored token is newer than ``fence.token``.
        """
        insert = postgresql.insert if self.database.dialect == "postgresql" else sqlite.insert
        statement = insert(actor_fences).values(
            kind=fence.kind,
            key=fence.key,
            token=fence.token,
            node_id=fence.node_id,
            updated_at=utc_now(),
        )
        statement = statement.on_conflict_do_update(
            index_elements=[actor_fences.c.kind, actor_fences.c.key],
            set_={
                "token": statement.excluded.token,
                "node_id": statement.excluded.node_id,
                "updated_at": statement.excluded.updated_at,
            },
            where=actor_fences.c.token <= statement.excluded.token,
        )
        result = await session.execute(statement)
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise FencedOutError(kind=fence.kind, key=fence.key, token=fence.token)

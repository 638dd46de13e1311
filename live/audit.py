"""The audit log: one row per moderation or configuration change (who, what, when).

Owns the ``audit_log`` table. Writers pass their own transaction, so a change and its audit row
commit together or not at all; nothing here decides whether a change is allowed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utc_now
from core.database import Database
from live.tables import audit_log


class AuditEntry(BaseModel):
    """One recorded change; ``user_id`` is who made it (None for the platform itself)."""

    model_config = ConfigDict(frozen=True)

    id: int
    event_id: str
    timestamp: datetime
    user_id: str | None
    type: str
    data: dict[str, Any]


async def record(
    session: AsyncSession, event_id: str, user_id: str | None, type_: str, data: dict[str, Any]
) -> None:
    """Add an entry inside the caller's transaction; ``data`` must be JSON."""
    await session.execute(
        insert(audit_log).values(
            event_id=event_id, timestamp=utc_now(), user_id=user_id, type=type_, data=data
        )
    )


async def entries(database: Database, event_id: str, *, limit: int = 1000) -> list[AuditEntry]:
    """The event's newest entries first, at most ``limit``."""
    async with database.transaction() as session:
        rows = (
            await session.execute(
                select(audit_log)
                .where(audit_log.c.event_id == event_id)
                .order_by(audit_log.c.id.desc())
                .limit(limit)
            )
        ).all()
    return [
        AuditEntry(
            id=row.id,
            event_id=row.event_id,
            # SQLite hands timestamps back without their zone; they are stored in UTC.
            timestamp=row.timestamp.replace(tzinfo=row.timestamp.tzinfo or UTC),
            user_id=row.user_id,
            type=row.type,
            data=row.data,
        )
        for row in rows
    ]

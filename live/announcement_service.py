"""Announcements: their states (draft → active → archived), when one is visible, and their rows.

Owns the ``announcements`` table. Queries run in the caller's transaction (the event's
``AnnouncementActor``), so each change commits together with its audit row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.errors import InvalidTransitionError
from live.tables import announcements

State = Literal["draft", "active", "archived"]
# The only changes of state; keeping a state is always allowed.
_NEXT: dict[str, str] = {"draft": "active", "active": "archived"}


class Announcement(BaseModel):
    """One announcement of an event; times are timezone-aware UTC."""

    model_config = ConfigDict(frozen=True)

    id: str
    event_id: str
    text: str
    state: State
    show_until: datetime | None
    created_at: datetime

    def visible(self, now: datetime) -> bool:
        """Shown to attendees: active and not past its ``show_until``."""
        return self.state == "active" and (self.show_until is None or self.show_until > now)

    def public(self) -> dict[str, Any]:
        """The wire form (ISO 8601 times)."""
        return {
            "id": self.id,
            "text": self.text,
            "state": self.state,
            "show_until": self.show_until.isoformat() if self.show_until else None,
            "created_at": self.created_at.isoformat(),
        }


def check_transition(current: State, target: State) -> None:
    """Raises ``InvalidTransitionError`` unless ``target`` keeps or follows ``current``."""
    if target != current and _NEXT.get(current) != target:
        raise InvalidTransitionError(current=current, requested=target)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; naive values (SQLite gives those back) are taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


async def load(session: AsyncSession, event_id: str) -> list[Announcement]:
    """The event's announcements, oldest first."""
    rows = (
        await session.execute(
            select(announcements)
            .where(announcements.c.event_id == event_id)
            .order_by(announcements.c.created_at, announcements.c.id)
        )
    ).all()
    return [
        Announcement(
            id=row.id,
            event_id=row.event_id,
            text=row.text,
            state=row.state,
            show_until=as_utc(row.show_until) if row.show_until else None,
            created_at=as_utc(row.created_at),
        )
        for row in rows
    ]


async def insert_row(session: AsyncSession, announcement: Announcement) -> None:
    await session.execute(
        insert(announcements).values(
            id=announcement.id,
            event_id=announcement.event_id,
            text=announcement.text,
            state=announcement.state,
            show_until=announcement.show_until,
            created_at=announcement.created_at,
        )
    )


async def update_row(session: AsyncSession, announcement: Announcement) -> None:
    await session.execute(
        update(announcements)
        .where(announcements.c.id == announcement.id)
        .values(
            text=announcement.text,
            state=announcement.state,
            show_until=announcement.show_until,
        )
    )

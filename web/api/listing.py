"""Reading rows for API handlers: one page of a select with its total count, and one object of
the event by id (or ``tickets.not_found``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.errors import UnknownTicketObjectError
from core.errors import InvalidPayloadError
from web.api.pages import PageQuery


async def fetch_page(
    session: AsyncSession, statement: Select[Any], page: PageQuery
) -> tuple[int, Sequence[Row[Any]]]:
    """The total number of rows ``statement`` selects, and the rows of ``page`` (the statement
    must be ordered)."""
    count = (
        await session.execute(select(func.count()).select_from(statement.order_by(None).subquery()))
    ).scalar_one()
    rows = (await session.execute(statement.limit(page.page_size).offset(page.offset))).all()
    return count, rows


async def event_row(
    session: AsyncSession, table: Table, object_id: str, event_id: str, kind: str
) -> Row[Any]:
    """The row of ``table`` with ``object_id`` in the event.

    Raises:
        UnknownTicketObjectError: no such row in this event (``details[kind]`` names the id).
    """
    row = (
        await session.execute(
            select(table).where(table.c.id == object_id, table.c.event_id == event_id)
        )
    ).first()
    if row is None:
        msg = f"No such {kind} in this event"
        raise UnknownTicketObjectError(msg, **{kind: object_id})
    return row


async def require_in_event(
    session: AsyncSession, table: Table, ids: Sequence[str], event_id: str, field: str
) -> None:
    """Raises:
    InvalidPayloadError: some of ``ids`` are not rows of ``table`` in the event (names them).
    """
    if not ids:
        return
    found = set(
        (
            await session.execute(
                select(table.c.id).where(table.c.id.in_(set(ids)), table.c.event_id == event_id)
            )
        ).scalars()
    )
    missing = sorted(set(ids) - found)
    if missing:
        message = f"not in this event: {', '.join(missing)}"
        raise InvalidPayloadError(errors=[{"field": field, "message": message, "in": "body"}])

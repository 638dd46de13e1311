"""The row steps a talk event's setup shares (``event_setup`` and ``review_setup``): an event's
rows of one table read by id or in order, one changed, the next sort key, a deletion refused while
in use, and the name and field checks. Knows no table by name but the users it counts.
"""

from __future__ import annotations

from typing import Any, NoReturn

from sqlalchemy import ColumnElement, Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.errors import TalkObjectInUseError, UnknownTalkObjectError
from core.errors import InvalidPayloadError

MAX_NAME_CHARS = 200
_USED_BY = {"talk_submissions": "submissions", "talk_review_scores": "scores"}


async def get_row(
    session: AsyncSession, table: Table, event_id: str, object_id: str, kind: str
) -> Row[Any]:
    """The row ``object_id`` of ``table`` that belongs to the event.

    Raises:
        UnknownTalkObjectError: there is none (``kind`` names it).
    """
    row = (
        await session.execute(
            select(table).where(table.c.id == object_id, table.c.event_id == event_id)
        )
    ).one_or_none()
    if row is None:
        raise UnknownTalkObjectError(kind=kind, id=object_id)
    return row


async def event_rows(
    session: AsyncSession, table: Table, event_id: str, order: ColumnElement[Any]
) -> list[Row[Any]]:
    """The event's rows of ``table`` by ``order``, then by id."""
    statement = select(table).where(table.c.event_id == event_id).order_by(order, table.c.id)
    return list(await session.execute(statement))


async def update_row(
    session: AsyncSession, table: Table, object_id: str, values: dict[str, Any]
) -> None:
    """Set ``values`` on the row ``object_id`` (nothing when there are none)."""
    if values:
        await session.execute(update(table).where(table.c.id == object_id).values(values))


async def refuse_if_used(
    session: AsyncSession, kind: str, object_id: str, users: Table, condition: ColumnElement[bool]
) -> None:
    """Raises:
    TalkObjectInUseError: rows of ``users`` (submissions or scores) meet ``condition``.
    """
    count = await session.scalar(select(func.count()).select_from(users).where(condition))
    if count:
        used_by = _USED_BY[users.name]
        raise TalkObjectInUseError(kind=kind, id=object_id, used_by=used_by, count=int(count))


async def next_sort_key(
    session: AsyncSession, table: Table, event_id: str, given: int | None
) -> int:
    """``given``, else one after the event's last ``sort_key`` in ``table`` (0 for the first)."""
    if given is not None:
        return given
    last = await session.scalar(
        select(func.max(table.c.sort_key)).where(table.c.event_id == event_id)
    )
    return 0 if last is None else int(last) + 1


def given_values(**values: Any) -> dict[str, Any]:
    """The keywords that are not None: what a change sets."""
    return {key: value for key, value in values.items() if value is not None}


def valid_name(name: str) -> str:
    """The name stripped. Raises: InvalidPayloadError: empty or over ``MAX_NAME_CHARS``."""
    stripped = name.strip()
    if not 0 < len(stripped) <= MAX_NAME_CHARS:
        refuse_field("name", f"1 to {MAX_NAME_CHARS} characters")
    return stripped


def refuse_field(field: str, message: str) -> NoReturn:
    """Raises: InvalidPayloadError: with the one error ``message`` for ``field``."""
    raise InvalidPayloadError(errors=[{"field": field, "message": message}])

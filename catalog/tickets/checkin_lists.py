"""Check-in lists of an event: create, change, read, and the event's one online list (where joins
of the live event are recorded). Scanning itself lives in ``checkin``; this module records no scans.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.tables import checkin_list_products, checkin_lists, products
from core.clock import utc_now
from core.errors import InvalidPayloadError, ProtocolError
from core.ids import new_id

ONLINE_LIST_NAME = "Online"
MAX_NAME_CHARS = 200
MAX_ID_CHARS: int = checkin_lists.c.id.type.length  # type: ignore[attr-defined]


class UnknownCheckinListError(ProtocolError):
    """A check-in list named by the request does not exist in this event (``details.list_ids``)."""

    code = "tickets.unknown_list"
    status = 404
    default_message = "No such check-in list in this event"


@dataclass(frozen=True)
class CheckinList:
    """One list; ``limit_products`` matters only when ``all_products`` is false."""

    id: str
    event_id: str
    name: str
    all_products: bool
    limit_products: frozenset[str]
    include_pending: bool
    allow_multiple_entries: bool
    allow_entry_after_exit: bool
    online: bool
    created_at: datetime

    def admits_product(self, product_id: str) -> bool:
        """Whether tickets of ``product_id`` are scanned on this list."""
        return self.all_products or product_id in self.limit_products


def online_list_id(event_id: str) -> str:
    # Derived from the event, so the primary key itself keeps concurrent first uses to one list.
    return hashlib.sha256(f"online-checkin-list:{event_id}".encode()).hexdigest()[:32]


async def create_checkin_list(
    session: AsyncSession,
    event_id: str,
    *,
    name: str,
    all_products: bool = True,
    limit_products: Collection[str] = (),
    include_pending: bool = False,
    allow_multiple_entries: bool = False,
    allow_entry_after_exit: bool = True,
) -> CheckinList:
    """A new (not online) list of ``event_id``.

    Raises:
        InvalidPayloadError: the name is empty or too long, or a product is not of this event.
    """
    _check_name(name)
    list_id = new_id()
    await session.execute(
        insert(checkin_lists).values(
            id=list_id,
            event_id=event_id,
            name=name,
            all_products=all_products,
            include_pending=include_pending,
            allow_multiple_entries=allow_multiple_entries,
            allow_entry_after_exit=allow_entry_after_exit,
            online=False,
            created_at=utc_now(),
        )
    )
    await _set_products(session, event_id, list_id, limit_products)
    return await get_checkin_list(session, event_id, list_id)


async def update_checkin_list(
    session: AsyncSession,
    event_id: str,
    list_id: str,
    *,
    name: str | None = None,
    all_products: bool | None = None,
    limit_products: Collection[str] | None = None,
    include_pending: bool | None = None,
    allow_multiple_entries: bool | None = None,
    allow_entry_after_exit: bool | None = None,
) -> CheckinList:
    """Change the given fields (None keeps a field); ``limit_products`` replaces the set.

    Raises:
        UnknownCheckinListError: no such list in the event.
        InvalidPayloadError: the name is empty or too long, or a product is not of this event.
    """
    await get_checkin_list(session, event_id, list_id)
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "all_products": all_products,
            "include_pending": include_pending,
            "allow_multiple_entries": allow_multiple_entries,
            "allow_entry_after_exit": allow_entry_after_exit,
        }.items()
        if value is not None
    }
    if name is not None:
        _check_name(name)
    if changes:
        await session.execute(
            update(checkin_lists).where(checkin_lists.c.id == list_id).values(**changes)
        )
    if limit_products is not None:
        await session.execute(
            delete(checkin_list_products).where(checkin_list_products.c.list_id == list_id)
        )
        await _set_products(session, event_id, list_id, limit_products)
    return await get_checkin_list(session, event_id, list_id)


async def get_checkin_list(session: AsyncSession, event_id: str, list_id: str) -> CheckinList:
    """The list ``list_id`` of ``event_id``.

    Raises:
        UnknownCheckinListError: no such list in the event.
    """
    found = await event_lists(session, event_id, [list_id])
    return found[0]


async def checkin_lists_of(session: AsyncSession, event_id: str) -> list[CheckinList]:
    """Every list of the event, oldest first."""
    rows = (
        await session.execute(
            select(checkin_lists)
            .where(checkin_lists.c.event_id == event_id)
            .order_by(checkin_lists.c.created_at, checkin_lists.c.id)
        )
    ).all()
    return await _with_products(session, rows)


async def event_lists(
    session: AsyncSession, event_id: str, list_ids: Sequence[str]
) -> list[CheckinList]:
    """The lists ``list_ids`` of ``event_id`` in the order given.

    Raises:
        UnknownCheckinListError: some id is not a list of this event.
    """
    # Ids come from scanners too: only plausible ones reach the database (PostgreSQL refuses NUL).
    plausible = [item for item in list_ids if _is_plausible_id(item)]
    wanted = list(dict.fromkeys(plausible))
    rows: list[Any] = []
    if wanted:
        found = await session.execute(
            select(checkin_lists).where(
                checkin_lists.c.event_id == event_id, checkin_lists.c.id.in_(wanted)
            )
        )
        rows = list(found.all())
    by_id = {item.id: item for item in await _with_products(session, rows)}
    missing = [
        str(item)[:MAX_ID_CHARS]
        for item in list_ids
        if not _is_plausible_id(item) or item not in by_id
    ]
    if missing or not wanted:
        raise UnknownCheckinListError(list_ids=missing)
    return [by_id[item] for item in wanted]


def _is_plausible_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS and value.isprintable()


async def online_list(session: AsyncSession, event_id: str) -> CheckinList:
    """The event's online list (all products, multiple entries), made on first use.

    ``event_id`` must name an existing event. Two first uses at once end with one list: its id
    is derived from the event, and the second insert does nothing.
    """
    dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(checkin_lists).values(
        id=online_list_id(event_id),
        event_id=event_id,
        name=ONLINE_LIST_NAME,
        all_products=True,
        include_pending=False,
        allow_multiple_entries=True,
        allow_entry_after_exit=True,
        online=True,
        created_at=utc_now(),
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=[checkin_lists.c.id]))
    return await get_checkin_list(session, event_id, online_list_id(event_id))


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME_CHARS:
        msg = f"A check-in list needs a name of 1 to {MAX_NAME_CHARS} characters"
        raise InvalidPayloadError(msg, field="name")


async def _set_products(
    session: AsyncSession, event_id: str, list_id: str, product_ids: Collection[str]
) -> None:
    wanted = sorted(set(product_ids))
    if not wanted:
        return
    known = set(
        (
            await session.execute(
                select(products.c.id).where(
                    products.c.event_id == event_id, products.c.id.in_(wanted)
                )
            )
        ).scalars()
    )
    unknown = [item for item in wanted if item not in known]
    if unknown:
        msg = "Some products are not products of this event"
        raise InvalidPayloadError(msg, field="limit_products", product_ids=unknown)
    await session.execute(
        insert(checkin_list_products),
        [{"list_id": list_id, "product_id": item} for item in wanted],
    )


async def _with_products(session: AsyncSession, rows: Sequence[Any]) -> list[CheckinList]:
    limited = [row.id for row in rows if not row.all_products]
    members: dict[str, set[str]] = {list_id: set() for list_id in limited}
    if limited:
        found = await session.execute(
            select(checkin_list_products.c.list_id, checkin_list_products.c.product_id).where(
                checkin_list_products.c.list_id.in_(limited)
            )
        )
        for list_id, product_id in found.all():
            members[list_id].add(product_id)
    return [
        CheckinList(
            id=row.id,
            event_id=row.event_id,
            name=row.name,
            all_products=row.all_products,
            limit_products=frozenset(members.get(row.id, ())),
            include_pending=row.include_pending,
            allow_multiple_entries=row.allow_multiple_entries,
            allow_entry_after_exit=row.allow_entry_after_exit,
            online=row.online,
            created_at=row.created_at,
        )
        for row in rows
    ]

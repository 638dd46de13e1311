"""Check-in lists and the online list (one per event, however many first joins race), and
recording joins of the live event, on SQLite and the real PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog.tickets import (
    CheckinList,
    OrderStatus,
    UnknownCheckinListError,
    checkin_lists_of,
    create_checkin_list,
    get_checkin_list,
    online_list,
    record_online_checkin,
    update_checkin_list,
)
from catalog.tickets.tables import checkin_lists, checkins
from core.database import Database
from core.errors import InvalidPayloadError
from core.ids import new_id
from tests.catalog.ticket_rows import make_event, make_product, make_ticket

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    """The migrated database of each dialect."""
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.fixture
async def event_id(database: Database) -> str:
    async with database.transaction() as session:
        return await make_event(session)


@pytest.fixture
async def product_id(database: Database, event_id: str) -> str:
    async with database.transaction() as session:
        return await make_product(session, event_id)


async def test_a_list_is_created_read_and_listed(
    database: Database, event_id: str, product_id: str
) -> None:
    async with database.transaction() as session:
        made = await create_checkin_list(
            session, event_id, name="Hall A", all_products=False, limit_products=[product_id]
        )
        everyone = await create_checkin_list(session, event_id, name="Main door")

    async with database.transaction() as session:
        assert await get_checkin_list(session, event_id, made.id) == made
        assert await checkin_lists_of(session, event_id) == [made, everyone]
    assert made == CheckinList(
        id=made.id,
        event_id=event_id,
        name="Hall A",
        all_products=False,
        limit_products=frozenset({product_id}),
        include_pending=False,
        allow_multiple_entries=False,
        allow_entry_after_exit=True,
        online=False,
        created_at=made.created_at,
    )
    assert made.created_at.tzinfo is not None
    assert everyone.all_products
    assert everyone.admits_product(product_id)
    assert not made.admits_product("other")


async def test_an_update_changes_only_the_given_fields(
    database: Database, event_id: str, product_id: str
) -> None:
    async with database.transaction() as session:
        made = await create_checkin_list(
            session, event_id, name="Hall A", all_products=False, limit_products=[product_id]
        )
        other_product = await make_product(session, event_id, "Workshop")

    async with database.transaction() as session:
        changed = await update_checkin_list(
            session,
            event_id,
            made.id,
            allow_multiple_entries=True,
            limit_products=[other_product],
        )
        renamed = await update_checkin_list(session, event_id, made.id, name="Hall B")

    assert changed.allow_multiple_entries
    assert changed.limit_products == frozenset({other_product})
    assert (changed.name, changed.all_products, changed.allow_entry_after_exit) == (
        "Hall A",
        False,
        True,
    )
    assert renamed == CheckinList(**{**changed.__dict__, "name": "Hall B"})


async def test_lists_of_another_event_are_unknown(database: Database, event_id: str) -> None:
    async with database.transaction() as session:
        other_event = await make_event(session)
        theirs = await create_checkin_list(session, other_event, name="Theirs")

    async with database.transaction() as session:
        with pytest.raises(UnknownCheckinListError) as raised:
            await get_checkin_list(session, event_id, theirs.id)
        with pytest.raises(UnknownCheckinListError):
            await update_checkin_list(session, event_id, theirs.id, name="Mine")
        assert await checkin_lists_of(session, event_id) == []
    assert raised.value.details == {"list_ids": [theirs.id]}


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
async def test_a_list_needs_a_name(database: Database, event_id: str, name: str) -> None:
    async with database.transaction() as session:
        with pytest.raises(InvalidPayloadError):
            await create_checkin_list(session, event_id, name=name)


async def test_products_of_another_event_cannot_be_on_a_list(
    database: Database, event_id: str
) -> None:
    async with database.transaction() as session:
        other_event = await make_event(session)
        theirs = await make_product(session, other_event)

    async with database.transaction() as session:
        with pytest.raises(InvalidPayloadError) as raised:
            await create_checkin_list(
                session, event_id, name="A", all_products=False, limit_products=[theirs]
            )
    assert raised.value.details == {"field": "limit_products", "product_ids": [theirs]}


async def test_the_online_list_is_made_once(database: Database, event_id: str) -> None:
    async with database.transaction() as session:
        first = await online_list(session, event_id)
    async with database.transaction() as session:
        again = await online_list(session, event_id)
        assert await checkin_lists_of(session, event_id) == [first]

    assert again == first
    assert (first.online, first.all_products, first.allow_multiple_entries) == (True, True, True)
    assert (first.name, first.include_pending) == ("Online", False)


async def test_racing_first_uses_end_with_one_online_list(
    database: Database, event_id: str
) -> None:
    async def first_use() -> CheckinList:
        async with database.transaction() as session:
            return await online_list(session, event_id)

    found = await asyncio.gather(*(first_use() for _ in range(5)))

    assert len(set(found)) == 1
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count()).where(checkin_lists.c.event_id == event_id)
        )
    assert count == 1


async def online_entries(database: Database, event_id: str) -> int:
    async with database.transaction() as session:
        the_list = await online_list(session, event_id)
        count = await session.scalar(
            select(func.count()).where(
                checkins.c.list_id == the_list.id,
                checkins.c.type == "entry",
                checkins.c.source == "online",
            )
        )
    return int(count or 0)


async def test_every_join_of_a_valid_ticket_is_recorded(
    database: Database, event_id: str, product_id: str
) -> None:
    attendee = new_id()[:16]
    async with database.transaction() as session:
        await make_ticket(session, event_id, product_id, pseudonymization_id=attendee)

    joins = [await record_online_checkin(database, attendee) for _ in range(2)]
    joins += await asyncio.gather(*(record_online_checkin(database, attendee) for _ in range(3)))

    assert joins == [True] * 5
    assert await online_entries(database, event_id) == 5


@pytest.mark.parametrize(
    ("ticket", "recorded"),
    [
        ({"status": OrderStatus.PENDING, "valid_if_pending": True}, True),
        ({"status": OrderStatus.PENDING}, False),
        ({"canceled": True}, False),
        ({"status": OrderStatus.EXPIRED}, False),
        ({"status": OrderStatus.CANCELED}, False),
        ({"status": OrderStatus.CANCELED, "valid_if_pending": True}, False),
    ],
)
async def test_only_valid_tickets_are_recorded_online(
    database: Database,
    event_id: str,
    product_id: str,
    ticket: dict[str, Any],
    recorded: bool,
) -> None:
    attendee = new_id()[:16]
    async with database.transaction() as session:
        await make_ticket(session, event_id, product_id, pseudonymization_id=attendee, **ticket)

    assert await record_online_checkin(database, attendee) is recorded
    assert await online_entries(database, event_id) == int(recorded)


@pytest.mark.parametrize("attendee", ["", "nobody", "x" * 17, "a\x00b", "\ud800", None, 7])
async def test_unknown_or_odd_pseudonymization_ids_record_nothing(
    database: Database, attendee: object
) -> None:
    assert await record_online_checkin(database, attendee) is False

"""What a list's status counts: valid tickets of its products, those checked in, and those inside,
on SQLite and the real PostgreSQL."""

from __future__ import annotations

import pytest

from catalog.tickets import (
    CheckinListStatus,
    CheckinType,
    OrderStatus,
    ProductCheckinCount,
    UnknownCheckinListError,
    create_checkin_list,
    list_status,
    redeem,
)
from core.database import Database
from tests.catalog.ticket_rows import make_event, make_product, make_ticket

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    """The migrated database of each dialect."""
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


async def test_counts_of_a_list_limited_to_some_products(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        day = await make_product(session, event_id, "Day")
        week = await make_product(session, event_id, "Week")
        merch = await make_product(session, event_id, "Shirt")
        the_list = await create_checkin_list(
            session,
            event_id,
            name="Door",
            all_products=False,
            limit_products=[day, week],
            allow_multiple_entries=True,
        )
        in_and_out, inside, inside_twice, _never_scanned = [
            await make_ticket(session, event_id, day) for _ in range(4)
        ]
        not_counted = [
            await make_ticket(session, event_id, day, canceled=True),
            await make_ticket(session, event_id, day, status=OrderStatus.PENDING),
            await make_ticket(session, event_id, day, status=OrderStatus.EXPIRED),
            await make_ticket(session, event_id, merch),
        ]
        pending_valid = await make_ticket(
            session, event_id, week, status=OrderStatus.PENDING, valid_if_pending=True
        )

    async def scan(secret: str, kind: CheckinType = "entry", *, force: bool = False) -> None:
        result = await redeem(
            database, event_id, secret=secret, list_ids=[the_list.id], type=kind, force=force
        )
        assert result.status == "ok"

    await scan(in_and_out)
    await scan(in_and_out, "exit")
    await scan(inside)
    await scan(inside_twice)
    await scan(inside_twice)
    await scan(pending_valid)
    for secret in not_counted:
        await scan(secret, force=True)

    status = await list_status(database, the_list.id)

    assert status == CheckinListStatus(
        list_id=the_list.id,
        position_count=5,
        checkin_count=4,
        inside_count=3,
        products=(
            ProductCheckinCount(day, "Day", position_count=4, checkin_count=3, inside_count=2),
            ProductCheckinCount(week, "Week", position_count=1, checkin_count=1, inside_count=1),
        ),
    )


async def test_a_list_including_pending_orders_counts_them(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        day = await make_product(session, event_id, "Day")
        the_list = await create_checkin_list(session, event_id, name="Door", include_pending=True)
        await make_ticket(session, event_id, day, status=OrderStatus.PENDING)
        await make_ticket(session, event_id, day)

    status = await list_status(database, the_list.id)

    assert status == CheckinListStatus(
        the_list.id, 2, 0, 0, (ProductCheckinCount(day, "Day", 2, 0, 0),)
    )


async def test_an_empty_list_counts_zero_and_an_unknown_list_is_refused(
    database: Database,
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        the_list = await create_checkin_list(session, event_id, name="Door")

    assert await list_status(database, the_list.id) == CheckinListStatus(the_list.id, 0, 0, 0, ())
    with pytest.raises(UnknownCheckinListError):
        await list_status(database, "no-such-list")

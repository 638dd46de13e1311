"""Scanning tickets on check-in lists: pretix's reasons in its order, nonces, races, and hostile
secrets, on SQLite and the real PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from catalog.tickets import (
    CheckinReason,
    CheckinResult,
    OrderStatus,
    ScannedPosition,
    UnknownCheckinListError,
    checkin_lists_of,
    create_checkin_list,
    redeem,
)
from catalog.tickets.tables import checkins, order_positions, orders
from core.clock import utc_now
from core.database import Database
from core.errors import InvalidPayloadError
from tests.catalog.ticket_rows import make_event, make_product, make_ticket

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    """The migrated database of each dialect."""
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@dataclass(frozen=True)
class Door:
    """An event with one product and one list for it, made with the list options of the test."""

    database: Database
    event_id: str
    product_id: str
    list_id: str

    async def ticket(self, **options: Any) -> str:
        async with self.database.transaction() as session:
            return await make_ticket(session, self.event_id, self.product_id, **options)

    async def add_list(self, **options: Any) -> str:
        async with self.database.transaction() as session:
            made = await create_checkin_list(session, self.event_id, name="Side", **options)
        return made.id

    async def add_product(self) -> str:
        async with self.database.transaction() as session:
            return await make_product(session, self.event_id, "Workshop")

    async def scan(self, secret: object, **options: Any) -> CheckinResult:
        options.setdefault("list_ids", [self.list_id])
        return await redeem(self.database, self.event_id, secret=secret, **options)

    async def rows(self) -> list[tuple[str, str | None]]:
        async with self.database.transaction() as session:
            found = await session.execute(
                select(checkins.c.type, checkins.c.nonce)
                .where(checkins.c.list_id.in_(await self._list_ids()))
                .order_by(checkins.c.id)
            )
            return [(kind, nonce) for kind, nonce in found.all()]

    async def _list_ids(self) -> list[str]:
        async with self.database.transaction() as session:
            return [item.id for item in await checkin_lists_of(session, self.event_id)]


async def open_door(database: Database, **list_options: Any) -> Door:
    async with database.transaction() as session:
        event_id = await make_event(session)
        product_id = await make_product(session, event_id)
        the_list = await create_checkin_list(session, event_id, name="Main", **list_options)
    return Door(database, event_id, product_id, the_list.id)


@pytest.fixture
async def door(database: Database) -> Door:
    """A list that admits one entry per ticket, again after an exit."""
    return await open_door(database)


async def position_of(database: Database, secret: str) -> ScannedPosition:
    async with database.transaction() as session:
        row = (
            await session.execute(
                select(order_positions, orders.c.code)
                .join(orders, orders.c.id == order_positions.c.order_id)
                .where(order_positions.c.secret == secret)
            )
        ).one()
    return ScannedPosition(row.id, row.code, row.product_id, row.attendee_name, secret)


def error(
    reason: CheckinReason, explanation: str, position: ScannedPosition | None, list_id: str | None
) -> CheckinResult:
    return CheckinResult("error", reason, explanation, position, list_id, None)


async def test_a_paid_ticket_enters_once_then_is_already_redeemed(door: Door) -> None:
    secret = await door.ticket()
    position = await position_of(door.database, secret)

    first = await door.scan(secret)
    second = await door.scan(secret)

    assert first == CheckinResult("ok", None, None, position, door.list_id, first.checkin_id)
    assert first.checkin_id is not None
    assert second == error(
        "already_redeemed",
        "This ticket has already been used to enter here",
        position,
        door.list_id,
    )
    assert await door.rows() == [("entry", None)]


async def test_an_unknown_secret_is_invalid(door: Door) -> None:
    result = await door.scan("NOSUCHSECRET")

    assert result == error("invalid", "This ticket is not known", None, door.list_id)


async def test_a_secret_of_another_event_is_invalid(door: Door) -> None:
    other = await open_door(door.database)
    secret = await other.ticket()

    assert (await door.scan(secret)).reason == "invalid"
    assert (await other.scan(secret)).status == "ok"


@pytest.mark.parametrize(
    "ticket",
    [
        {"canceled": True},
        {"status": OrderStatus.CANCELED},
        {"status": OrderStatus.EXPIRED},
        {"status": OrderStatus.EXPIRED, "valid_if_pending": True},
    ],
)
async def test_canceled_tickets_and_orders_are_refused(door: Door, ticket: dict[str, Any]) -> None:
    secret = await door.ticket(**ticket)

    result = await door.scan(secret)

    assert result == error(
        "canceled",
        "This ticket or its order has been canceled",
        await position_of(door.database, secret),
        door.list_id,
    )
    assert (await door.scan(secret, type="exit")).reason == "canceled"
    assert await door.rows() == []


async def test_a_product_not_on_the_list_is_refused(door: Door) -> None:
    workshop = await door.add_product()
    limited = await door.add_list(all_products=False, limit_products=[workshop])
    secret = await door.ticket()

    result = await door.scan(secret, list_ids=[limited])

    assert result.reason == "product"
    assert result.list_id == limited
    assert result.position == await position_of(door.database, secret)


async def test_canceled_is_checked_before_the_product(door: Door) -> None:
    workshop = await door.add_product()
    limited = await door.add_list(all_products=False, limit_products=[workshop])
    secret = await door.ticket(canceled=True)

    assert (await door.scan(secret, list_ids=[limited])).reason == "canceled"


async def test_a_pending_order_is_unpaid_unless_valid_if_pending(door: Door) -> None:
    pending = await door.ticket(status=OrderStatus.PENDING)
    valid = await door.ticket(status=OrderStatus.PENDING, valid_if_pending=True)

    assert (await door.scan(pending)).reason == "unpaid"
    assert (await door.scan(pending, type="exit")).reason == "unpaid"
    assert (await door.scan(valid)).status == "ok"


async def test_ignore_unpaid_admits_pending_orders_only_on_lists_including_them(
    door: Door,
) -> None:
    including = await door.add_list(include_pending=True)
    secret = await door.ticket(status=OrderStatus.PENDING)

    assert (await door.scan(secret, ignore_unpaid=True)).reason == "unpaid"
    assert (await door.scan(secret, list_ids=[including])).reason == "unpaid"
    admitted = await door.scan(secret, list_ids=[including], ignore_unpaid=True)
    assert (admitted.status, admitted.list_id) == ("ok", including)


async def test_a_repeated_nonce_answers_ok_with_the_first_checkin(door: Door) -> None:
    secret = await door.ticket()

    first = await door.scan(secret, nonce="n-1")
    again = await door.scan(secret, nonce="n-1")
    other = await door.scan(secret, nonce="n-2")

    assert first.status == "ok"
    assert again == first
    assert other.reason == "already_redeemed"
    assert await door.rows() == [("entry", "n-1")]


async def test_a_nonce_is_per_type(door: Door) -> None:
    secret = await door.ticket()

    await door.scan(secret, nonce="same")
    exit_scan = await door.scan(secret, nonce="same", type="exit")
    exit_again = await door.scan(secret, nonce="same", type="exit")

    assert exit_scan.status == "ok"
    assert exit_again == exit_scan
    assert await door.rows() == [("entry", "same"), ("exit", "same")]


async def test_identical_scans_racing_make_one_checkin(door: Door) -> None:
    secret = await door.ticket()

    results = await asyncio.gather(*(door.scan(secret, nonce="upload-7") for _ in range(4)))

    assert {result.status for result in results} == {"ok"}
    assert len({result.checkin_id for result in results}) == 1
    assert await door.rows() == [("entry", "upload-7")]


async def test_concurrent_entries_of_one_ticket_admit_one(door: Door) -> None:
    secret = await door.ticket()

    results = await asyncio.gather(*(door.scan(secret) for _ in range(5)))

    reasons = sorted(str(result.reason) for result in results)
    assert reasons == ["None"] + ["already_redeemed"] * 4
    assert await door.rows() == [("entry", None)]


async def test_exits_are_always_allowed_for_valid_tickets(door: Door) -> None:
    secret = await door.ticket()

    results = [await door.scan(secret, type="exit") for _ in range(2)]

    assert [result.status for result in results] == ["ok", "ok"]
    assert (await door.scan(secret)).status == "ok"  # exits alone are no previous entry


async def test_exit_then_entry_again_when_the_list_allows_it(door: Door) -> None:
    secret = await door.ticket()

    steps = [
        await door.scan(secret),
        await door.scan(secret, type="exit"),
        await door.scan(secret),
        await door.scan(secret),
    ]

    assert [step.reason for step in steps] == [None, None, None, "already_redeemed"]
    assert await door.rows() == [("entry", None), ("exit", None), ("entry", None)]


async def test_no_entry_after_exit_when_the_list_forbids_it(database: Database) -> None:
    door = await open_door(database, allow_entry_after_exit=False)
    secret = await door.ticket()

    steps = [
        await door.scan(secret),
        await door.scan(secret, type="exit"),
        await door.scan(secret),
    ]

    assert [step.reason for step in steps] == [None, None, "already_redeemed"]


async def test_the_last_scan_by_time_decides_entry_after_exit(door: Door) -> None:
    secret = await door.ticket()
    now = utc_now()

    await door.scan(secret, at=now)
    # An offline exit uploaded late but scanned before the entry: the entry is the last scan.
    await door.scan(secret, type="exit", at=now - timedelta(minutes=5))

    assert (await door.scan(secret)).reason == "already_redeemed"


async def test_multiple_entries_when_the_list_allows_them(database: Database) -> None:
    door = await open_door(database, allow_multiple_entries=True)
    secret = await door.ticket()

    results = [await door.scan(secret) for _ in range(3)]

    assert [result.status for result in results] == ["ok"] * 3
    assert len({result.checkin_id for result in results}) == 3


async def test_several_lists_pick_the_one_admitting_the_product(door: Door) -> None:
    workshop = await door.add_product()
    workshop_list = await door.add_list(all_products=False, limit_products=[workshop])
    secret = await door.ticket()

    result = await door.scan(secret, list_ids=[workshop_list, door.list_id])
    nowhere = await door.scan(secret, list_ids=[workshop_list, workshop_list])

    assert (result.status, result.list_id) == ("ok", door.list_id)
    assert (nowhere.reason, nowhere.list_id) == ("product", workshop_list)


async def test_a_ticket_valid_on_several_given_lists_is_ambiguous(door: Door) -> None:
    second = await door.add_list()
    secret = await door.ticket()

    result = await door.scan(secret, list_ids=[door.list_id, second])

    assert result == error(
        "ambiguous",
        "This ticket is valid on more than one of the lists",
        await position_of(door.database, secret),
        None,
    )
    assert await door.rows() == []


@pytest.mark.parametrize(
    "ticket",
    [{"canceled": True}, {"status": OrderStatus.EXPIRED}, {"status": OrderStatus.PENDING}],
)
async def test_force_records_whatever_the_state(door: Door, ticket: dict[str, Any]) -> None:
    secret = await door.ticket(**ticket)
    at = utc_now() - timedelta(hours=1)

    forced = await door.scan(secret, force=True, at=at, nonce="off-1", source="offline")
    replayed = await door.scan(secret, force=True, at=at, nonce="off-1", source="offline")

    assert forced.status == "ok"
    assert replayed == forced
    async with door.database.transaction() as session:
        recorded = (
            await session.execute(select(checkins).where(checkins.c.id == forced.checkin_id))
        ).one()
    assert (recorded.type, recorded.source, recorded.at) == ("entry", "offline", at)


async def test_force_records_a_second_entry_and_a_product_not_on_the_list(door: Door) -> None:
    workshop = await door.add_product()
    limited = await door.add_list(all_products=False, limit_products=[workshop])
    secret = await door.ticket()
    await door.scan(secret)

    again = await door.scan(secret, force=True)
    elsewhere = await door.scan(secret, list_ids=[limited], force=True)

    assert (again.status, elsewhere.status, elsewhere.list_id) == ("ok", "ok", limited)


async def test_force_does_not_make_an_unknown_secret_valid(door: Door) -> None:
    assert (await door.scan("UNKNOWN", force=True)).reason == "invalid"


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "   ",
        "x" * 65,
        "x" * 100_000,
        "票" * 64,
        "票🎫",
        "abc\x00def",
        "\ud800",
        "'; DROP TABLE ticket_checkins; --",
        "%",
        None,
        12345,
        b"bytes",
        ["list"],
    ],
)
async def test_hostile_secrets_are_invalid(door: Door, secret: object) -> None:
    result = await door.scan(secret)

    assert result == error("invalid", "This ticket is not known", None, door.list_id)


async def test_whitespace_around_a_secret_is_ignored(door: Door) -> None:
    secret = await door.ticket()

    assert (await door.scan(f" {secret}\r\n")).status == "ok"


async def test_lists_of_another_event_or_none_are_refused(door: Door) -> None:
    other = await open_door(door.database)
    secret = await door.ticket()

    with pytest.raises(UnknownCheckinListError) as raised:
        await door.scan(secret, list_ids=[door.list_id, other.list_id])
    assert raised.value.details == {"list_ids": [other.list_id]}
    assert raised.value.code == "tickets.unknown_list"
    assert raised.value.status == 404
    with pytest.raises(UnknownCheckinListError):
        await door.scan(secret, list_ids=[])
    with pytest.raises(UnknownCheckinListError):
        await door.scan(secret, list_ids=[None])
    with pytest.raises(UnknownCheckinListError) as odd:
        await door.scan(secret, list_ids=[door.list_id, "a\x00b", ["x"], "x" * 1000])
    assert odd.value.details == {"list_ids": ["a\x00b", "['x']", "x" * 32]}
    assert await door.rows() == []


@pytest.mark.parametrize(
    "options",
    [
        {"type": "sideways"},
        {"nonce": ""},
        {"nonce": "n" * 191},
        {"nonce": "a\x00b"},
        {"at": utc_now().replace(tzinfo=None)},
        {"source": ""},
        {"source": "s" * 33},
    ],
)
async def test_malformed_scan_options_are_refused(door: Door, options: dict[str, Any]) -> None:
    secret = await door.ticket()

    with pytest.raises(InvalidPayloadError):
        await door.scan(secret, **options)

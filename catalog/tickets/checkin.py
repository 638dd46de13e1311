"""Scanning tickets on check-in lists (pretix's ``perform_checkin`` order of checks and reasons),
and recording a ticket holder's join of the live event on the online list. Owns no list settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.checkin_lists import CheckinList, event_lists, online_list
from catalog.tickets.status import OrderStatus
from catalog.tickets.tables import checkins, order_positions, orders
from core.clock import utc_now
from core.database import Database
from core.errors import InvalidPayloadError

CheckinType = Literal["entry", "exit"]
CheckinReason = Literal["invalid", "canceled", "product", "unpaid", "already_redeemed", "ambiguous"]

MAX_SECRET_CHARS: int = order_positions.c.secret.type.length  # type: ignore[attr-defined]
MAX_NONCE_CHARS: int = checkins.c.nonce.type.length  # type: ignore[attr-defined]
MAX_SOURCE_CHARS: int = checkins.c.source.type.length  # type: ignore[attr-defined]
MAX_PSEUDONYMIZATION_CHARS: int = order_positions.c.pseudonymization_id.type.length  # type: ignore[attr-defined]

EXPLANATIONS: dict[CheckinReason, str] = {
    "invalid": "This ticket is not known",
    "canceled": "This ticket or its order has been canceled",
    "product": "This product is not admitted on this list",
    "unpaid": "The order of this ticket is not paid",
    "already_redeemed": "This ticket has already been used to enter here",
    "ambiguous": "This ticket is valid on more than one of the lists",
}


@dataclass(frozen=True)
class ScannedPosition:
    """The ticket a scan found."""

    id: str
    order_code: str
    product_id: str
    attendee_name: str | None
    secret: str


@dataclass(frozen=True)
class CheckinResult:
    """What a scan did: ``ok`` with the recorded (or replayed) check-in, or an error ``reason``."""

    status: Literal["ok", "error"]
    reason: CheckinReason | None
    reason_explanation: str | None
    position: ScannedPosition | None
    list_id: str | None
    checkin_id: int | None
    require_attention: bool = False


@dataclass(frozen=True)
class _Ticket:
    position: ScannedPosition
    canceled: bool
    status: str
    valid_if_pending: bool


@dataclass(frozen=True)
class _Scan:
    type: CheckinType
    nonce: str | None
    at: datetime
    force: bool
    ignore_unpaid: bool
    source: str


async def redeem(
    database: Database,
    event_id: str,
    *,
    secret: object,
    list_ids: list[str],
    type: CheckinType = "entry",  # the field's name in pretix's redeem API
    nonce: str | None = None,
    at: datetime | None = None,
    force: bool = False,
    ignore_unpaid: bool = False,
    source: str = "scan",
) -> CheckinResult:
    """Scan ``secret`` on one of ``list_ids``; a failed check is an error result, not an exception.

    ``force`` (offline uploads) records the scan whatever the ticket's state, but an unknown
    secret or several matching lists still fail. A repeated ``nonce`` (same list, ticket and type)
    answers ``ok`` with the first scan's check-in. The ticket's row is locked for the decision, so
    concurrent scans of one ticket are decided one after the other.

    Raises:
        UnknownCheckinListError: no lists given, or one is not a list of this event.
        InvalidPayloadError: ``type``, ``nonce``, ``at`` or ``source`` is malformed.
    """
    scan = _Scan(type, _checked_nonce(nonce), _checked_at(at), force, ignore_unpaid, source)
    _check_scan(scan)
    cleaned = clean_secret(secret)
    async with database.transaction() as session:
        if cleaned is not None and database.dialect == "sqlite":
            # The first write takes SQLite's one writer lock: concurrent scans queue here and
            # then read what the previous one committed.
            await session.execute(
                update(order_positions)
                .where(order_positions.c.secret == cleaned)
                .values(canceled=order_positions.c.canceled)
            )
        lists = await event_lists(session, event_id, list_ids)
        if cleaned is None:
            return _error("invalid", None, lists)
        ticket = await _ticket(session, event_id, cleaned, lock=database.dialect == "postgresql")
        if ticket is None:
            return _error("invalid", None, lists)
        return await _decide(session, scan, lists, ticket)


async def record_online_checkin(database: Database, pseudonymization_id: object) -> bool:
    """Record a join of the live event as an entry on its online list; whether it was recorded.

    Only a valid ticket counts: not canceled, its order paid, or pending but valid if pending.
    """
    if not _is_clean(pseudonymization_id, MAX_PSEUDONYMIZATION_CHARS):
        return False
    async with database.transaction() as session:
        found = await session.execute(
            select(
                order_positions.c.id,
                order_positions.c.canceled,
                orders.c.event_id,
                orders.c.status,
                orders.c.valid_if_pending,
            )
            .join(orders, orders.c.id == order_positions.c.order_id)
            .where(order_positions.c.pseudonymization_id == pseudonymization_id)
        )
        row = found.first()
        if row is None or row.canceled or not _is_valid_order(row.status, row.valid_if_pending):
            return False
        the_list = await online_list(session, row.event_id)
        await session.execute(
            insert(checkins).values(
                list_id=the_list.id,
                position_id=row.id,
                type="entry",
                at=utc_now(),
                nonce=None,
                source="online",
            )
        )
        return True


def clean_secret(secret: object) -> str | None:
    """The secret as it can be looked up, or None when it cannot be any ticket's secret."""
    if not isinstance(secret, str) or len(secret) > 4 * MAX_SECRET_CHARS:
        return None
    secret = secret.strip()
    if not _is_clean(secret, MAX_SECRET_CHARS):
        return None
    return secret


def _is_clean(value: object, max_chars: int) -> bool:
    # Not printable covers NUL (PostgreSQL refuses it in text) and lone surrogates (not UTF-8).
    return isinstance(value, str) and 0 < len(value) <= max_chars and value.isprintable()


def _checked_nonce(nonce: str | None) -> str | None:
    if nonce is not None and not _is_clean(nonce, MAX_NONCE_CHARS):
        msg = f"A nonce is 1 to {MAX_NONCE_CHARS} printable characters"
        raise InvalidPayloadError(msg, field="nonce")
    return nonce


def _checked_at(at: datetime | None) -> datetime:
    if at is None:
        return utc_now()
    if not isinstance(at, datetime) or at.tzinfo is None:
        msg = "The scan time must be timezone-aware"
        raise InvalidPayloadError(msg, field="at")
    # SQLite keeps the wall time without its zone: store every scan in UTC.
    return at.astimezone(UTC)


def _check_scan(scan: _Scan) -> None:
    if scan.type not in ("entry", "exit"):
        msg = "type is entry or exit"
        raise InvalidPayloadError(msg, field="type")
    if not _is_clean(scan.source, MAX_SOURCE_CHARS):
        msg = f"source is 1 to {MAX_SOURCE_CHARS} printable characters"
        raise InvalidPayloadError(msg, field="source")


def _is_valid_order(status: str, valid_if_pending: bool) -> bool:
    return status == OrderStatus.PAID or (status == OrderStatus.PENDING and valid_if_pending)


async def _ticket(
    session: AsyncSession, event_id: str, secret: str, *, lock: bool
) -> _Ticket | None:
    statement = (
        select(
            order_positions.c.id,
            order_positions.c.product_id,
            order_positions.c.attendee_name,
            order_positions.c.secret,
            order_positions.c.canceled,
            orders.c.code,
            orders.c.status,
            orders.c.valid_if_pending,
        )
        .join(orders, orders.c.id == order_positions.c.order_id)
        .where(order_positions.c.secret == secret, orders.c.event_id == event_id)
    )
    if lock:
        # FOR NO KEY UPDATE: serialises scans of this ticket but lets rows that merely refer to
        # it (an online join's check-in, a payment) be written meanwhile.
        statement = statement.with_for_update(of=order_positions, key_share=True)
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    position = ScannedPosition(
        id=row.id,
        order_code=row.code,
        product_id=row.product_id,
        attendee_name=row.attendee_name,
        secret=row.secret,
    )
    return _Ticket(position, row.canceled, row.status, row.valid_if_pending)


async def _decide(
    session: AsyncSession, scan: _Scan, lists: list[CheckinList], ticket: _Ticket
) -> CheckinResult:
    position, status = ticket.position, ticket.status
    known = status in (OrderStatus.PAID, OrderStatus.PENDING)
    if not scan.force and (ticket.canceled or not known):
        return _error("canceled", position, lists)
    candidates = [item for item in lists if item.admits_product(position.product_id)]
    if len(candidates) > 1:
        return _error("ambiguous", position, lists)
    if not candidates and not scan.force:
        return _error("product", position, lists)
    chosen = candidates[0] if candidates else lists[0]
    pending_ok = ticket.valid_if_pending or (scan.ignore_unpaid and chosen.include_pending)
    if not scan.force and status == OrderStatus.PENDING and not pending_ok:
        return _error("unpaid", position, [chosen])
    replayed = await _replayed(session, scan, chosen.id, position.id)
    if replayed is not None:
        return _ok(position, chosen.id, replayed)
    if not scan.force and not await _entry_allowed(session, scan, chosen, position.id):
        return _error("already_redeemed", position, [chosen])
    inserted = await session.execute(
        insert(checkins)
        .values(
            list_id=chosen.id,
            position_id=position.id,
            type=scan.type,
            at=scan.at,
            nonce=scan.nonce,
            source=scan.source,
        )
        .returning(checkins.c.id)
    )
    return _ok(position, chosen.id, inserted.scalar_one())


async def _replayed(
    session: AsyncSession, scan: _Scan, list_id: str, position_id: str
) -> int | None:
    if scan.nonce is None:
        return None
    found = await session.execute(
        select(checkins.c.id).where(
            checkins.c.list_id == list_id,
            checkins.c.position_id == position_id,
            checkins.c.type == scan.type,
            checkins.c.nonce == scan.nonce,
        )
    )
    checkin_id: int | None = found.scalar()
    return checkin_id


async def _entry_allowed(
    session: AsyncSession, scan: _Scan, the_list: CheckinList, position_id: str
) -> bool:
    if scan.type == "exit" or the_list.allow_multiple_entries:
        return True
    mine = (checkins.c.list_id == the_list.id) & (checkins.c.position_id == position_id)
    entered = await session.scalar(select(exists().where(mine, checkins.c.type == "entry")))
    if not entered:
        return True
    if not the_list.allow_entry_after_exit:
        return False
    last_type = await session.scalar(
        select(checkins.c.type)
        .where(mine)
        .order_by(checkins.c.at.desc(), checkins.c.id.desc())
        .limit(1)
    )
    return last_type == "exit"


def _ok(position: ScannedPosition, list_id: str, checkin_id: int) -> CheckinResult:
    return CheckinResult("ok", None, None, position, list_id, checkin_id)


def _error(
    reason: CheckinReason, position: ScannedPosition | None, lists: list[CheckinList]
) -> CheckinResult:
    list_id = lists[0].id if len(lists) == 1 else None
    return CheckinResult("error", reason, EXPLANATIONS[reason], position, list_id, None)

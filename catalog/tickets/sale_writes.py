"""The rows one inventory batch writes, gathered while the batch is decided and written with one
statement per table: carts, cart positions, orders, order positions, voucher uses, new vouchers
and late-paid orders. Also the reads a batch needs before deciding (vouchers, carts, keys).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.sale import VoucherState
from catalog.tickets.sale_orders import fresh_codes
from catalog.tickets.status import OrderStatus, PriceMode
from catalog.tickets.tables import (
    cart_positions,
    carts,
    order_positions,
    orders,
    vouchers,
)
from core.database import insert_rows

Row = dict[str, Any]


@dataclass(slots=True)
class BatchWrites:
    """Everything one batch adds or changes, in the order it must be written."""

    carts: list[Row] = field(default_factory=list)
    cart_positions: list[Row] = field(default_factory=list)
    released_cart_positions: list[str] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    positions: list[Row] = field(default_factory=list)
    voucher_uses: Counter[str] = field(default_factory=Counter)
    vouchers: list[Row] = field(default_factory=list)
    paid_late: list[Row] = field(default_factory=list)  # {order_id, paid_at}

    async def write(self, session: AsyncSession) -> None:
        if self.released_cart_positions:
            # Add-ons first: they point at their base positions.
            await session.execute(
                update(cart_positions)
                .where(cart_positions.c.id.in_(self.released_cart_positions))
                .values(addon_to_id=None)
            )
            await session.execute(
                delete(cart_positions).where(cart_positions.c.id.in_(self.released_cart_positions))
            )
        for table, rows in ((carts, self.carts), (cart_positions, self.cart_positions)):
            if rows:
                await session.execute(insert(table), rows)
        if self.orders:
            await insert_orders(session, self.orders)
        await insert_rows(session, order_positions, self.positions)
        if self.vouchers:
            await session.execute(insert(vouchers), self.vouchers)
        if self.voucher_uses:
            await session.execute(
                update(vouchers)
                .where(vouchers.c.id == bindparam("voucher"))
                .values(redeemed=vouchers.c.redeemed + bindparam("uses")),
                [{"voucher": v, "uses": n} for v, n in sorted(self.voucher_uses.items())],
            )
        if self.paid_late:
            await session.execute(
                update(orders)
                .where(orders.c.id == bindparam("order"))
                .values(
                    status=OrderStatus.PAID,
                    paid_at=bindparam("paid_at"),
                    modified_at=bindparam("paid_at"),
                ),
                self.paid_late,
            )


async def insert_orders(session: AsyncSession, rows: list[Row]) -> None:
    """Insert new orders; a row whose code another order of its event has gets a fresh code
    (in place) and is tried again.

    Codes are short, so a clash is rare but possible. Rather than look every new code up first
    (a query per batch whose plan can degrade to a scan of the event's orders), the insert runs
    in a savepoint and only a failed one looks the codes up.
    """
    while True:
        try:
            async with session.begin_nested():
                await insert_rows(session, orders, rows)
        except IntegrityError:
            if not await _recode_taken(session, rows):
                raise  # not a clash of codes
        else:
            return


async def _recode_taken(session: AsyncSession, rows: list[Row]) -> bool:
    """Give fresh codes to the rows whose code is taken in their event or earlier in ``rows``;
    answers whether any row changed."""
    changed = False
    for event_id in sorted({row["event_id"] for row in rows}):
        mine = [row for row in rows if row["event_id"] == event_id]
        taken = await taken_codes(session, event_id, [row["code"] for row in mine])
        seen: set[str] = set()
        for row in mine:
            while row["code"] in taken or row["code"] in seen:
                row["code"], changed = fresh_codes(1)[0], True
            seen.add(row["code"])
    return changed


async def voucher_states(
    session: AsyncSession, event_id: str, codes: Collection[str], now: datetime
) -> dict[str, VoucherState]:
    """The named vouchers (by upper-case code) with the unexpired cart positions holding each."""
    if not codes:
        return {}
    in_use = (
        select(func.count(cart_positions.c.id))
        .where(cart_positions.c.voucher_id == vouchers.c.id, cart_positions.c.expires_at >= now)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(vouchers, in_use.label("in_use")).where(
            vouchers.c.event_id == event_id, func.upper(vouchers.c.code).in_(sorted(codes))
        )
    )
    return {
        row.code.upper(): VoucherState(
            id=row.id,
            code=row.code,
            max_usages=row.max_usages,
            redeemed=row.redeemed,
            in_use=row.in_use,
            valid_until=row.valid_until,
            block_quota=row.block_quota,
            allow_ignore_quota=row.allow_ignore_quota,
            price_mode=PriceMode(row.price_mode),
            value=row.value,
            product_id=row.product_id,
            variation_id=row.variation_id,
            quota_id=row.quota_id,
        )
        for row in rows
    }


async def existing_carts(session: AsyncSession, cart_ids: Collection[str]) -> dict[str, str]:
    """Cart id → its event id, for the carts that exist."""
    if not cart_ids:
        return {}
    rows = await session.execute(
        select(carts.c.id, carts.c.event_id).where(carts.c.id.in_(sorted(cart_ids)))
    )
    return {key: value for key, value in rows}


async def cart_contents(session: AsyncSession, cart_ids: Collection[str]) -> dict[str, list[Row]]:
    """Each cart's positions, base positions before their add-ons."""
    if not cart_ids:
        return {}
    rows = await session.execute(
        select(cart_positions, vouchers.c.code.label("voucher_code"))
        .outerjoin(vouchers, vouchers.c.id == cart_positions.c.voucher_id)
        .where(cart_positions.c.cart_id.in_(sorted(cart_ids)))
        .order_by(cart_positions.c.addon_to_id.is_not(None), cart_positions.c.id)
    )
    contents: dict[str, list[Row]] = {}
    for row in rows.mappings():
        contents.setdefault(row["cart_id"], []).append(dict(row))
    return contents


async def orders_by_key(
    session: AsyncSession, event_id: str, keys: Collection[str]
) -> dict[str, str]:
    """Request key → id of the order placed with it."""
    if not keys:
        return {}
    rows = await session.execute(
        select(orders.c.request_key, orders.c.id).where(
            orders.c.event_id == event_id, orders.c.request_key.in_(sorted(keys))
        )
    )
    return {key: value for key, value in rows}


async def taken_codes(session: AsyncSession, event_id: str, codes: Collection[str]) -> set[str]:
    """Which of ``codes`` already name an order (or a voucher, for voucher codes) here."""
    if not codes:
        return set()
    rows = await session.execute(
        select(orders.c.code).where(orders.c.event_id == event_id, orders.c.code.in_(codes))
    )
    return set(rows.scalars())


async def taken_voucher_codes(
    session: AsyncSession, event_id: str, codes: Collection[str]
) -> set[str]:
    if not codes:
        return set()
    rows = await session.execute(
        select(func.upper(vouchers.c.code)).where(
            vouchers.c.event_id == event_id, func.upper(vouchers.c.code).in_(sorted(codes))
        )
    )
    return set(rows.scalars())


async def next_cart_expiry(session: AsyncSession, event_id: str, now: datetime) -> datetime | None:
    """When the event's next unexpired cart position expires (None: no cart holds anything)."""
    found = await session.execute(
        select(func.min(cart_positions.c.expires_at))
        .join(carts, carts.c.id == cart_positions.c.cart_id)
        .where(carts.c.event_id == event_id, cart_positions.c.expires_at >= now)
    )
    expiry: datetime | None = found.scalar_one_or_none()
    return expiry

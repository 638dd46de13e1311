"""Gather what holds each quota's capacity from the database: one query per kind (quota sizes,
orders, blocking vouchers, carts) for any number of quotas. Read-only; takes no locks.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.availability import QuotaUsage
from catalog.tickets.status import OrderStatus
from catalog.tickets.tables import (
    cart_positions,
    order_positions,
    orders,
    quota_members,
    quotas,
    vouchers,
)


def _in_quota(
    product_id: ColumnElement[str], variation_id: ColumnElement[str]
) -> ColumnElement[bool]:
    """A product (without variation) or a variation held by the quota in the enclosing row."""
    return exists().where(
        quota_members.c.quota_id == quotas.c.id,
        quota_members.c.product_id == product_id,
        or_(
            and_(variation_id.is_(None), quota_members.c.variation_id.is_(None)),
            quota_members.c.variation_id == variation_id,
        ),
    )


def _voucher_blocks(now: datetime) -> ColumnElement[bool]:
    return and_(
        vouchers.c.block_quota.is_(True),
        or_(vouchers.c.valid_until.is_(None), vouchers.c.valid_until >= now),
    )


def _voucher_targets_quota() -> ColumnElement[bool]:
    # A product voucher without a variation targets every quota holding that product.
    return or_(
        vouchers.c.quota_id == quotas.c.id,
        exists().where(
            quota_members.c.quota_id == quotas.c.id,
            quota_members.c.product_id == vouchers.c.product_id,
            or_(
                vouchers.c.variation_id.is_(None),
                quota_members.c.variation_id == vouchers.c.variation_id,
            ),
        ),
    )


def _orders_query(ids: Collection[str]) -> Select[str, str, int]:
    return (
        select(quotas.c.id, orders.c.status, func.count(order_positions.c.id))
        .select_from(quotas)
        .join(
            order_positions,
            and_(
                order_positions.c.canceled.is_(False),
                _in_quota(order_positions.c.product_id, order_positions.c.variation_id),
            ),
        )
        .join(orders, orders.c.id == order_positions.c.order_id)
        .where(
            quotas.c.id.in_(ids),
            orders.c.status.in_([OrderStatus.PAID, OrderStatus.PENDING]),
        )
        .group_by(quotas.c.id, orders.c.status)
    )


def _vouchers_query(ids: Collection[str], now: datetime) -> Select[str, int]:
    remaining = case(
        (vouchers.c.max_usages > vouchers.c.redeemed, vouchers.c.max_usages - vouchers.c.redeemed),
        else_=0,
    )
    return (
        select(quotas.c.id, func.sum(remaining))
        .select_from(quotas)
        .join(vouchers, and_(_voucher_blocks(now), _voucher_targets_quota()))
        .where(quotas.c.id.in_(ids))
        .group_by(quotas.c.id)
    )


def _carts_query(ids: Collection[str], now: datetime) -> Select[str, int]:
    # A cart position redeeming a valid blocking voucher is already counted by that voucher.
    return (
        select(quotas.c.id, func.count(cart_positions.c.id))
        .select_from(quotas)
        .join(
            cart_positions,
            and_(
                cart_positions.c.expires_at >= now,
                _in_quota(cart_positions.c.product_id, cart_positions.c.variation_id),
            ),
        )
        .outerjoin(vouchers, vouchers.c.id == cart_positions.c.voucher_id)
        .where(
            quotas.c.id.in_(ids),
            or_(vouchers.c.id.is_(None), not_(_voucher_blocks(now))),
        )
        .group_by(quotas.c.id)
    )


async def quota_usages(
    session: AsyncSession, quota_ids: Collection[str], now: datetime
) -> dict[str, QuotaUsage]:
    """What holds each named quota at ``now``; unknown ids are left out of the result."""
    if not quota_ids:
        return {}
    ids = sorted(set(quota_ids))
    sizes = await session.execute(
        select(quotas.c.id, quotas.c.size, quotas.c.closed).where(quotas.c.id.in_(ids))
    )
    by_status: dict[tuple[str, str], int] = {
        (quota_id, status): count
        for quota_id, status, count in (await session.execute(_orders_query(ids)))
    }
    held = dict((await session.execute(_vouchers_query(ids, now))).all())
    carts = dict((await session.execute(_carts_query(ids, now))).all())
    return {
        quota_id: QuotaUsage(
            size=size,
            closed=closed,
            paid=by_status.get((quota_id, OrderStatus.PAID), 0),
            pending=by_status.get((quota_id, OrderStatus.PENDING), 0),
            blocking_vouchers=int(held.get(quota_id, 0)),
            carts=carts.get(quota_id, 0),
        )
        for quota_id, size, closed in sizes
    }


async def item_quota_ids(
    session: AsyncSession, product_id: str, variation_id: str | None
) -> list[str]:
    """The quotas a product (without variation) or a variation is in; none: not for sale."""
    variation = (
        quota_members.c.variation_id.is_(None)
        if variation_id is None
        else quota_members.c.variation_id == variation_id
    )
    rows = await session.execute(
        select(quota_members.c.quota_id)
        .where(quota_members.c.product_id == product_id, variation)
        .distinct()
        .order_by(quota_members.c.quota_id)
    )
    return list(rows.scalars())

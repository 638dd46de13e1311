"""How far check-in on one list has come: tickets valid there, checked in, and inside now.
Read-only; takes no locks and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.checkin_lists import CheckinList, UnknownCheckinListError, event_lists
from catalog.tickets.status import OrderStatus
from catalog.tickets.tables import checkin_lists, checkins, order_positions, orders, products
from core.database import Database


@dataclass(frozen=True)
class ProductCheckinCount:
    """The counts of one product on the list (products on it without tickets count zero)."""

    product_id: str
    name: str
    position_count: int
    checkin_count: int
    inside_count: int


@dataclass(frozen=True)
class CheckinListStatus:
    """``position_count``: valid tickets whose product is on the list; ``checkin_count``: those
    with at least one entry; ``inside_count``: those with more entries than exits."""

    list_id: str
    position_count: int
    checkin_count: int
    inside_count: int
    products: tuple[ProductCheckinCount, ...]


async def list_status(database: Database, list_id: str) -> CheckinListStatus:
    """The counts of ``list_id``, overall and per product.

    Raises:
        UnknownCheckinListError: no such list.
    """
    async with database.transaction() as session:
        event_id = await session.scalar(
            select(checkin_lists.c.event_id).where(checkin_lists.c.id == list_id)
        )
        if event_id is None:
            raise UnknownCheckinListError(list_ids=[list_id])
        the_list = (await event_lists(session, event_id, [list_id]))[0]
        names = await _product_names(session, the_list)
        counts = await _counts(session, the_list)
    per_product = tuple(
        ProductCheckinCount(product_id, name, *counts.get(product_id, (0, 0, 0)))
        for product_id, name in names.items()
    )
    return CheckinListStatus(
        list_id=list_id,
        position_count=sum(item.position_count for item in per_product),
        checkin_count=sum(item.checkin_count for item in per_product),
        inside_count=sum(item.inside_count for item in per_product),
        products=per_product,
    )


def _on_list(the_list: CheckinList, product_id: ColumnElement[str]) -> ColumnElement[bool]:
    if the_list.all_products:
        return true()
    return product_id.in_(sorted(the_list.limit_products))


async def _product_names(session: AsyncSession, the_list: CheckinList) -> dict[str, str]:
    found = await session.execute(
        select(products.c.id, products.c.name)
        .where(products.c.event_id == the_list.event_id, _on_list(the_list, products.c.id))
        .order_by(products.c.sort_key, products.c.name, products.c.id)
    )
    return {product_id: name for product_id, name in found.all()}


async def _counts(session: AsyncSession, the_list: CheckinList) -> dict[str, tuple[int, int, int]]:
    scans = (
        select(
            checkins.c.position_id,
            func.count(case((checkins.c.type == "entry", 1))).label("entries"),
            func.count(case((checkins.c.type == "exit", 1))).label("exits"),
        )
        .where(checkins.c.list_id == the_list.id)
        .group_by(checkins.c.position_id)
        .subquery()
    )
    # A pending order counts where the list includes pending orders, or when valid if pending.
    pending_valid = true() if the_list.include_pending else orders.c.valid_if_pending.is_(True)
    found = await session.execute(
        select(
            order_positions.c.product_id,
            func.count(order_positions.c.id),
            func.count(case((scans.c.entries > 0, 1))),
            func.count(case((scans.c.entries > scans.c.exits, 1))),
        )
        .select_from(order_positions)
        .join(orders, orders.c.id == order_positions.c.order_id)
        .outerjoin(scans, scans.c.position_id == order_positions.c.id)
        .where(
            orders.c.event_id == the_list.event_id,
            order_positions.c.canceled.is_(False),
            or_(
                orders.c.status == OrderStatus.PAID,
                and_(orders.c.status == OrderStatus.PENDING, pending_valid),
            ),
            _on_list(the_list, order_positions.c.product_id),
        )
        .group_by(order_positions.c.product_id)
    )
    return {
        product_id: (total, entered, inside) for product_id, total, entered, inside in found.all()
    }

"""``…/events/{event}/vouchers/``: reading vouchers. Creating and changing them goes through the
inventory that owns the quotas, never through direct writes here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, and_, not_, or_, select

from catalog.tickets.permissions import Permission
from catalog.tickets.tables import vouchers
from web.api.call import ApiCall
from web.api.fields import Money, Timestamp
from web.api.listing import event_row, fetch_page
from web.api.pages import Page
from web.api.registry import api

TAG = "vouchers"
VOUCHERS = "/organizers/{organizer}/events/{event}/vouchers/"
VOUCHER = VOUCHERS + "{voucher}/"


class Voucher(BaseModel):
    id: str
    code: str
    max_usages: int
    redeemed: int
    valid_until: Timestamp | None
    price_mode: str = Field(examples=["none", "set", "subtract", "percent"])
    value: Money | None
    block_quota: bool
    allow_ignore_quota: bool
    product: str | None
    variation: str | None
    quota: str | None
    created_at: Timestamp


class VoucherFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str | None = Field(None, description="exactly this code")
    product: str | None = Field(None, description="vouchers for this product")
    variation: str | None = Field(None, description="vouchers for this variation")
    quota: str | None = Field(None, description="vouchers for this quota")
    block_quota: bool | None = Field(None, description="only quota-blocking (or other) vouchers")
    active: bool | None = Field(
        None, description="only vouchers that can still be redeemed (not used up, not expired)"
    )


def _voucher(row: Row[Any]) -> Voucher:
    return Voucher(
        id=row.id,
        code=row.code,
        max_usages=row.max_usages,
        redeemed=row.redeemed,
        valid_until=row.valid_until,
        price_mode=row.price_mode,
        value=row.value,
        block_quota=row.block_quota,
        allow_ignore_quota=row.allow_ignore_quota,
        product=row.product_id,
        variation=row.variation_id,
        quota=row.quota_id,
        created_at=row.created_at,
    )


@api.operation(
    "GET", VOUCHERS, summary="List vouchers", tag=TAG, response=Voucher, query=VoucherFilters,
    permission=Permission.VOUCHERS_VIEW, paginated=True,
)  # fmt: skip
async def list_vouchers(call: ApiCall) -> Page:
    filters = call.query_as(VoucherFilters)
    statement = select(vouchers).where(vouchers.c.event_id == call.event.id)
    for column, wanted in (
        (vouchers.c.code, filters.code),
        (vouchers.c.product_id, filters.product),
        (vouchers.c.variation_id, filters.variation),
        (vouchers.c.quota_id, filters.quota),
    ):
        if wanted is not None:
            statement = statement.where(column == wanted)
    if filters.block_quota is not None:
        statement = statement.where(vouchers.c.block_quota.is_(filters.block_quota))
    if filters.active is not None:
        usable = and_(
            vouchers.c.redeemed < vouchers.c.max_usages,
            or_(vouchers.c.valid_until.is_(None), vouchers.c.valid_until >= call.now),
        )
        statement = statement.where(usable if filters.active else not_(usable))
    statement = statement.order_by(vouchers.c.code, vouchers.c.id)
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, [_voucher(row) for row in rows])


@api.operation(
    "GET", VOUCHER, summary="Show a voucher", tag=TAG, response=Voucher,
    permission=Permission.VOUCHERS_VIEW,
)  # fmt: skip
async def get_voucher(call: ApiCall) -> Voucher:
    row = await event_row(
        call.session, vouchers, call.path_param("voucher"), call.event.id, "voucher"
    )
    return _voucher(row)

"""``…/events/{event}/orders/``: reading orders (with tickets, join links, payments and refunds)
and placing one. Capacity is decided by the event's inventory, never written here; the order's
later life (paid, canceled, refunds) is in ``order_actions``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, exists, func, or_, select

from catalog.tickets import (
    OrderDraft,
    Permission,
    Summary,
    UnknownTicketObjectError,
    entitlements_of,
    order_summaries,
    product_facts,
)
from catalog.tickets.tables import order_positions, orders, payments, products, refunds, variations
from core.errors import InvalidPayloadError
from web.api.call import ApiCall
from web.api.fields import Money, Timestamp
from web.api.idempotency import HEADER
from web.api.listing import fetch_page
from web.api.pages import Page
from web.api.registry import api
from web.services import Services

TAG = "orders"
ORDERS = "/organizers/{organizer}/events/{event}/orders/"
ORDER = ORDERS + "{code}/"
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Text200 = Annotated[str, Field(max_length=200)]


class OrderPosition(BaseModel):
    id: str
    positionid: int
    product: str
    variation: str | None
    price: Money
    attendee_name: str | None
    attendee_email: str | None
    secret: str
    pseudonymization_id: str | None
    addon_to: str | None
    voucher: str | None
    canceled: bool
    join_url: str | None = Field(description="the live event's join link, for a valid ticket")


class Payment(BaseModel):
    id: str
    local_id: int
    provider: str
    state: str = Field(examples=["created", "pending", "confirmed", "failed", "refunded"])
    amount: Money
    created_at: Timestamp
    payment_date: Timestamp | None


class Refund(BaseModel):
    id: str
    local_id: int
    payment: str | None
    provider: str
    state: str = Field(examples=["created", "transit", "done", "failed", "canceled"])
    source: str
    amount: Money
    comment: str
    created_at: Timestamp
    execution_date: Timestamp | None


class Order(BaseModel):
    code: str
    status: str = Field(examples=["pending", "paid", "expired", "canceled"])
    secret: str
    email: str | None
    total: Money
    currency: str
    created_at: Timestamp
    expires_at: Timestamp
    paid_at: Timestamp | None
    payment_provider: str | None
    valid_if_pending: bool
    url: str = Field(description="the buyer's order page")
    positions: list[OrderPosition]
    payments: list[Payment]
    refunds: list[Refund]


class PositionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product: str
    variation: str | None = None
    voucher: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    attendee_name: Text200 | None = None
    attendee_email: Email | None = None
    addon_to: int | None = Field(
        None, ge=0, description="index (in ``positions``) of the position this is an add-on to"
    )


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    positions: Annotated[list[PositionCreate], Field(min_length=1, max_length=100)]
    email: Email | None = None
    payment_provider: str | None = None
    valid_if_pending: bool = False


class OrderFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: str | None = Field(None, description="pending, paid, expired or canceled")
    code: str | None = Field(None, description="exactly this code")
    email: str | None = Field(None, description="exactly this email (case-insensitive)")
    product: str | None = Field(None, description="orders with a ticket of this product")
    modified_since: Timestamp | None = Field(None, description="changed at or after this time")
    search: str | None = Field(
        None, description="part of the code, the email or an attendee's name or email"
    )


@api.operation(
    "GET", ORDERS, summary="List orders", tag=TAG, response=Order, query=OrderFilters,
    permission=Permission.ORDERS_VIEW, paginated=True,
)  # fmt: skip
async def list_orders(call: ApiCall) -> Page:
    filters = call.query_as(OrderFilters)
    statement = select(orders.c.id).where(orders.c.event_id == call.event.id)
    if filters.status is not None:
        statement = statement.where(orders.c.status == filters.status)
    if filters.code is not None:
        statement = statement.where(orders.c.code == filters.code)
    if filters.email is not None:
        statement = statement.where(func.lower(orders.c.email) == filters.email.lower())
    if filters.modified_since is not None:
        statement = statement.where(orders.c.modified_at >= filters.modified_since)
    if filters.product is not None:
        statement = statement.where(
            exists().where(
                order_positions.c.order_id == orders.c.id,
                order_positions.c.product_id == filters.product,
            )
        )
    if filters.search:
        pattern = f"%{_literal(filters.search)}%"
        attendees = exists().where(
            order_positions.c.order_id == orders.c.id,
            or_(
                order_positions.c.attendee_name.ilike(pattern, escape="\\"),
                order_positions.c.attendee_email.ilike(pattern, escape="\\"),
            ),
        )
        statement = statement.where(
            or_(
                orders.c.code.ilike(pattern, escape="\\"),
                orders.c.email.ilike(pattern, escape="\\"),
                attendees,
            )
        )
    statement = statement.order_by(orders.c.created_at.desc(), orders.c.id)
    count, rows = await fetch_page(call.session, statement, call.page)
    ids = [row.id for row in rows]
    by_id = {o["id"]: o for o in await order_summaries(call.session, ids)}
    return Page(count, await render_orders(call, [by_id[i] for i in ids if i in by_id]))


@api.operation(
    "GET", ORDER, summary="Show an order", tag=TAG, response=Order,
    permission=Permission.ORDERS_VIEW,
)  # fmt: skip
async def get_order(call: ApiCall) -> Order:
    return (await render_orders(call, [await find_order(call)]))[0]


@api.operation(
    "POST", ORDERS, summary="Place an order", tag=TAG, response=Order, body=OrderCreate,
    permission=Permission.ORDERS_CHANGE, status=201,
)  # fmt: skip
async def create_order(call: ApiCall) -> Order:
    """Sold out is ``409 tickets.sold_out``; an ``Idempotency-Key`` also keys the order itself,
    so a retry finds the order even when the API's own record of the key was lost."""
    body = call.body_as(OrderCreate)
    services: Services = call.request.app.state.services
    await _check_lines(call, body.positions)
    if (
        body.payment_provider is not None
        and body.payment_provider not in services.tickets.providers
    ):
        offered = ", ".join(sorted(services.tickets.providers))
        message = f"unknown payment provider; offered: {offered}"
        raise InvalidPayloadError(
            errors=[{"field": "payment_provider", "message": message, "in": "body"}]
        )
    draft = OrderDraft(
        email=body.email,
        request_key=_request_key(call),
        payment_provider=body.payment_provider,
        valid_if_pending=body.valid_if_pending,
    )
    lines = [position.model_dump() for position in body.positions]
    placed = await services.tickets.inventory.place(call.event.id, lines, draft)
    fresh = await order_summaries(call.session, [placed["id"]])
    return (await render_orders(call, fresh or [placed]))[0]


async def find_order(call: ApiCall) -> Summary:
    """The order ``{code}`` of the path, read in the call's session.

    Raises:
        UnknownTicketObjectError: no such order in the event.
    """
    code = call.path_param("code")
    found = await call.session.execute(
        select(orders.c.id).where(orders.c.event_id == call.event.id, orders.c.code == code)
    )
    order_id = found.scalar_one_or_none()
    if order_id is None:
        msg = "No such order in this event"
        raise UnknownTicketObjectError(msg, order=code)
    return (await order_summaries(call.session, [order_id]))[0]


async def render_orders(call: ApiCall, summaries: Sequence[Summary]) -> list[Order]:
    """API orders for ``summaries``, with payments, refunds and each valid ticket's join link."""
    order_ids = [o["id"] for o in summaries]
    product_ids = sorted({p["product"] for o in summaries for p in o["positions"]})
    facts = await product_facts(call.session, product_ids)
    paid_with = await _rows_by_order(call, payments, payments.c.order_id.in_(order_ids))
    refunded = await _rows_by_order(call, refunds, refunds.c.order_id.in_(order_ids))
    return [
        _order(call, o, facts, paid_with.get(o["id"], []), refunded.get(o["id"], []))
        for o in summaries
    ]


def payment_of(row: Row[Any]) -> Payment:
    return Payment(
        id=row.id,
        local_id=row.local_id,
        provider=row.provider,
        state=row.state,
        amount=row.amount,
        created_at=row.created_at,
        payment_date=row.payment_date,
    )


def refund_of(row: Row[Any]) -> Refund:
    return Refund(
        id=row.id,
        local_id=row.local_id,
        payment=row.payment_id,
        provider=row.provider,
        state=row.state,
        source=row.source,
        amount=row.amount,
        comment=row.comment,
        created_at=row.created_at,
        execution_date=row.execution_date,
    )


def _order(
    call: ApiCall,
    order: Summary,
    facts: dict[str, dict[str, Any]],
    payment_rows: list[Row[Any]],
    refund_rows: list[Row[Any]],
) -> Order:
    services: Services = call.request.app.state.services
    links = services.tickets.links
    granted = {e.uid: e for e in entitlements_of(order, facts)}
    positions = []
    for p in order["positions"]:
        entitlement = granted.get(p["pseudonym"]) if p["pseudonym"] else None
        positions.append(
            OrderPosition(
                id=p["id"],
                positionid=p["position"],
                product=p["product"],
                variation=p["variation"],
                price=p["price"],
                attendee_name=p["attendee_name"],
                attendee_email=p["attendee_email"],
                secret=p["secret"],
                pseudonymization_id=p["pseudonym"],
                addon_to=p["addon_to"],
                voucher=p["voucher"],
                canceled=p["canceled"],
                join_url=None if entitlement is None else links.join_url(order, entitlement),
            )
        )
    return Order(
        code=order["code"],
        status=order["status"],
        secret=order["secret"],
        email=order["email"],
        total=order["total"],
        currency=order["currency"],
        created_at=order["created_at"],
        expires_at=order["expires_at"],
        paid_at=order["paid_at"],
        payment_provider=order["payment_provider"],
        valid_if_pending=order["valid_if_pending"],
        url=links.order_url(order),
        positions=positions,
        payments=[payment_of(row) for row in payment_rows],
        refunds=[refund_of(row) for row in refund_rows],
    )


async def _rows_by_order(call: ApiCall, table: Any, where: Any) -> dict[str, list[Row[Any]]]:
    found: dict[str, list[Row[Any]]] = {}
    for row in await call.session.execute(select(table).where(where).order_by(table.c.local_id)):
        found.setdefault(row.order_id, []).append(row)
    return found


async def _check_lines(call: ApiCall, positions: list[PositionCreate]) -> None:
    """Raises:
    InvalidPayloadError: a product or variation is not of this event, or an ``addon_to`` does
        not point at another position.
    """
    product_ids = {p.product for p in positions}
    known_products = set(
        (
            await call.session.execute(
                select(products.c.id).where(
                    products.c.id.in_(product_ids), products.c.event_id == call.event.id
                )
            )
        ).scalars()
    )
    variation_of = {
        row.id: row.product_id
        for row in await call.session.execute(
            select(variations.c.id, variations.c.product_id).where(
                variations.c.id.in_({p.variation for p in positions if p.variation})
            )
        )
    }
    errors = []
    for index, p in enumerate(positions):
        if p.product not in known_products:
            errors.append(_error(f"positions.{index}.product", "not a product of this event"))
        elif p.variation is not None and variation_of.get(p.variation) != p.product:
            errors.append(_error(f"positions.{index}.variation", "not a variation of the product"))
        if p.addon_to is not None and not (
            0 <= p.addon_to < len(positions) and p.addon_to != index
        ):
            errors.append(_error(f"positions.{index}.addon_to", "not another position's index"))
    if errors:
        raise InvalidPayloadError(errors=errors)


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message, "in": "body"}


def _request_key(call: ApiCall) -> str | None:
    """The order's own request key: the sender's ``Idempotency-Key``, hashed with the sender
    (keys are per token, as the API's own idempotency records are) into the column's 64 chars."""
    key = call.request.headers.get(HEADER)
    if not key or call.principal is None:
        return None
    return hashlib.sha256(f"{call.principal.id}\0{key}".encode()).hexdigest()


def _literal(text: str) -> str:
    """``text`` for LIKE, its wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

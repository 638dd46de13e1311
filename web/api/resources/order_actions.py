"""``…/orders/{code}/…``: an order's life after it was placed — mark paid, cancel, refund — and
its payments. Every change goes through the ``OrderService`` (its own transactions); this module
only reads through the call's session, so it holds no lock while the service writes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from catalog.tickets import Permission, order_summaries
from catalog.tickets.tables import payments
from web.api.call import ApiCall
from web.api.fields import Money
from web.api.listing import fetch_page
from web.api.pages import Page
from web.api.registry import api
from web.api.resources.orders import (
    ORDER,
    TAG,
    Order,
    Payment,
    Refund,
    find_order,
    payment_of,
    render_orders,
)
from web.services import Services

Comment = Annotated[str, Field(max_length=1000)]


class CancelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    send_refund: bool = Field(True, description="refund confirmed payments")
    comment: Comment = ""


class RefundBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money | None = Field(None, description="default: everything paid (cancels the order)")
    comment: Comment = ""


class RefundResult(BaseModel):
    order: Order
    refunds: list[Refund] = Field(description="every refund of the order, oldest first")


@api.operation(
    "POST", ORDER + "mark_paid/", summary="Mark an order paid", tag=TAG, response=Order,
    permission=Permission.ORDERS_CHANGE,
)  # fmt: skip
async def mark_paid(call: ApiCall) -> Order:
    """``tickets.order_state`` when already paid or canceled; an expired order whose items are
    gone meanwhile is ``tickets.sold_out`` (and the payment recorded is refunded)."""
    order = await find_order(call)
    await _services(call).tickets.orders.confirm_payment(order["id"])
    return await _reloaded(call, order["id"])


@api.operation(
    "POST", ORDER + "mark_canceled/", summary="Cancel an order", tag=TAG, response=Order,
    body=CancelBody, permission=Permission.ORDERS_CHANGE,
)  # fmt: skip
async def mark_canceled(call: ApiCall) -> Order:
    body = call.body_as(CancelBody)
    order = await find_order(call)
    await _services(call).tickets.orders.cancel(
        order["id"], refund=body.send_refund, comment=body.comment
    )
    return await _reloaded(call, order["id"])


@api.operation(
    "POST", ORDER + "refunds/", summary="Refund a paid order", tag=TAG, response=RefundResult,
    body=RefundBody, permission=Permission.ORDERS_CHANGE, status=201,
)  # fmt: skip
async def create_refund(call: ApiCall) -> RefundResult:
    """A refund of everything paid cancels the order and its tickets; ``tickets.order_state``
    unless the order is paid."""
    body = call.body_as(RefundBody)
    order = await find_order(call)
    await _services(call).tickets.orders.refund(
        order["id"],
        amount=None if body.amount is None else f"{body.amount:.2f}",
        comment=body.comment,
    )
    shown = await _reloaded(call, order["id"])
    return RefundResult(order=shown, refunds=shown.refunds)


@api.operation(
    "GET", ORDER + "payments/", summary="List an order's payments", tag=TAG, response=Payment,
    permission=Permission.ORDERS_VIEW, paginated=True,
)  # fmt: skip
async def list_payments(call: ApiCall) -> Page:
    order = await find_order(call)
    statement = (
        select(payments).where(payments.c.order_id == order["id"]).order_by(payments.c.local_id)
    )
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, [payment_of(row) for row in rows])


def _services(call: ApiCall) -> Services:
    services: Services = call.request.app.state.services
    return services


async def _reloaded(call: ApiCall, order_id: str) -> Order:
    return (await render_orders(call, await order_summaries(call.session, [order_id])))[0]

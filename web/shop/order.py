"""The order page (status, payments, paying, tickets and live join links) and each ticket's page
with its QR code. Both need the order's secret from the link; a wrong one is a 404."""

from __future__ import annotations

import hmac
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from catalog.tickets import OrderStatus, Summary
from catalog.tickets.errors import (
    OrderStateError,
    PaymentFailedError,
    SoldOutError,
    UnknownTicketObjectError,
)
from core.errors import EventyayError
from web.shop.order_view import OrderView, load_order_view, payment_rows
from web.shop.shop_event import ShopEvent, services_of, shop_event
from web.shop.shop_page import checked_form, not_found, see_other, shop_page
from web.shop.ticket_qr import qr_svg
from web.ticket_links import order_path

_MAX_CODE_CHARS = 16
PAYABLE = (OrderStatus.PENDING, OrderStatus.EXPIRED)
NOTICES = {
    "failed": "The payment did not go through and nothing was charged. You can try again.",
    "sold_out": "Sorry: the tickets sold out before the payment arrived; it has been refunded.",
    "closed": "This order cannot be paid any more.",
    "busy": "The shop is very busy right now. Please try again in a moment.",
}


async def order_page(request: Request) -> Response:
    found = await _event_and_order(request)
    if found is None:
        return not_found("This order")
    event, order = found
    view = await _view(request, order)
    tickets = services_of(request).tickets
    payments = await tickets.orders.payments_of(order["id"])
    names = {key: provider.name for key, provider in tickets.providers.items()}
    chosen = tickets.providers.get(order["payment_provider"] or "")
    context: dict[str, Any] = {
        "view": view,
        "order": order,
        "payments": payment_rows(payments, names),
        "payable": order["status"] in PAYABLE and order["total"] != "0.00",
        "chosen": chosen,
        "instructions": chosen.instructions(order) if chosen and not chosen.online else None,
        "online": [p for p in tickets.providers.values() if p.online],
        "notice": NOTICES.get(request.query_params.get("payment", "")),
    }
    return await shop_page(request, event, "order.html", context)


async def pay(request: Request) -> Response:
    found = await _event_and_order(request)
    if found is None:
        return not_found("This order")
    event, order = found
    form = await checked_form(request, event)
    if isinstance(form, Response):
        return form
    tickets = services_of(request).tickets
    provider = tickets.providers.get(str(form.get("provider") or ""))
    path = order_path(order["event"], order["code"], order["secret"])
    if provider is None or not provider.online:
        return see_other(path)
    outcome = "fail" if form.get("outcome") == "fail" else "succeed"
    try:
        await tickets.orders.pay(order["id"], provider.identifier, {"outcome": outcome})
    except PaymentFailedError:
        return see_other(f"{path}?payment=failed")
    except SoldOutError:
        return see_other(f"{path}?payment=sold_out")
    except OrderStateError as error:
        # A second click after the first one paid lands on the paid order without a notice.
        paid = error.details.get("status") == OrderStatus.PAID
        return see_other(path if paid else f"{path}?payment=closed")
    except EventyayError:
        return see_other(f"{path}?payment=busy")
    return see_other(path)


async def ticket_page(request: Request) -> Response:
    found = await _event_and_order(request)
    if found is None:
        return not_found("This ticket")
    event, order = found
    view = await _view(request, order)
    ticket = view.ticket(str(request.path_params["position"]))
    if ticket is None:
        return not_found("This ticket")
    qr = None
    if view.grants_access:
        qr = qr_svg(ticket.secret, f"Ticket QR code for {ticket.attendee or ticket.name}")
    context = {"view": view, "order": order, "ticket": ticket, "qr": qr}
    return await shop_page(request, event, "ticket.html", context)


async def _event_and_order(request: Request) -> tuple[ShopEvent, Summary] | None:
    """The event and order the path names, if the path's secret is the order's."""
    event = await shop_event(request)
    code = str(request.path_params["code"])
    if event is None or not 0 < len(code) <= _MAX_CODE_CHARS:
        return None
    try:
        order = await services_of(request).tickets.orders.find(event.id, code)
    except UnknownTicketObjectError:
        return None
    secret = str(request.path_params["secret"])
    if not order["secret"] or not hmac.compare_digest(secret.encode(), order["secret"].encode()):
        return None
    return event, order


async def _view(request: Request, order: Summary) -> OrderView:
    services = services_of(request)
    async with services.database.transaction() as session:
        return await load_order_view(session, order, services.tickets.links)

"""The cart page: what this browser holds, removing positions, and checking out into an order
(one order per checkout form, however often it is sent)."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from catalog.tickets import OrderDraft
from core.errors import EventyayError
from web.shop.buyer_messages import buyer_message
from web.shop.cart_cookie import cart_id_of
from web.shop.cart_view import CartView, load_cart
from web.shop.shop_event import ShopEvent, services_of, shop_event
from web.shop.shop_page import checked_form, not_found, see_other, shop_page
from web.ticket_links import order_path

logger = logging.getLogger(__name__)

MAX_EMAIL_CHARS = 254
MAX_NAME_CHARS = 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NONCE = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class Checkout:
    """A checkout form that passed its checks."""

    email: str
    provider: str
    request_key: str
    names: dict[str, str]  # cart position id → attendee name


async def cart_page(request: Request) -> Response:
    event = await shop_event(request)
    if event is None:
        return not_found("This shop")
    return await _render(request, event)


async def remove_from_cart(request: Request) -> Response:
    event = await shop_event(request)
    if event is None:
        return not_found("This shop")
    form = await checked_form(request, event)
    if isinstance(form, Response):
        return form
    cart_id, position = cart_id_of(request), str(form.get("position") or "")
    if cart_id is not None and position:
        try:
            await services_of(request).tickets.inventory.release(event.id, cart_id, [position])
        except EventyayError as error:
            cart = await _cart(request, event)
            return await _render(request, event, message=buyer_message(error, cart.name_of))
    return see_other(f"{event.path}cart/")


async def checkout(request: Request) -> Response:
    event = await shop_event(request)
    if event is None:
        return not_found("This shop")
    form = await checked_form(request, event)
    if isinstance(form, Response):
        return form
    cart_id = cart_id_of(request)
    if cart_id is None:
        message = "Your cart is empty or has expired. Please add tickets again."
        return await _render(request, event, form, message=message, status_code=404)
    cart = await _cart(request, event)
    checked = _check(request, form, cart, cart_id)
    if isinstance(checked, list):
        return await _render(request, event, form, problems=checked, status_code=422)
    attendees = tuple({"name": checked.names.get(line.id), "email": None} for line in cart.lines)
    draft = OrderDraft(checked.email, checked.request_key, checked.provider, attendees=attendees)
    tickets = services_of(request).tickets
    try:
        order = await tickets.inventory.checkout(event.id, cart_id, draft)
    except EventyayError as error:
        message = buyer_message(error, cart.name_of)
        return await _render(request, event, form, message=message, status_code=error.status)
    if not order.get("replayed"):
        await _start_offline_payment(request, order)
    return see_other(order_path(order["event"], order["code"], order["secret"]))


def _check(request: Request, form: FormData, cart: CartView, cart_id: str) -> Checkout | list[str]:
    """The checkout, or what the buyer must correct."""
    problems = []
    email = str(form.get("email") or "").strip()
    if len(email) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(email):
        problems.append("Please enter a valid email address.")
    provider = str(form.get("provider") or "")
    if provider not in services_of(request).tickets.providers:
        problems.append("Please choose a payment method.")
    names = {}
    for number, line in enumerate(cart.attendee_lines, start=1):
        name = str(form.get(f"attendee:{line.id}") or "").strip()
        if not 0 < len(name) <= MAX_NAME_CHARS:
            problems.append(f"Please enter the name of attendee {number} ({line.name}).")
        names[line.id] = name
    nonce = str(form.get("request_nonce") or "")
    if not _NONCE.fullmatch(nonce):
        problems.append("The form is incomplete; please reload the cart and try again.")
    if problems:
        return problems
    # The key includes the cart, so a replay can only ever find this browser's own order.
    return Checkout(email, provider, f"shop-{cart_id}-{nonce}", names)


async def _start_offline_payment(request: Request, order: dict[str, object]) -> None:
    """An offline provider (bank transfer) gets its pending payment, with the reference."""
    tickets = services_of(request).tickets
    provider = tickets.providers.get(str(order.get("payment_provider") or ""))
    if provider is None or provider.online or order["status"] != "pending":
        return
    try:
        await tickets.orders.pay(str(order["id"]), provider.identifier, {})
    except EventyayError:
        # The order stands; its page still shows the provider's instructions.
        logger.warning("starting the %s payment of %s failed", provider.identifier, order["code"])


async def _cart(request: Request, event: ShopEvent) -> CartView:
    async with services_of(request).database.transaction() as session:
        return await load_cart(session, event.id, cart_id_of(request))


async def _render(
    request: Request,
    event: ShopEvent,
    form: FormData | None = None,
    *,
    message: str | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    cart = await _cart(request, event)
    providers = services_of(request).tickets.providers
    filled = {} if form is None else {k: str(v) for k, v in form.items() if isinstance(v, str)}
    context = {
        "cart": cart,
        "providers": list(providers.values()),
        "filled": filled,
        "request_nonce": filled.get("request_nonce") or secrets.token_hex(8),
        "message": message,
        "problems": problems or [],
    }
    return await shop_page(request, event, "cart.html", context, status_code=status_code)

"""The shop front ``/shop/<organizer>/<event>/``: products with live availability, and adding
the chosen tickets (with their add-ons and a voucher) to this browser's cart."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from core.errors import EventyayError
from web.shop.buyer_messages import NameOf, buyer_message
from web.shop.cart_cookie import cart_id_of, new_cart_id, set_cart_cookie
from web.shop.shop_event import ShopEvent, services_of, shop_event
from web.shop.shop_page import checked_form, not_found, see_other, shop_page
from web.shop.storefront import (
    MAX_PER_ITEM,
    Storefront,
    load_storefront,
    parse_item_key,
)

MAX_VOUCHER_CHARS = 100


class FormProblem(Exception):
    """A form the shop cannot turn into cart lines; the message is for the buyer."""


async def front_page(request: Request) -> Response:
    event = await shop_event(request)
    if event is None:
        return not_found("This shop")
    return await _render(request, event)


async def add_to_cart(request: Request) -> Response:
    event = await shop_event(request)
    if event is None:
        return not_found("This shop")
    form = await checked_form(request, event)
    if isinstance(form, Response):
        return form
    storefront = await _storefront(request, event)
    if storefront is None:
        return not_found("This shop")
    try:
        lines = cart_lines(storefront, form)
    except FormProblem as problem:
        return await _render(request, event, storefront, form, str(problem), 422)
    cart_id = cart_id_of(request) or new_cart_id()
    try:
        await services_of(request).tickets.inventory.reserve(event.id, cart_id, lines)
    except EventyayError as error:
        message = buyer_message(error, _namer(storefront))
        return await _render(request, event, None, form, message, error.status)
    response = see_other(f"{event.path}cart/")
    set_cart_cookie(response, request, cart_id, event.path)
    return response


def cart_lines(storefront: Storefront, form: FormData) -> list[dict[str, Any]]:
    """The inventory's lines for the chosen quantities: each ticket, then its add-ons.

    Raises:
        FormProblem: a quantity is not a number in range, or nothing was chosen.
    """
    voucher = str(form.get("voucher") or "").strip()[:MAX_VOUCHER_CHARS] or None
    lines: list[dict[str, Any]] = []
    for product in (p for category in storefront.categories for p in category.products):
        addons = [
            _chosen_addon(form, choice.field, {i.key for i in choice.items})
            for choice in product.addons
        ]
        for item in product.items:
            product_id, variation_id = parse_item_key(item.key)
            for _ in range(_quantity(form, item.key, item.name)):
                base = len(lines)
                lines.append({"product": product_id, "variation": variation_id, "voucher": voucher})
                lines += [
                    {"product": a[0], "variation": a[1], "addon_to": base}
                    for a in addons
                    if a is not None
                ]
    if not lines:
        msg = "Please choose at least one ticket."
        raise FormProblem(msg)
    return lines


def _quantity(form: FormData, key: str, name: str) -> int:
    # Availability is the inventory's to decide; the page's numbers may already be stale.
    raw = str(form.get(f"qty:{key}") or "0").strip() or "0"
    if not raw.isdigit() or int(raw) > MAX_PER_ITEM:
        msg = f"Please choose between 0 and {MAX_PER_ITEM} of {name}."
        raise FormProblem(msg)
    return int(raw)


def _chosen_addon(form: FormData, field: str, offered: set[str]) -> tuple[str, str | None] | None:
    chosen = str(form.get(field) or "")
    if chosen not in offered:
        return None
    return parse_item_key(chosen)


async def _storefront(request: Request, event: ShopEvent) -> Storefront | None:
    async with services_of(request).database.transaction() as session:
        return await load_storefront(session, event.id)


def _namer(storefront: Storefront) -> NameOf:
    def name_of(product_id: str, variation_id: str | None) -> str:
        offer = storefront.offers.get(product_id, variation_id)
        return offer.name if offer is not None else "a product"

    return name_of


async def _render(
    request: Request,
    event: ShopEvent,
    storefront: Storefront | None = None,
    form: FormData | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    # After a refused request the availability has changed: read it again.
    storefront = storefront or await _storefront(request, event)
    if storefront is None:
        return not_found("This shop")
    chosen = {} if form is None else {k: str(v) for k, v in form.items() if isinstance(v, str)}
    has_cart = cart_id_of(request) is not None
    return await shop_page(
        request,
        event,
        "front.html",
        {"storefront": storefront, "chosen": chosen, "message": message, "has_cart": has_cart},
        status_code=status_code,
    )

"""What a buyer reads when the ticket services refuse a request: one sentence per error code,
naming the products involved. Never shows internal ids or codes alone."""

from __future__ import annotations

from collections.abc import Callable

from core.errors import EventyayError

NameOf = Callable[[str, str | None], str]

_VOUCHER_REASONS = {
    "unknown": "This voucher code is not valid for this event.",
    "redeemed": "This voucher has been used up.",
    "expired": "This voucher has expired.",
    "product": "This voucher is not valid for the chosen products.",
}

_ADDON_REASONS = {
    "count": "Please choose the required add-ons for each ticket.",
    "not_offered": "That add-on is not offered with this ticket.",
    "base": "An add-on must be bought together with a ticket.",
}


def buyer_message(error: EventyayError, name_of: NameOf) -> str:
    """The sentence shown on the page for ``error``."""
    details = error.details
    if error.code == "tickets.sold_out":
        names = [
            f"{name_of(str(item.get('product')), item.get('variation'))} ({_state(item)})"
            for item in details.get("items", [])
        ]
        listed = "; ".join(names) or "some products"
        return f"Not enough tickets left: {listed}. Please choose fewer or other products."
    if error.code == "tickets.invalid_voucher":
        return _VOUCHER_REASONS.get(str(details.get("reason")), "The voucher cannot be used.")
    if error.code == "tickets.invalid_addons":
        return _ADDON_REASONS.get(str(details.get("reason")), "The add-ons do not fit.")
    if error.code == "tickets.not_found" and details.get("kind") == "cart":
        return "Your cart is empty or has expired. Please add tickets again."
    if error.code == "tickets.not_found":
        return "Some of the chosen products are no longer offered."
    if error.code == "tickets.busy":
        return "The shop is very busy right now. Please send the form again in a moment."
    if error.code == "tickets.payment_failed":
        return "The payment did not go through and nothing was charged. You can try again."
    if error.code == "tickets.order_state":
        return f"This order cannot be paid any more (it is {details.get('status', 'closed')})."
    return error.message


def _state(item: dict[str, object]) -> str:
    if item.get("state") == "reserved":
        return "reserved in other carts, may come back"
    return "sold out"

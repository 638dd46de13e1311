"""Errors of selling tickets that every caller (API, shop, live) may meet; modules with errors of
their own alone (accounts, check-in) declare them beside their code."""

from __future__ import annotations

from core.errors import ProtocolError


class BusyError(ProtocolError):
    """Contention: the sale could not be decided in time; the same request may be sent again.

    ``details.retry_after_s`` says when (the API sets ``Retry-After`` from it).
    """

    code = "tickets.busy"
    status = 409
    default_message = "The shop is busy; retry the same request shortly"


class SoldOutError(ProtocolError):
    """A product (or its variation) cannot be had: ``details.items`` names each with its state."""

    code = "tickets.sold_out"
    status = 409
    default_message = "Some products are sold out or not for sale"


class UnknownTicketObjectError(ProtocolError):
    """A product, variation, voucher, cart or order named by the request does not exist here."""

    code = "tickets.not_found"
    status = 404
    default_message = "No such object in this event"


class InvalidVoucherError(ProtocolError):
    """The voucher is unknown, used up, expired, or not valid for the product;
    ``details.reason`` says which (``unknown``, ``redeemed``, ``expired``, ``product``)."""

    code = "tickets.invalid_voucher"
    status = 409
    default_message = "The voucher cannot be used"


class InvalidAddonsError(ProtocolError):
    """Add-ons that do not fit their base product: ``details.reason`` is ``base`` (no base line),
    ``not_offered`` (not an add-on of it) or ``count`` (outside ``min``-``max`` of a category)."""

    code = "tickets.invalid_addons"
    status = 422
    default_message = "The add-ons do not fit the products they are added to"


class OrderStateError(ProtocolError):
    """The order is not in a state that allows this change (``details.status`` says its state)."""

    code = "tickets.order_state"
    status = 409
    default_message = "The order does not allow this change in its current state"


class PaymentFailedError(ProtocolError):
    """The payment provider declined or failed; nothing was charged."""

    code = "tickets.payment_failed"
    status = 402
    default_message = "The payment did not go through"

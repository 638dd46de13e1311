"""The vocabularies stored in the tickets tables: order status and voucher price mode."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """pending → paid, expired or canceled; only paid and pending orders hold quota."""

    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELED = "canceled"


class PriceMode(StrEnum):
    """How a voucher changes the price: keep it, set it, subtract from it, or take percent off."""

    NONE = "none"
    SET = "set"
    SUBTRACT = "subtract"
    PERCENT = "percent"

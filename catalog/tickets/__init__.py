"""Tickets catalog (pretix semantics): products, quotas, vouchers, carts and orders.

Never imports ``live``, ``media`` or ``web``.
"""

from catalog.tickets import account_tables, delivery_tables, tables
from catalog.tickets.availability import (
    NOT_FOR_SALE,
    UNLIMITED,
    Availability,
    AvailabilityState,
    QuotaUsage,
    item_availability,
    quota_availability,
)
from catalog.tickets.availability_queries import item_quota_ids, quota_usages
from catalog.tickets.status import OrderStatus, PriceMode

__all__ = [
    "account_tables",
    "delivery_tables",
    "tables",
    "NOT_FOR_SALE",
    "UNLIMITED",
    "Availability",
    "AvailabilityState",
    "OrderStatus",
    "PriceMode",
    "QuotaUsage",
    "item_availability",
    "item_quota_ids",
    "quota_availability",
    "quota_usages",
]

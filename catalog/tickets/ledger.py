"""``Ledger``: what holds each quota of one event, as the inventory actor keeps it in memory
between database reads, and the only place that adds to or takes from those counts. No I/O.

The counts never fall below the truth while one actor owns the event: every change that uses up
capacity goes through the actor and is added here, while changes that free capacity (expiry,
cancellation, carts timing out) leave the ledger high until the next read. A high ledger can
only refuse a sale the database would allow; the actor then reads again before it refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from catalog.tickets.availability import (
    NOT_FOR_SALE,
    Availability,
    QuotaUsage,
    item_availability,
)

Holder = Literal["paid", "pending", "blocking_vouchers", "carts"]


@dataclass(slots=True)
class Ledger:
    """Quota id → its usage; quotas the ledger does not know count as not for sale."""

    usages: dict[str, QuotaUsage]

    @classmethod
    def of(cls, usages: Mapping[str, QuotaUsage]) -> Ledger:
        return cls(dict(usages))

    def copy(self) -> Ledger:
        return Ledger(dict(self.usages))

    def availability(self, quota_ids: Iterable[str]) -> Availability:
        """The worst availability over ``quota_ids`` (none, or one unknown: not for sale)."""
        ids = list(quota_ids)
        if any(quota_id not in self.usages for quota_id in ids):
            return NOT_FOR_SALE
        return item_availability(self.usages[quota_id] for quota_id in ids)

    def add(self, quota_ids: Iterable[str], holder: Holder, count: int = 1) -> None:
        """``count`` more (or fewer, when negative) held by ``holder`` in each quota."""
        for quota_id in quota_ids:
            usage = self.usages.get(quota_id)
            if usage is not None:
                held = max(getattr(usage, holder) + count, 0)
                self.usages[quota_id] = replace(usage, **{holder: held})

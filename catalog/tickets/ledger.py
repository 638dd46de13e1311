"""``Ledger``: what holds each quota of one event, as the inventory actor keeps it in memory
between database reads, and the only place that adds to or takes from those counts. No I/O.

The counts never fall below the truth while one actor owns the event: every change that uses up
capacity goes through the actor and is added here, while changes that free capacity (expiry,
cancellation, carts timing out) leave the ledger high until the next read. A high ledger can
only refuse a sale the database would allow; the actor then reads again before it refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
        usages = [self.usages.get(quota_id) for quota_id in quota_ids]
        if None in usages:
            return NOT_FOR_SALE
        return item_availability(usages)  # type: ignore[arg-type] # no None, checked above

    def add(self, quota_ids: Iterable[str], holder: Holder, count: int = 1) -> None:
        """``count`` more (or fewer, when negative) held by ``holder`` in each quota."""
        for quota_id in quota_ids:
            usage = self.usages.get(quota_id)
            if usage is None:
                continue
            counts = {
                "paid": usage.paid,
                "pending": usage.pending,
                "blocking_vouchers": usage.blocking_vouchers,
                "carts": usage.carts,
            }
            counts[holder] = max(counts[holder] + count, 0)
            self.usages[quota_id] = QuotaUsage(size=usage.size, closed=usage.closed, **counts)

"""Quota availability the way pretix computes it, from plain counts: no I/O, no clock.

Gathering the counts (which orders, carts and vouchers still hold capacity) is
``availability_queries``' job; this module only decides what they leave.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class AvailabilityState(IntEnum):
    """pretix's states, worst first: comparisons are meaningful (``min`` is the worst)."""

    GONE = 0  # sold: paid positions fill the quota (or it is closed, or has size 0)
    ORDERED = 10  # pending orders or quota-blocking vouchers fill what paid ones left
    RESERVED = 20  # unexpired cart positions fill the rest; may come back when carts expire
    OK = 100  # room left


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    """What holds one quota's capacity right now (the caller has already dropped expired
    carts, expired and canceled orders, and invalid or non-blocking vouchers).
    """

    size: int | None  # None: unlimited
    paid: int = 0
    pending: int = 0
    blocking_vouchers: int = 0  # Σ max(max_usages - redeemed, 0) of valid blocking vouchers
    carts: int = 0
    closed: bool = False

    @property
    def used(self) -> int:
        return self.paid + self.pending + self.blocking_vouchers + self.carts


@dataclass(frozen=True, slots=True)
class Availability:
    """The state and how many are left; ``left`` None means unlimited."""

    state: AvailabilityState
    left: int | None

    def allows(self, count: int = 1) -> bool:
        """Whether ``count`` more can be sold now."""
        return self.state is AvailabilityState.OK and (self.left is None or self.left >= count)


UNLIMITED = Availability(AvailabilityState.OK, None)
NOT_FOR_SALE = Availability(AvailabilityState.GONE, 0)


def quota_availability(usage: QuotaUsage) -> Availability:
    """One quota's availability: paid, then pending and blocking vouchers, then carts.

    The state names what exhausted the quota first, as pretix reports it.
    """
    if usage.closed:
        return Availability(AvailabilityState.ORDERED, 0)
    if usage.size is None:
        return UNLIMITED
    left = usage.size
    for taken, state in (
        (usage.paid, AvailabilityState.GONE),
        (usage.pending + usage.blocking_vouchers, AvailabilityState.ORDERED),
        (usage.carts, AvailabilityState.RESERVED),
    ):
        left -= taken
        if left <= 0:
            return Availability(state, 0)
    return Availability(AvailabilityState.OK, left)


def item_availability(quotas: Iterable[QuotaUsage]) -> Availability:
    """A product's or variation's availability over all the quotas it is in.

    An item in no quota is not for sale; otherwise the worst quota wins (lowest state,
    then fewest left), so an item sells only while every one of its quotas has room.
    """
    results = [quota_availability(usage) for usage in quotas]
    if len(results) == 1:  # the common case, on every sale's path
        return results[0]
    if not results:
        return NOT_FOR_SALE
    return min(results, key=_rank)


def _rank(availability: Availability) -> tuple[int, float]:
    left = float("inf") if availability.left is None else availability.left
    return availability.state, left

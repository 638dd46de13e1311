"""Quota and item availability from plain counts, as pretix computes it."""

from __future__ import annotations

import pytest

from catalog.tickets import (
    NOT_FOR_SALE,
    UNLIMITED,
    Availability,
    AvailabilityState,
    QuotaUsage,
    item_availability,
    quota_availability,
)

GONE = AvailabilityState.GONE
ORDERED = AvailabilityState.ORDERED
RESERVED = AvailabilityState.RESERVED
OK = AvailabilityState.OK


def test_empty_quota_has_its_whole_size_left() -> None:
    assert quota_availability(QuotaUsage(size=10)) == Availability(OK, 10)


def test_unlimited_quota_stays_ok_whatever_is_sold() -> None:
    usage = QuotaUsage(size=None, paid=1000, pending=50, blocking_vouchers=7, carts=3)

    assert quota_availability(usage) == UNLIMITED
    assert UNLIMITED.allows(10**6)


def test_quota_of_size_zero_is_gone() -> None:
    assert quota_availability(QuotaUsage(size=0)) == Availability(GONE, 0)


def test_closed_quota_sells_nothing() -> None:
    assert quota_availability(QuotaUsage(size=10, closed=True)) == Availability(ORDERED, 0)
    assert quota_availability(QuotaUsage(size=None, closed=True)) == Availability(ORDERED, 0)


def test_every_kind_of_use_takes_capacity() -> None:
    usage = QuotaUsage(size=10, paid=1, pending=2, blocking_vouchers=3, carts=1)

    assert quota_availability(usage) == Availability(OK, 3)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (QuotaUsage(size=3, paid=2), Availability(OK, 1)),
        (QuotaUsage(size=3, paid=3), Availability(GONE, 0)),
        (QuotaUsage(size=3, paid=4), Availability(GONE, 0)),  # oversold never goes negative
        (QuotaUsage(size=3, paid=2, pending=1), Availability(ORDERED, 0)),
        (QuotaUsage(size=3, paid=1, blocking_vouchers=2), Availability(ORDERED, 0)),
        (QuotaUsage(size=3, pending=1, blocking_vouchers=1, carts=1), Availability(RESERVED, 0)),
        (QuotaUsage(size=3, carts=2), Availability(OK, 1)),
        (QuotaUsage(size=3, carts=3), Availability(RESERVED, 0)),
        (QuotaUsage(size=3, paid=3, pending=5, carts=5), Availability(GONE, 0)),
        (QuotaUsage(size=3, pending=3, carts=5), Availability(ORDERED, 0)),
    ],
)
def test_state_names_what_filled_the_quota_first(usage: QuotaUsage, expected: Availability) -> None:
    assert quota_availability(usage) == expected


def test_blocking_vouchers_hold_capacity_like_pending_orders() -> None:
    assert quota_availability(QuotaUsage(size=5, blocking_vouchers=4)) == Availability(OK, 1)
    assert quota_availability(QuotaUsage(size=5, blocking_vouchers=5)) == Availability(ORDERED, 0)


@pytest.mark.parametrize(("count", "allowed"), [(1, True), (2, True), (3, False)])
def test_allows_a_count_up_to_what_is_left(count: int, allowed: bool) -> None:
    assert quota_availability(QuotaUsage(size=4, paid=2)).allows(count) is allowed


def test_reserved_quota_allows_nothing() -> None:
    assert not quota_availability(QuotaUsage(size=1, carts=1)).allows(1)


def test_item_in_no_quota_is_not_for_sale() -> None:
    assert item_availability([]) == NOT_FOR_SALE
    assert not item_availability([]).allows(1)


def test_item_in_one_quota_has_that_quotas_availability() -> None:
    assert item_availability([QuotaUsage(size=5, paid=1)]) == Availability(OK, 4)


def test_item_in_several_quotas_gets_the_smallest_room() -> None:
    quotas = [QuotaUsage(size=100, paid=10), QuotaUsage(size=5, paid=2), QuotaUsage(size=None)]

    result = item_availability(quotas)

    assert result == Availability(OK, 3)
    assert result.allows(3)
    assert not result.allows(4)


def test_item_is_unavailable_when_any_of_its_quotas_is_full() -> None:
    quotas = [QuotaUsage(size=100), QuotaUsage(size=2, carts=2), QuotaUsage(size=None)]

    assert item_availability(quotas) == Availability(RESERVED, 0)


def test_worst_state_wins_over_item_quotas() -> None:
    quotas = [
        QuotaUsage(size=1, carts=1),
        QuotaUsage(size=1, paid=1),
        QuotaUsage(size=1, pending=1),
    ]

    assert item_availability(quotas) == Availability(GONE, 0)


def test_item_only_in_unlimited_quotas_is_unlimited() -> None:
    assert item_availability([QuotaUsage(size=None), QuotaUsage(size=None)]) == UNLIMITED


def test_states_are_ordered_worst_first() -> None:
    assert GONE < ORDERED < RESERVED < OK

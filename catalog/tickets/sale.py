"""What a sale takes: checks each requested line against the offers, its voucher and the
ledger, prices it, and takes its capacity from the ledger. Pure and all-or-nothing per request;
the inventory actor runs it for every request of a batch in turn.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from catalog.tickets.availability import AvailabilityState
from catalog.tickets.errors import (
    InvalidAddonsError,
    InvalidVoucherError,
    SoldOutError,
    UnknownTicketObjectError,
)
from catalog.tickets.ledger import Holder, Ledger
from catalog.tickets.offers import Offer, Offers
from catalog.tickets.status import PriceMode

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Line:
    """One requested ticket (or add-on): the item, an optional voucher code, attendee data."""

    product_id: str
    variation_id: str | None = None
    voucher: str | None = None
    attendee_name: str | None = None
    attendee_email: str | None = None
    addon_to: int | None = None  # index of the base line in the same request


@dataclass(frozen=True, slots=True)
class VoucherState:
    """A voucher as the sale sees it; ``in_use`` counts unexpired cart positions holding it."""

    id: str
    code: str
    max_usages: int
    redeemed: int
    in_use: int
    valid_until: datetime | None
    block_quota: bool
    allow_ignore_quota: bool
    price_mode: PriceMode
    value: Decimal | None
    product_id: str | None
    variation_id: str | None
    quota_id: str | None


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line the sale accepted: its offer, price and the voucher it used (if any)."""

    line: Line
    offer: Offer
    price: Decimal
    voucher: VoucherState | None


@dataclass(slots=True)
class Sale:
    """One batch's view: the offers, the vouchers named in it, the ledger and the voucher uses
    this batch has added so far."""

    offers: Offers
    vouchers: dict[str, VoucherState]
    ledger: Ledger
    now: datetime
    voucher_uses: Counter[str]

    def take(self, lines: list[Line], holder: Holder) -> list[PricedLine]:
        """Check, price and hold every line, or none of them.

        Raises:
            UnknownTicketObjectError: a line names no item of this event.
            InvalidVoucherError: a voucher is unknown, used up, expired or for another item.
            SoldOutError: ``details.items`` lists the items that could not be had.
        """
        has_addons = any(line.addon_to is not None for line in lines)
        included = check_addons(lines, self.offers) if has_addons else set()
        vouchers = any(line.voucher is not None for line in lines)
        ledger = self.ledger.copy()
        uses = self.voucher_uses.copy() if vouchers else self.voucher_uses
        priced = [self._take_line(line, holder, ledger, uses) for line in lines]
        refused = [p for p in priced if isinstance(p, _Refusal)]
        if refused:
            raise SoldOutError(items=[r.wire() for r in refused])
        self.ledger, self.voucher_uses = ledger, uses
        accepted = [p for p in priced if isinstance(p, PricedLine)]
        if included:
            accepted = [
                replace(p, price=Decimal("0.00")) if index in included else p
                for index, p in enumerate(accepted)
            ]
        return accepted

    def _take_line(
        self, line: Line, holder: Holder, ledger: Ledger, uses: Counter[str]
    ) -> PricedLine | _Refusal:
        offer = self.offers.get(line.product_id, line.variation_id)
        if offer is None:
            raise UnknownTicketObjectError(
                product=line.product_id, variation=line.variation_id, kind="item"
            )
        if not offer.active or not offer.quota_ids:
            return _Refusal(offer, AvailabilityState.GONE)
        voucher = self._voucher(line, offer, uses)
        exempt = _quotas_held_by(voucher, offer)
        checked = [q for q in offer.quota_ids if q not in exempt]
        if not (voucher is not None and voucher.allow_ignore_quota):
            availability = ledger.availability(checked) if checked else None
            if availability is not None and not availability.allows():
                return _Refusal(offer, availability.state)
        if voucher is not None:
            uses[voucher.id] += 1
            if holder != "carts":
                ledger.add(exempt, "blocking_vouchers", -1)
        if holder == "carts":
            ledger.add(checked, holder)
        else:
            ledger.add(offer.quota_ids, holder)
        return PricedLine(line, offer, _price(offer.price, voucher), voucher)

    def _voucher(self, line: Line, offer: Offer, uses: Counter[str]) -> VoucherState | None:
        if line.voucher is None:
            return None
        voucher = self.vouchers.get(line.voucher.strip().upper())
        if voucher is None:
            raise InvalidVoucherError(reason="unknown", voucher=line.voucher)
        if voucher.valid_until is not None and voucher.valid_until < self.now:
            raise InvalidVoucherError(reason="expired", voucher=line.voucher)
        if voucher.redeemed + voucher.in_use + uses[voucher.id] >= voucher.max_usages:
            raise InvalidVoucherError(reason="redeemed", voucher=line.voucher)
        if not _voucher_fits(voucher, offer):
            raise InvalidVoucherError(reason="product", voucher=line.voucher)
        return voucher


@dataclass(frozen=True, slots=True)
class _Refusal:
    offer: Offer
    state: AvailabilityState

    def wire(self) -> dict[str, object]:
        return {
            "product": self.offer.product_id,
            "variation": self.offer.variation_id,
            "state": self.state.name.lower(),
        }


def check_addons(lines: list[Line], offers: Offers) -> set[int]:
    """Check the add-on lines against their base lines' rules; answers the indexes of add-ons
    whose price the base product includes.

    Raises:
        InvalidAddonsError: an add-on without a fitting base line, or a count out of bounds.
    """
    chosen: Counter[tuple[int, str]] = Counter()
    included: set[int] = set()
    for index, line in enumerate(lines):
        if line.addon_to is None:
            continue
        base = lines[line.addon_to] if 0 <= line.addon_to < len(lines) else None
        offer = offers.get(line.product_id, line.variation_id)
        if base is None or base.addon_to is not None or offer is None:
            raise InvalidAddonsError(line=index, reason="base")
        rule = next(
            (
                r
                for r in offers.addons.get(base.product_id, ())
                if r.category_id == offer.category_id
            ),
            None,
        )
        if rule is None:
            raise InvalidAddonsError(line=index, reason="not_offered")
        chosen[(line.addon_to, rule.category_id)] += 1
        if rule.price_included:
            included.add(index)
    for index, line in enumerate(lines):
        if line.addon_to is not None:
            continue
        for rule in offers.addons.get(line.product_id, ()):
            count = chosen[(index, rule.category_id)]
            if not rule.min_count <= count <= rule.max_count:
                raise InvalidAddonsError(
                    line=index,
                    reason="count",
                    category=rule.category_id,
                    min=rule.min_count,
                    max=rule.max_count,
                )
    return included


def _voucher_fits(voucher: VoucherState, offer: Offer) -> bool:
    if voucher.quota_id is not None:
        return voucher.quota_id in offer.quota_ids
    if voucher.product_id is not None:
        return voucher.product_id == offer.product_id and voucher.variation_id in (
            None,
            offer.variation_id,
        )
    return True


def _quotas_held_by(voucher: VoucherState | None, offer: Offer) -> tuple[str, ...]:
    """The quotas whose capacity a blocking voucher already holds for this item."""
    if voucher is None or not voucher.block_quota:
        return ()
    if voucher.quota_id is not None:
        return (voucher.quota_id,)
    return offer.quota_ids


def _price(price: Decimal, voucher: VoucherState | None) -> Decimal:
    if voucher is None or voucher.value is None:
        return price
    value = voucher.value
    match voucher.price_mode:
        case PriceMode.SET:
            price = value
        case PriceMode.SUBTRACT:
            price = price - value
        case PriceMode.PERCENT:
            price = price * (Decimal(100) - value) / Decimal(100)
        case PriceMode.NONE:
            pass
    return max(price, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)

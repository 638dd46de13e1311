"""New vouchers as the inventory actor creates them: a quota-blocking voucher holds capacity
from the moment it exists, so it is created only if its quotas have room for all its uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from catalog.tickets import codes
from catalog.tickets.errors import InvalidVoucherError, SoldOutError, UnknownTicketObjectError
from catalog.tickets.sale import Sale
from catalog.tickets.status import PriceMode
from core.errors import InvalidPayloadError
from core.ids import new_id

VOUCHER_CODE_CHARS = 10


@dataclass(frozen=True, slots=True)
class VoucherDraft:
    """A voucher to create; ``code`` None gets a random one."""

    code: str | None = None
    max_usages: int = 1
    valid_until: datetime | None = None
    price_mode: PriceMode = PriceMode.NONE
    value: Decimal | None = None
    block_quota: bool = False
    allow_ignore_quota: bool = False
    product_id: str | None = None
    variation_id: str | None = None
    quota_id: str | None = None

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> VoucherDraft:
        try:
            value = None if raw.get("value") is None else Decimal(str(raw["value"]))
            until = raw.get("valid_until")
            return cls(
                code=raw.get("code"),
                max_usages=int(raw.get("max_usages", 1)),
                valid_until=None if until is None else datetime.fromisoformat(until),
                price_mode=PriceMode(raw.get("price_mode", PriceMode.NONE)),
                value=value,
                block_quota=bool(raw.get("block_quota", False)),
                allow_ignore_quota=bool(raw.get("allow_ignore_quota", False)),
                product_id=raw.get("product"),
                variation_id=raw.get("variation"),
                quota_id=raw.get("quota"),
            )
        except (ValueError, TypeError, InvalidOperation) as exc:
            msg = f"Invalid voucher: {exc}"
            raise InvalidPayloadError(msg) from None

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "max_usages": self.max_usages,
            "valid_until": None if self.valid_until is None else self.valid_until.isoformat(),
            "price_mode": str(self.price_mode),
            "value": None if self.value is None else str(self.value),
            "block_quota": self.block_quota,
            "allow_ignore_quota": self.allow_ignore_quota,
            "product": self.product_id,
            "variation": self.variation_id,
            "quota": self.quota_id,
        }


def block_vouchers(
    sale: Sale, drafts: list[VoucherDraft], event_id: str, now: datetime, taken: set[str]
) -> list[dict[str, Any]]:
    """Rows for ``drafts``, all or none; blocking ones take their capacity from the ledger.

    Raises:
        InvalidVoucherError: a code already in use (``reason`` ``duplicate``), or a blocking
            voucher without a product or quota (``scope``).
        UnknownTicketObjectError: the product, variation or quota is not of this event.
        SoldOutError: the quotas cannot hold every use of a blocking voucher.
    """
    ledger = sale.ledger.copy()
    rows, seen = [], set(taken)
    for draft in drafts:
        code = draft.code or codes.order_code() + codes.order_code()[:4]
        if code.upper() in seen:
            raise InvalidVoucherError(reason="duplicate", voucher=code)
        seen.add(code.upper())
        quotas = _scope_quotas(sale, draft)
        if draft.block_quota:
            if not quotas:
                raise InvalidVoucherError(reason="scope", voucher=code)
            if not ledger.availability(quotas).allows(draft.max_usages):
                raise SoldOutError(voucher=code, quotas=list(quotas))
            ledger.add(quotas, "blocking_vouchers", draft.max_usages)
        rows.append(
            {
                "id": new_id(),
                "event_id": event_id,
                "code": code,
                "max_usages": draft.max_usages,
                "redeemed": 0,
                "valid_until": draft.valid_until,
                "price_mode": str(draft.price_mode),
                "value": draft.value,
                "block_quota": draft.block_quota,
                "allow_ignore_quota": draft.allow_ignore_quota,
                "product_id": draft.product_id,
                "variation_id": draft.variation_id,
                "quota_id": draft.quota_id,
                "created_at": now,
            }
        )
    sale.ledger = ledger
    return rows


def _scope_quotas(sale: Sale, draft: VoucherDraft) -> tuple[str, ...]:
    offers = sale.offers
    if draft.quota_id is not None:
        if draft.quota_id not in offers.quota_ids:
            raise UnknownTicketObjectError(quota=draft.quota_id, kind="quota")
        return (draft.quota_id,)
    if draft.product_id is None:
        return ()
    matching = [
        offer
        for offer in offers.items.values()
        if offer.product_id == draft.product_id and draft.variation_id in (None, offer.variation_id)
    ]
    if not matching:
        raise UnknownTicketObjectError(
            product=draft.product_id, variation=draft.variation_id, kind="item"
        )
    return tuple(sorted({q for offer in matching for q in offer.quota_ids}))

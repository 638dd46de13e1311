"""One batch of the inventory actor: the requests it stages, and deciding a batch request by
request against one ``Sale`` (the reads a batch needs first, the rows it writes, the replies and
the sale events it causes). No transaction handling: the actor's group commit owns that.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets import sale_writes
from catalog.tickets.errors import SoldOutError, UnknownTicketObjectError
from catalog.tickets.ledger import Ledger
from catalog.tickets.offers import Offers
from catalog.tickets.order_summary import order_summaries
from catalog.tickets.sale import Line, Sale
from catalog.tickets.sale_orders import OrderDraft, PlacedOrder, build_order, fresh_codes
from catalog.tickets.sale_vouchers import VoucherDraft, block_vouchers
from core.errors import EventyayError
from core.ids import new_id

Reply = dict[str, Any]


@dataclass(slots=True)
class SaleRequest:
    kind: str
    args: dict[str, Any]
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    reply: Any = None


@dataclass(slots=True)
class Outcome:
    sale: Sale
    writes: sale_writes.BatchWrites = field(default_factory=sale_writes.BatchWrites)
    results: list[tuple[SaleRequest, Reply | Exception | None]] = field(default_factory=list)
    events: list[tuple[str, Reply]] = field(default_factory=list)
    placed: list[tuple[SaleRequest, PlacedOrder]] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(isinstance(result, SoldOutError) for _, result in self.results)

    def answer_placed(self) -> None:
        """Reply to the requests that placed orders, once the write fixed their codes."""
        if not self.placed:
            return
        replies: dict[int, Reply] = {}
        for request, order in self.placed:
            reply = order.summary()
            self.events.append(("order.paid" if order.paid else "order.placed", reply))
            replies[id(request)] = reply
        self.results = [(r, replies.get(id(r), result)) for r, result in self.results]


class Decider:
    """Decides one batch, request by request, against one ``Sale``."""

    def __init__(self, offers: Offers, session: AsyncSession, now: datetime) -> None:
        self.offers = offers
        self.terms = offers.terms
        self.session = session
        self.now = now
        self.outcome = Outcome(Sale(offers, {}, Ledger({}), now, Counter()))
        self.carts: dict[str, str] = {}
        self.contents: dict[str, list[Reply]] = {}
        self.keys: dict[str, str] = {}
        self.replayed: dict[str, str] = {}
        self.late: dict[str, Reply] = {}
        self.taken_vouchers: set[str] = set()

    async def prepare(self, batch: list[SaleRequest], ledger: Ledger) -> None:
        session, event_id = self.session, self.terms.event_id
        codes = {
            str(line["voucher"]).strip().upper()
            for request in batch
            for line in request.args.get("lines", [])
            if line.get("voucher")
        }
        cart_ids = {r.args["cart_id"] for r in batch if "cart_id" in r.args}
        keys = {
            r.args["draft"]["request_key"]
            for r in batch
            if r.args.get("draft", {}).get("request_key")
        }
        self.carts = await sale_writes.existing_carts(session, cart_ids)
        self.contents = await sale_writes.cart_contents(session, cart_ids)
        codes |= {
            voucher_code
            for positions in self.contents.values()
            for p in positions
            if (voucher_code := p.get("voucher_code"))
        }
        self.keys = await sale_writes.orders_by_key(session, event_id, keys)
        late_ids = [r.args["order_id"] for r in batch if r.kind == "pay_late"]
        self.late = {o["id"]: o for o in await order_summaries(session, late_ids)}
        new_codes = {
            str(raw["code"]).upper()
            for r in batch
            if r.kind == "add_vouchers"
            for raw in r.args["vouchers"]
            if raw.get("code")
        }
        self.taken_vouchers = await sale_writes.taken_voucher_codes(session, event_id, new_codes)
        vouchers = await sale_writes.voucher_states(session, event_id, codes, self.now)
        self.outcome.sale = Sale(self.offers, vouchers, ledger.copy(), self.now, Counter())

    def run(self, request: SaleRequest) -> None:
        handler: Callable[[SaleRequest], Reply | None] = getattr(self, f"_{request.kind}")
        result: Reply | Exception | None
        try:
            result = handler(request)
        except EventyayError as error:
            result = error
        self.outcome.results.append((request, result))  # None: answered after the write

    def finish(self) -> None:
        """Give the orders of this batch fresh codes and queue their rows; a code another order
        of the event already has is replaced when the rows are written."""
        placed = self.outcome.placed
        codes = fresh_codes(len(placed))
        for (_, order), code in zip(placed, codes, strict=True):
            order.set_code(code)
            self.outcome.writes.orders.append(order.row)
            self.outcome.writes.positions.extend(order.position_rows)

    # -- one request each ---------------------------------------------------------------------

    def _reserve(self, request: SaleRequest) -> Reply:
        cart_id = request.args["cart_id"]
        owner = self.carts.get(cart_id)
        if owner is not None and owner != self.terms.event_id:
            raise UnknownTicketObjectError(cart=cart_id, kind="cart")
        lines = [_line(raw) for raw in request.args["lines"]]
        priced = self.outcome.sale.take(lines, "carts")
        expires = self.now + timedelta(minutes=self.terms.reservation_minutes)
        writes = self.outcome.writes
        if owner is None:
            self.carts[cart_id] = self.terms.event_id
            writes.carts.append(
                {"id": cart_id, "event_id": self.terms.event_id, "created_at": self.now}
            )
        rows = [
            {
                "id": new_id(),
                "cart_id": cart_id,
                "product_id": p.offer.product_id,
                "variation_id": p.offer.variation_id,
                "voucher_id": None if p.voucher is None else p.voucher.id,
                "price": p.price,
                "expires_at": expires,
                "addon_to_id": None,
            }
            for p in priced
        ]
        for row, line in zip(rows, lines, strict=True):
            if line.addon_to is not None:
                row["addon_to_id"] = rows[line.addon_to]["id"]
        writes.cart_positions.extend(rows)
        positions = [
            {
                "id": row["id"],
                "product": row["product_id"],
                "variation": row["variation_id"],
                "price": str(row["price"]),
                "addon_to": row["addon_to_id"],
            }
            for row in rows
        ]
        return {"cart_id": cart_id, "expires_at": expires.isoformat(), "positions": positions}

    def _release(self, request: SaleRequest) -> Reply:
        cart_id, wanted = request.args["cart_id"], set(request.args["position_ids"])
        positions = self.contents.get(cart_id, [])
        chosen = [p for p in positions if p["id"] in wanted or p["addon_to_id"] in wanted]
        self._give_back(chosen)
        released = [p["id"] for p in chosen]
        self.outcome.writes.released_cart_positions.extend(released)
        self.contents[cart_id] = [p for p in positions if p["id"] not in set(released)]
        return {"released": released}

    def _checkout(self, request: SaleRequest) -> Reply | None:
        draft = OrderDraft.from_wire(request.args["draft"])
        if (replay := self._replay(request, draft)) is not None:
            return replay
        cart_id = request.args["cart_id"]
        positions = self.contents.get(cart_id, [])
        if self.carts.get(cart_id) != self.terms.event_id or not positions:
            raise UnknownTicketObjectError(cart=cart_id, kind="cart")
        index = {p["id"]: i for i, p in enumerate(positions)}
        lines = [
            Line(
                product_id=p["product_id"],
                variation_id=p["variation_id"],
                voucher=p.get("voucher_code"),
                addon_to=None if p["addon_to_id"] is None else index[p["addon_to_id"]],
                **draft.attendee(i),
            )
            for i, p in enumerate(positions)
        ]
        sale = self.outcome.sale
        before = (sale.ledger.copy(), sale.voucher_uses.copy())
        self._give_back(positions)
        try:
            self._order(request, lines, draft)
        except EventyayError:
            sale.ledger, sale.voucher_uses = before
            raise
        self.outcome.writes.released_cart_positions.extend(p["id"] for p in positions)
        self.contents[cart_id] = []
        return None  # answered once the write fixed the order's code

    def _place(self, request: SaleRequest) -> Reply | None:
        draft = OrderDraft.from_wire(request.args["draft"])
        if (replay := self._replay(request, draft)) is not None:
            return replay
        self._order(request, [_line(raw) for raw in request.args["lines"]], draft)
        return None  # answered once the write fixed the order's code

    def _pay_late(self, request: SaleRequest) -> Reply:
        order = self.late.get(request.args["order_id"])
        if order is None or order["event_id"] != self.terms.event_id:
            raise UnknownTicketObjectError(order=request.args["order_id"], kind="order")
        if order["status"] != "expired":
            return order
        lines = [
            Line(p["product"], p["variation"]) for p in order["positions"] if not p["canceled"]
        ]
        self.outcome.sale.take(lines, "paid")
        self.outcome.writes.paid_late.append({"order": order["id"], "paid_at": self.now})
        paid = {**order, "status": "paid", "paid_at": self.now.isoformat()}
        self.outcome.events.append(("order.paid", paid))
        return paid

    def _add_vouchers(self, request: SaleRequest) -> Reply:
        drafts = [VoucherDraft.from_wire(raw) for raw in request.args["vouchers"]]
        rows = block_vouchers(
            self.outcome.sale, drafts, self.terms.event_id, self.now, self.taken_vouchers
        )
        self.taken_vouchers |= {row["code"].upper() for row in rows}
        self.outcome.writes.vouchers.extend(rows)
        return {"vouchers": [row["id"] for row in rows]}

    # -- helpers -------------------------------------------------------------------------------

    def _replay(self, request: SaleRequest, draft: OrderDraft) -> Reply | None:
        key = draft.request_key
        if key is None:
            return None
        if key in self.keys or key in self.replayed:
            return {"replayed": True, "order_id": self.keys.get(key) or self.replayed[key]}
        self.replayed[key] = ""
        return None

    def _order(self, request: SaleRequest, lines: list[Line], draft: OrderDraft) -> None:
        priced = self.outcome.sale.take(lines, "pending")
        order = build_order(self.terms, draft, priced, self.now)
        if order.paid:  # free: straight to paid
            for p in priced:
                self.outcome.sale.ledger.add(p.offer.quota_ids, "pending", -1)
                self.outcome.sale.ledger.add(p.offer.quota_ids, "paid")
        if draft.request_key is not None:
            self.replayed[draft.request_key] = order.id
        self.outcome.writes.voucher_uses.update(
            p.voucher.id for p in priced if p.voucher is not None
        )
        self.outcome.placed.append((request, order))

    def _give_back(self, positions: list[Reply]) -> None:
        """Cart positions leave the cart: unexpired ones stop holding their quotas."""
        sale = self.outcome.sale
        for p in positions:
            offer = self.offers.get(p["product_id"], p["variation_id"])
            voucher_code = p.get("voucher_code")
            voucher = sale.vouchers.get(voucher_code.upper()) if voucher_code else None
            if voucher is not None:
                sale.voucher_uses[voucher.id] -= 1 if p["expires_at"] >= self.now else 0
            if offer is None or p["expires_at"] < self.now:
                continue
            if voucher is not None and voucher.block_quota:
                held = (voucher.quota_id,) if voucher.quota_id else offer.quota_ids
                counted = [q for q in offer.quota_ids if q not in held]
            else:
                counted = list(offer.quota_ids)
            sale.ledger.add(counted, "carts", -1)


def request_keys(batch: list[SaleRequest]) -> set[str]:
    return {key for request in batch if (key := request.args.get("draft", {}).get("request_key"))}


def _line(raw: Reply) -> Line:
    return Line(
        product_id=str(raw["product"]),
        variation_id=raw.get("variation"),
        voucher=raw.get("voucher"),
        attendee_name=raw.get("attendee_name"),
        attendee_email=raw.get("attendee_email"),
        addon_to=raw.get("addon_to"),
    )

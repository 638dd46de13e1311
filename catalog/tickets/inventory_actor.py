"""``InventoryActor``: the one owner of an event's scarce capacity (quotas and voucher uses).

Every change that uses capacity — a cart reservation, an order, a late payment, a quota-blocking
voucher — is staged here, decided against the ledger in staging order and written by a group
commit in one fenced transaction per batch; callers get their answer once it is durable. Changes
that free capacity (cancel, expiry, carts timing out) are written elsewhere and only make the
ledger conservative until the next read. See docs/architecture.md, "Selling without oversell".
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors import Actor, Deferred, GroupCommit
from catalog.tickets import sale_writes
from catalog.tickets.availability_queries import quota_usages
from catalog.tickets.errors import SoldOutError, UnknownTicketObjectError
from catalog.tickets.ledger import Ledger
from catalog.tickets.offers import Offers, load_offers, load_terms
from catalog.tickets.order_summary import order_summaries
from catalog.tickets.sale import Line, Sale
from catalog.tickets.sale_orders import OrderDraft, PlacedOrder, build_order, fresh_codes
from catalog.tickets.sale_vouchers import VoucherDraft, block_vouchers
from core.clock import utc_now
from core.database import Database
from core.errors import EventyayError
from core.ids import new_id

logger = logging.getLogger(__name__)

Reply = dict[str, Any]
Clock = Callable[[], datetime]
# Called inside the batch's transaction with what it placed or paid: (action, order summary).
SaleListener = Callable[[AsyncSession, list[tuple[str, Reply]]], Awaitable[None]]
_REREAD_S = 0.25  # at most this often a refusal makes the actor read the database again
_DRAIN_S = 5.0


@dataclass(frozen=True, slots=True)
class TicketDeps:
    """What the tickets catalog's actors need from the composition root."""

    database: Database
    clock: Clock = utc_now
    on_sale: SaleListener | None = None


@dataclass(slots=True)
class _Request:
    kind: str
    args: dict[str, Any]
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    reply: Any = None


class InventoryActor(Actor):
    """Keyed by ticket event id."""

    kind_name = "tickets.inventory"
    fenced = True

    async def on_activate(self) -> None:
        deps = self.deps.tickets
        self.tickets: TicketDeps = deps
        self.offers: Offers | None = None
        self.ledger = Ledger({})
        self.stale = True
        self.read_at = -1.0
        self.next_expiry: datetime | None = None  # of a cart position the ledger counts
        self.keys_in_flight: set[str] = set()  # request keys of batches not committed yet
        self.commit: GroupCommit[_Request] = GroupCommit(
            f"tickets:inventory:{self.key}",
            lambda: self.fenced_transaction(check_last=True),
            self._write,
            self._committed,
            self._failed,
            what="order",
            max_batch=1000,
            overlap=self._may_overlap,
        )

    async def on_deactivate(self) -> None:
        await self.commit.close(_DRAIN_S)

    # -- messages ----------------------------------------------------------------------------

    async def reserve(self, cart_id: str, lines: list[Reply]) -> Deferred[Reply]:
        """Put ``lines`` into cart ``cart_id`` (created if new) until the reservation expires."""
        return self._stage("reserve", cart_id=cart_id, lines=lines)

    async def release(self, cart_id: str, position_ids: list[str]) -> Deferred[Reply]:
        """Take positions (with their add-ons) out of a cart."""
        return self._stage("release", cart_id=cart_id, position_ids=position_ids)

    async def checkout(self, cart_id: str, draft: Reply) -> Deferred[Reply]:
        """Turn a cart into an order; expired positions must still be available."""
        return self._stage("checkout", cart_id=cart_id, draft=draft)

    async def place(self, lines: list[Reply], draft: Reply) -> Deferred[Reply]:
        """Place an order for ``lines`` directly (API, box office)."""
        return self._stage("place", lines=lines, draft=draft)

    async def pay_late(self, order_id: str) -> Deferred[Reply]:
        """Mark an expired order paid if its items are still available."""
        return self._stage("pay_late", order_id=order_id)

    async def add_vouchers(self, vouchers: list[Reply]) -> Deferred[Reply]:
        """Create vouchers; quota-blocking ones only if their quotas have room."""
        return self._stage("add_vouchers", vouchers=vouchers)

    async def changed(self) -> None:
        """Capacity was freed or the catalog changed: read everything again before the next
        batch (a tell; losing it only delays when freed capacity is sold again)."""
        self.stale = True

    async def stats(self) -> dict[str, int]:
        return {"batches": self.commit.batches, "writes": self.commit.writes}

    # -- the write task ----------------------------------------------------------------------

    def _stage(self, kind: str, **args: Any) -> Deferred[Reply]:
        request = _Request(kind, args)
        self.commit.stage(request)
        return Deferred(request.future)

    async def _write(self, session: AsyncSession, batch: list[_Request]) -> None:
        """Decide and write one batch. The ledger moves on as soon as the batch is decided: the
        next batch may be decided on it while this one commits (``_may_overlap``); a failure
        makes the actor read everything again."""
        overlapping = self.commit.overlapping  # read before any await
        now = self.tickets.clock()
        loop_now = asyncio.get_running_loop().time()
        # Never read while an earlier batch is uncommitted: the read would miss its sales.
        read_now = not overlapping and (self.stale or self._carts_expired(now))
        if read_now:
            await self._read(session, now, loop_now)
        outcome = await self._decide(session, batch, now)
        rereadable = not (read_now or overlapping) and loop_now - self.read_at >= _REREAD_S
        if outcome.refused and rereadable:
            await self._read(session, now, loop_now)
            outcome = await self._decide(session, batch, now)
        expiries = [row["expires_at"] for row in outcome.writes.cart_positions]
        if self.next_expiry is not None:
            expiries.append(self.next_expiry)
        self.ledger, self.next_expiry = outcome.sale.ledger, min(expiries, default=None)
        self.keys_in_flight |= _request_keys(batch)
        self.commit.let_next_start()  # the next batch decides on this ledger meanwhile
        await outcome.writes.write(session)
        outcome.answer_placed()
        if outcome.events and self.tickets.on_sale is not None:
            await self.tickets.on_sale(session, outcome.events)
        for request, result in outcome.results:
            if isinstance(result, Exception):
                request.future.set_exception(result)
            else:
                request.reply = result

    def _may_overlap(self, batch: list[_Request]) -> bool:
        """Whether ``batch`` may be decided while the batch before it commits: only direct
        orders without vouchers, which read nothing that batch writes, and only while the
        ledger needs no new read."""
        if self.stale or self._carts_expired(self.tickets.clock()):
            return False
        for request in batch:
            if request.kind != "place":
                return False
            if any(line.get("voucher") for line in request.args["lines"]):
                return False
            if request.args["draft"].get("request_key") in self.keys_in_flight:
                return False
        return True

    def _carts_expired(self, now: datetime) -> bool:
        return self.next_expiry is not None and now > self.next_expiry

    def _committed(self, batch: list[_Request]) -> None:
        self.keys_in_flight -= _request_keys(batch)  # the ledger moved on when it was decided

    def _failed(self) -> None:
        # Every batch after a failed one fails too: nothing in flight will be stored.
        self.stale, self.keys_in_flight = True, set()

    async def _read(self, session: AsyncSession, now: datetime, loop_now: float) -> None:
        terms = await load_terms(session, self.key)
        if terms is None:
            raise UnknownTicketObjectError(event=self.key, kind="event")
        self.offers = await load_offers(session, terms)
        self.ledger = Ledger.of(await quota_usages(session, self.offers.quota_ids, now))
        self.next_expiry = await sale_writes.next_cart_expiry(session, self.key, now)
        self.stale, self.read_at = False, loop_now

    async def _decide(
        self, session: AsyncSession, batch: list[_Request], now: datetime
    ) -> _Outcome:
        assert self.offers is not None
        decider = _Decider(self.offers, session, now)
        await decider.prepare(batch, self.ledger)
        for request in batch:
            decider.run(request)
        decider.finish()
        return decider.outcome


@dataclass(slots=True)
class _Outcome:
    sale: Sale
    writes: sale_writes.BatchWrites = field(default_factory=sale_writes.BatchWrites)
    results: list[tuple[_Request, Reply | Exception | None]] = field(default_factory=list)
    events: list[tuple[str, Reply]] = field(default_factory=list)
    placed: list[tuple[_Request, PlacedOrder]] = field(default_factory=list)

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


class _Decider:
    """Decides one batch, request by request, against one ``Sale``."""

    def __init__(self, offers: Offers, session: AsyncSession, now: datetime) -> None:
        self.offers = offers
        self.terms = offers.terms
        self.session = session
        self.now = now
        self.outcome = _Outcome(Sale(offers, {}, Ledger({}), now, Counter()))
        self.carts: dict[str, str] = {}
        self.contents: dict[str, list[Reply]] = {}
        self.keys: dict[str, str] = {}
        self.replayed: dict[str, str] = {}
        self.late: dict[str, Reply] = {}
        self.taken_vouchers: set[str] = set()

    async def prepare(self, batch: list[_Request], ledger: Ledger) -> None:
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

    def run(self, request: _Request) -> None:
        handler: Callable[[_Request], Reply | None] = getattr(self, f"_{request.kind}")
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

    def _reserve(self, request: _Request) -> Reply:
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

    def _release(self, request: _Request) -> Reply:
        cart_id, wanted = request.args["cart_id"], set(request.args["position_ids"])
        positions = self.contents.get(cart_id, [])
        chosen = [p for p in positions if p["id"] in wanted or p["addon_to_id"] in wanted]
        self._give_back(chosen)
        released = [p["id"] for p in chosen]
        self.outcome.writes.released_cart_positions.extend(released)
        self.contents[cart_id] = [p for p in positions if p["id"] not in set(released)]
        return {"released": released}

    def _checkout(self, request: _Request) -> Reply | None:
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

    def _place(self, request: _Request) -> Reply | None:
        draft = OrderDraft.from_wire(request.args["draft"])
        if (replay := self._replay(request, draft)) is not None:
            return replay
        self._order(request, [_line(raw) for raw in request.args["lines"]], draft)
        return None  # answered once the write fixed the order's code

    def _pay_late(self, request: _Request) -> Reply:
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

    def _add_vouchers(self, request: _Request) -> Reply:
        drafts = [VoucherDraft.from_wire(raw) for raw in request.args["vouchers"]]
        rows = block_vouchers(
            self.outcome.sale, drafts, self.terms.event_id, self.now, self.taken_vouchers
        )
        self.taken_vouchers |= {row["code"].upper() for row in rows}
        self.outcome.writes.vouchers.extend(rows)
        return {"vouchers": [row["id"] for row in rows]}

    # -- helpers -------------------------------------------------------------------------------

    def _replay(self, request: _Request, draft: OrderDraft) -> Reply | None:
        key = draft.request_key
        if key is None:
            return None
        if key in self.keys or key in self.replayed:
            return {"replayed": True, "order_id": self.keys.get(key) or self.replayed[key]}
        self.replayed[key] = ""
        return None

    def _order(self, request: _Request, lines: list[Line], draft: OrderDraft) -> None:
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


def _request_keys(batch: list[_Request]) -> set[str]:
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

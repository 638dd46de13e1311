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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from actors import Actor, Deferred, GroupCommit
from catalog.tickets import sale_writes
from catalog.tickets.availability_queries import quota_usages
from catalog.tickets.errors import UnknownTicketObjectError
from catalog.tickets.ledger import Ledger
from catalog.tickets.offers import Offers, load_offers, load_terms
from catalog.tickets.sale_batch import Decider, Outcome, Reply, SaleRequest, request_keys
from core.clock import utc_now
from core.database import Database

logger = logging.getLogger(__name__)

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
        self.commit: GroupCommit[SaleRequest] = GroupCommit(
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
        request = SaleRequest(kind, args)
        self.commit.stage(request)
        return Deferred(request.future)

    async def _write(self, session: AsyncSession, batch: list[SaleRequest]) -> None:
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
        self.keys_in_flight |= request_keys(batch)
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

    def _may_overlap(self, batch: list[SaleRequest]) -> bool:
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

    def _committed(self, batch: list[SaleRequest]) -> None:
        self.keys_in_flight -= request_keys(batch)  # the ledger moved on when it was decided

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
        self, session: AsyncSession, batch: list[SaleRequest], now: datetime
    ) -> Outcome:
        assert self.offers is not None
        decider = Decider(self.offers, session, now)
        await decider.prepare(batch, self.ledger)
        for request in batch:
            decider.run(request)
        decider.finish()
        return decider.outcome

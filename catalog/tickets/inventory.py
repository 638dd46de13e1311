"""``Inventory``: the way the shop, the API and the order service use an event's capacity. It
sends each change to the event's ``InventoryActor`` and turns contention (no answer in time, the
owner moving between nodes) into ``tickets.busy`` with a retry hint. Reads never come here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from actors import (
    ActorStoppedError,
    ActorSystem,
    AskTimeoutError,
    FencedOutError,
    NodeUnavailableError,
)
from catalog.tickets.errors import BusyError
from catalog.tickets.inventory_actor import InventoryActor
from catalog.tickets.order_summary import Summary, order_summaries
from catalog.tickets.sale_orders import MAX_REQUEST_KEY_CHARS, OrderDraft
from catalog.tickets.sale_vouchers import VoucherDraft
from core.database import Database
from core.errors import InvalidPayloadError

_CONTENTION = (AskTimeoutError, NodeUnavailableError, FencedOutError, ActorStoppedError)
RETRY_AFTER_S = 1.0


class Inventory:
    """One per node; any node may serve any event (the actor lives where it lives)."""

    def __init__(self, actors: ActorSystem, database: Database, ask_timeout_s: float = 10.0):
        self.actors = actors
        self.database = database
        self.ask_timeout_s = ask_timeout_s

    def _ref(self, event_id: str) -> Any:
        return self.actors.ref(InventoryActor, event_id).with_timeout(self.ask_timeout_s)

    async def _ask(self, event_id: str, method: Any, *args: Any) -> Any:
        try:
            return await self._ref(event_id).ask(method, *args)
        except _CONTENTION as exc:
            raise BusyError(retry_after_s=RETRY_AFTER_S, cause=exc.code) from exc

    async def reserve(
        self, event_id: str, cart_id: str, lines: Sequence[dict[str, Any]]
    ) -> dict[str, Any]:
        """Hold ``lines`` in a cart: ``{cart_id, expires_at, positions}``."""
        return dict(await self._ask(event_id, InventoryActor.reserve, cart_id, list(lines)))

    async def release(self, event_id: str, cart_id: str, position_ids: list[str]) -> list[str]:
        reply = await self._ask(event_id, InventoryActor.release, cart_id, position_ids)
        return list(reply["released"])

    async def checkout(self, event_id: str, cart_id: str, draft: OrderDraft) -> Summary:
        """The order made of the cart's positions (the same order again for a repeated key)."""
        _check_key(draft)
        reply = await self._ask(event_id, InventoryActor.checkout, cart_id, _draft(draft))
        return await self._order(reply)

    async def place(
        self, event_id: str, lines: Sequence[dict[str, Any]], draft: OrderDraft
    ) -> Summary:
        """A new order for ``lines`` (the same order again for a repeated key)."""
        _check_key(draft)
        reply = await self._ask(event_id, InventoryActor.place, list(lines), _draft(draft))
        return await self._order(reply)

    async def pay_late(self, event_id: str, order_id: str) -> Summary:
        """Mark an expired order paid if it still fits its quotas (else ``tickets.sold_out``)."""
        return dict(await self._ask(event_id, InventoryActor.pay_late, order_id))

    async def add_vouchers(self, event_id: str, drafts: Sequence[VoucherDraft]) -> list[str]:
        reply = await self._ask(
            event_id, InventoryActor.add_vouchers, [d.to_wire() for d in drafts]
        )
        return list(reply["vouchers"])

    def capacity_freed(self, event_id: str) -> None:
        """Tell the event's actor that capacity came back or the catalog changed."""
        self._ref(event_id).tell(InventoryActor.changed)

    async def _order(self, reply: dict[str, Any]) -> Summary:
        if not reply.get("replayed"):
            return dict(reply)
        async with self.database.transaction() as session:
            found = await order_summaries(session, [reply["order_id"]])
        if not found:  # the key's order was placed by a request that is still being written
            raise BusyError(retry_after_s=RETRY_AFTER_S, cause="in_progress")
        return {**found[0], "replayed": True}


def _draft(draft: OrderDraft) -> dict[str, Any]:
    return {
        "email": draft.email,
        "request_key": draft.request_key,
        "payment_provider": draft.payment_provider,
        "valid_if_pending": draft.valid_if_pending,
        "attendees": [dict(a) for a in draft.attendees],
    }


def _check_key(draft: OrderDraft) -> None:
    key = draft.request_key
    if key is not None and not 1 <= len(key) <= MAX_REQUEST_KEY_CHARS:
        msg = f"request_key must be 1-{MAX_REQUEST_KEY_CHARS} characters"
        raise InvalidPayloadError(msg)

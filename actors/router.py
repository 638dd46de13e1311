"""Routing of messages whose actor is not active here: placement, remote sends, retries.

One pump task handles them in arrival order, so messages from one caller to one actor keep their
order. Messages that could not be delivered (owner gone, Redis down) are held per actor and
retried with back-off, still in order, until their deadline.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from actors.actor import Handler
from actors.codec import Reply, Request
from actors.errors import NodeUnavailableError
from actors.kinds import KindInfo
from core.errors import UnavailableError

if TYPE_CHECKING:
    from actors.system import ActorSystem

logger = logging.getLogger(__name__)

ActorKey = tuple[str, str]
_RETRY_FIRST_S = 0.05
_RETRY_MAX_S = 0.5
_OWNER_CACHE_SIZE = 100_000


@dataclass(slots=True)
class Outgoing:
    """A message waiting for its actor to be placed or reached."""

    info: KindInfo
    key: str
    handler: Handler
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    reply: asyncio.Future[Any] | None
    deadline: float

    @property
    def actor(self) -> ActorKey:
        return (self.info.name, self.key)


class Router:
    """Places actors (claiming leases) and sends messages to their owners, in order."""

    def __init__(self, system: ActorSystem) -> None:
        self._system = system
        self._queue: deque[Outgoing] = deque()
        self._ready = asyncio.Event()
        self._held: dict[ActorKey, list[Outgoing]] = {}
        self._attempts: dict[ActorKey, int] = {}
        self._request_ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[Any]] = {}
        self.owners: dict[ActorKey, str] = {}
        self.pending: dict[ActorKey, int] = {}

    def enqueue(self, item: Outgoing) -> None:
        actor = item.actor
        self.pending[actor] = self.pending.get(actor, 0) + 1
        self._queue.append(item)
        self._ready.set()

    def requeue(self, items: list[Outgoing]) -> None:
        """Put messages back at the front, in their order."""
        for item in items:
            self.pending[item.actor] = self.pending.get(item.actor, 0) + 1
        self._queue.extendleft(reversed(items))
        self._ready.set()

    async def run(self) -> None:
        """The pump: take everything queued, route it, repeat."""
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._queue:
                batch = list(self._queue)
                self._queue.clear()
                await self._route(batch)

    def fail_all(self, error: BaseException) -> None:
        """Fail every waiting message (shutdown)."""
        waiting = list(self._queue) + [item for items in self._held.values() for item in items]
        self._queue.clear()
        self._held.clear()
        for item in waiting:
            if item.reply is not None and not item.reply.done():
                item.reply.set_exception(error)
        self.pending.clear()

    # -- routing a batch ----------------------------------------------------------------------

    async def _route(self, batch: list[Outgoing]) -> None:
        system = self._system
        unplaced = {
            item.actor: item.info
            for item in batch
            if item.actor not in self._held
            and item.actor not in self.owners
            and not system.is_active(item.actor)
        }
        if unplaced:
            await asyncio.gather(*(self._place(info, actor[1]) for actor, info in unplaced.items()))
        sends: list[tuple[Outgoing, str, bytes, int]] = []
        now = asyncio.get_running_loop().time()
        for item in batch:
            actor = item.actor
            if actor in self._held:
                self._held[actor].append(item)
            elif item.reply is not None and item.reply.done():
                self._done(item)  # the caller gave up already (timeout or cancellation)
            elif now > item.deadline:
                self._expire(item)
            elif system.deliver_locally(item):
                self._done(item)
            elif (owner := self.owners.get(actor)) is not None:
                request_id = next(self._request_ids) if item.reply is not None else 0
                data = self._encode(item, request_id)
                if data is not None:
                    sends.append((item, owner, data, request_id))
            else:
                self._hold(item)
        if sends:
            await self._send(sends)

    async def _place(self, info: KindInfo, key: str) -> None:
        """Activate here if this node holds or wins the lease, else remember the owner."""
        system = self._system
        actor = (info.name, key)
        lease = system.leases.get(actor)
        if lease is None:
            try:
                claim = await system.transport.claim(info.name, key)
            except UnavailableError as exc:
                logger.debug("cannot place %s:%s: %s", info.name, key, exc)
                return
            if claim.lease is None:
                if claim.owner == system.node_id:
                    logger.error("another process uses node id %s", system.node_id)
                    return
                assert claim.owner is not None
                self._remember_owner(actor, claim.owner)
                return
            lease = claim.lease
            system.leases[actor] = lease
        system.activate(info, key, lease)

    def complete(self, reply: Reply) -> None:
        """Hand a reply from another node to the ask waiting for it (if it still waits)."""
        waiting = self._replies.pop(reply.request_id, None)
        if waiting is None or waiting.done():
            return
        if reply.error is not None:
            waiting.set_exception(reply.error)
        else:
            waiting.set_result(reply.value)

    def _remember_owner(self, actor: ActorKey, node_id: str) -> None:
        # Bounded: a node that talks to very many remote actors forgets the oldest owners first
        # (a forgotten owner costs one claim round trip to learn again).
        if len(self.owners) >= _OWNER_CACHE_SIZE and actor not in self.owners:
            del self.owners[next(iter(self.owners))]
        self.owners[actor] = node_id

    async def _send(self, sends: list[tuple[Outgoing, str, bytes, int]]) -> None:
        messages = [(node, data) for _, node, data, _ in sends]
        try:
            counts = await self._system.transport.send_many(messages)
        except UnavailableError:
            counts = [0] * len(sends)
        for (item, node, _, request_id), received in zip(sends, counts, strict=True):
            if received:
                self._done(item)
                continue
            # Nobody listens on the owner's channel: the node is gone or cut off.
            if self.owners.get(item.actor) == node:
                del self.owners[item.actor]
            self._replies.pop(request_id, None)
            self._hold(item)

    def _encode(self, item: Outgoing, request_id: int) -> bytes | None:
        system = self._system
        request = Request(
            request_id,
            system.node_id,
            item.info.name,
            item.key,
            item.handler.__name__,
            item.args,
            item.kwargs,
            item.reply is not None,
        )
        try:
            data = system.codec.request(request)
        except TypeError as exc:
            self._done(item)
            if item.reply is not None and not item.reply.done():
                item.reply.set_exception(exc)
            else:
                logger.error("dropped a tell to %s:%s: %s", item.info.name, item.key, exc)
            return None
        if item.reply is not None:
            self._replies[request_id] = item.reply
            item.reply.add_done_callback(lambda _: self._replies.pop(request_id, None))
        return data

    # -- holding and retrying -----------------------------------------------------------------

    def _hold(self, item: Outgoing) -> None:
        actor = item.actor
        held = self._held.get(actor)
        if held is not None:
            held.append(item)
            return
        self._held[actor] = [item]
        attempt = self._attempts.get(actor, 0)
        self._attempts[actor] = attempt + 1
        delay_s = min(_RETRY_FIRST_S * 2**attempt, _RETRY_MAX_S)
        asyncio.get_running_loop().call_later(delay_s, self._retry, actor)

    def _retry(self, actor: ActorKey) -> None:
        items = self._held.pop(actor, None)
        if not items:
            return
        self.owners.pop(actor, None)
        # Back to the front, in their order, ahead of anything that arrived meanwhile.
        self._queue.extendleft(reversed(items))
        self._ready.set()

    def _done(self, item: Outgoing) -> None:
        actor = item.actor
        left = self.pending.get(actor, 1) - 1
        if left > 0:
            self.pending[actor] = left
        else:
            self.pending.pop(actor, None)
            if actor not in self._held:
                self._attempts.pop(actor, None)

    def _expire(self, item: Outgoing) -> None:
        self._done(item)
        if item.reply is not None:
            if not item.reply.done():
                item.reply.set_exception(NodeUnavailableError(kind=item.info.name, key=item.key))
        else:
            logger.warning(
                "dropped a tell to %s:%s: no owner reachable before its deadline",
                item.info.name,
                item.key,
            )

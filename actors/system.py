"""``ActorSystem``: the node's actor runtime — refs, local activations, leases, incoming envelopes,
liveness and shutdown. Routing of non-local messages lives in ``router``; the cluster medium
behind ``transport``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from actors.activation import ENDING, Activation, Message
from actors.actor import Actor, Handler
from actors.codec import Codec, EnvelopeError, Reply, Request
from actors.errors import ActorStoppedError, UnknownActorMethodError
from actors.fencing import FenceStore
from actors.kinds import KindInfo, KindRegistry
from actors.redis_transport import RedisTransport
from actors.ref import ActorRef
from actors.router import ActorKey, Outgoing, Router
from actors.supervision import FailureLedger
from actors.tasks import cancel_and_wait
from actors.topics import Topics
from actors.transport import Lease, MemoryTransport, Transport
from core.database import Database
from core.errors import UnavailableError
from core.settings import ActorSettings, RedisSettings

logger = logging.getLogger(__name__)
A = TypeVar("A", bound=Actor)
_LEASE_REFRESH_S = 600.0


class ActorSystem:
    """All actors of this node, and this node's membership in the cluster."""

    def __init__(
        self,
        *,
        node_id: str,
        settings: ActorSettings,
        transport: Transport,
        fences: FenceStore | None = None,
        deps: Any = None,
    ) -> None:
        self.node_id = node_id
        self.settings = settings
        self.transport = transport
        self.fences = fences
        self.deps = deps
        self.codec = Codec()
        self.kinds = KindRegistry(settings)
        self.failures = FailureLedger()
        self.topics = Topics(node_id, transport, self.codec, distributed=transport.distributed)
        self.leases: dict[ActorKey, Lease] = {}
        self._activations: dict[ActorKey, Activation] = {}
        self._ending: dict[ActorKey, Activation] = {}
        self._releases: list[Lease] = []
        self._router = Router(self)
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    # -- public API -----------------------------------------------------------------------------

    def ref(self, kind: type[A], key: str) -> ActorRef[A]:
        """The actor of ``kind`` with ``key``; it exists as soon as it is addressed."""
        if not isinstance(key, str) or not key:
            msg = "actor keys are non-empty strings"
            raise TypeError(msg)
        return ActorRef(self, self.kinds.info(kind), key, self.settings.ask_timeout_s)

    def register(self, *kinds: type[Actor]) -> None:
        """Make kinds known before any ref to them, so messages from other nodes find them."""
        for kind in kinds:
            self.kinds.info(kind)

    @property
    def active_count(self) -> int:
        """Activations currently on this node."""
        return len(self._activations)

    def is_active(self, actor: ActorKey) -> bool:
        activation = self._activations.get(actor)
        return activation is not None and activation.accepting

    async def start(self) -> None:
        await self.transport.start(self._receive)
        self._tasks = [
            asyncio.create_task(self._router.run(), name=f"actors:{self.node_id}:router"),
            asyncio.create_task(self._keep_alive(), name=f"actors:{self.node_id}:keep-alive"),
        ]

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Passivate every actor (finishing the message in hand), give the leases back, leave."""
        if self._closed:
            return
        self._closed = True
        for activation in list(self._activations.values()):
            self.passivate(activation)
        ending = [activation.task for activation in self._ending.values()]
        if ending:
            _, late = await asyncio.wait(ending, timeout=timeout_s)
            await cancel_and_wait(late)
        self._router.fail_all(ActorStoppedError("The actor system stopped"))
        await cancel_and_wait(self._tasks)
        self._releases.extend(self.leases.values())
        self.leases.clear()
        await self._flush_releases()
        await self.transport.stop()

    # -- sending --------------------------------------------------------------------------------

    def _send(
        self,
        info: KindInfo,
        actor: ActorKey,
        handler: Handler,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        reply: asyncio.Future[Any] | None,
    ) -> None:
        """Post to the local activation at once, or hand the message to the router."""
        activation = self._activations.get(actor)
        if (
            activation is not None
            and activation.state < ENDING
            and actor not in self._router.pending
        ):
            activation.post((handler, args, kwargs, reply))
            return
        if self._closed:
            error = ActorStoppedError("The actor system stopped")
            if reply is not None:
                reply.set_exception(error)
                return
            raise error
        deadline = asyncio.get_running_loop().time() + self.settings.ask_timeout_s
        self._router.enqueue(Outgoing(info, actor[1], handler, args, kwargs, reply, deadline))

    def deliver_locally(self, item: Outgoing) -> bool:
        """Post to the local activation if there is one; False if the actor is elsewhere."""
        activation = self._activations.get(item.actor)
        if activation is None or not activation.accepting:
            return False
        activation.post((item.handler, item.args, item.kwargs, item.reply))
        return True

    # -- activations ----------------------------------------------------------------------------

    def activate(self, info: KindInfo, key: str, lease: Lease) -> Activation:
        actor = (info.name, key)
        activation = Activation(self, info, key, lease, previous=self._ending.get(actor))
        self._activations[actor] = activation
        return activation

    def passivate(self, activation: Activation) -> None:
        """End an idle (or stopped) activation; its lease is released once it has finished."""
        actor = (activation.info.name, activation.key)
        if self._activations.get(actor) is activation:
            del self._activations[actor]
        self._ending[actor] = activation
        self._reroute(activation, activation.end())

    def depose(self, activation: Activation) -> None:
        """This activation lost its ownership: drop it and its lease, route its mail anew."""
        actor = (activation.info.name, activation.key)
        logger.warning("deposed %s:%s", *actor)
        if self.leases.get(actor) is activation.lease:
            del self.leases[actor]
        self._router.owners.pop(actor, None)
        self.passivate(activation)

    def activation_ended(self, activation: Activation) -> None:
        actor = (activation.info.name, activation.key)
        if self._activations.get(actor) is activation:
            del self._activations[actor]
        if self._ending.get(actor) is activation:
            del self._ending[actor]
        if actor not in self._activations and self.leases.get(actor) is activation.lease:
            del self.leases[actor]
            self._releases.append(activation.lease)

    def _reroute(self, activation: Activation, messages: list[Message]) -> None:
        """Route an ended activation's unhandled mail again, ahead of newer mail."""
        if not messages:
            return
        if self._closed:
            error = ActorStoppedError("The actor system stopped")
            for *_, reply in messages:
                if reply is not None and not reply.done():
                    reply.set_exception(error)
            return
        deadline = asyncio.get_running_loop().time() + self.settings.ask_timeout_s
        self._router.requeue(
            [
                Outgoing(activation.info, activation.key, handler, args, kwargs, reply, deadline)
                for handler, args, kwargs, reply in messages
            ]
        )

    # -- receiving ------------------------------------------------------------------------------

    def _receive(self, data: bytes) -> None:
        try:
            envelope = self.codec.decode(data)
        except EnvelopeError as exc:
            logger.warning("dropped an envelope: %s", exc)
            return
        if isinstance(envelope, Request):
            self._receive_request(envelope)
        elif isinstance(envelope, Reply):
            self._router.complete(envelope)
        elif envelope.origin != self.node_id:
            self.topics.deliver(envelope.topic, envelope.payload)

    def _receive_request(self, request: Request) -> None:
        info = self.kinds.by_name(request.kind)
        handler = info.methods.get(request.method) if info is not None else None
        if info is None or handler is None:
            logger.warning("dropped a message for unknown %s.%s", request.kind, request.method)
            if request.expects_reply:
                error = UnknownActorMethodError(kind=request.kind, method=request.method)
                self.transport.send_soon(
                    request.reply_to, self.codec.reply_error(request.request_id, error)
                )
            return
        reply: asyncio.Future[Any] | None = None
        if request.expects_reply:
            reply = asyncio.get_running_loop().create_future()
            reply.add_done_callback(
                functools.partial(self._send_reply, request.reply_to, request.request_id)
            )
        if self._closed:
            if reply is not None:
                reply.set_exception(ActorStoppedError("The node is shutting down"))
            return
        actor = (info.name, request.key)
        self._send(info, actor, handler, request.args, request.kwargs, reply)

    def _send_reply(self, node_id: str, request_id: int, reply: asyncio.Future[Any]) -> None:
        if reply.cancelled():
            return
        error = reply.exception()
        if error is not None:
            data = self.codec.reply_error(request_id, error)
        else:
            try:
                data = self.codec.reply_ok(request_id, reply.result())
            except TypeError as exc:
                data = self.codec.reply_error(request_id, exc)
        self.transport.send_soon(node_id, data)

    # -- liveness -------------------------------------------------------------------------------

    async def _keep_alive(self) -> None:
        loop = asyncio.get_running_loop()
        last_refresh = loop.time()
        # Started right after the node registered; re-armed after every successful renewal.
        expiry = self._arm_expiry(loop.time())
        while True:
            await asyncio.sleep(self.settings.lease_renew_s)
            started = loop.time()
            try:
                alive = await self.transport.heartbeat()
            except UnavailableError:
                continue
            if not alive:
                self._fence_off("cluster membership expired")
            if expiry is not None:
                expiry.cancel()
            expiry = self._arm_expiry(started)
            self.failures.prune()
            with contextlib.suppress(UnavailableError):
                await self._flush_releases()
                if started - last_refresh > _LEASE_REFRESH_S:
                    await self.transport.refresh(list(self.leases.values()))
                    last_refresh = started

    def _arm_expiry(self, renewal_sent: float) -> asyncio.TimerHandle | None:
        """Give up every actor when the liveness renewed at ``renewal_sent`` may have expired.

        Redis lets the liveness key expire ``lease_ttl_s`` after it processed the renewal, which
        is no earlier than when it was sent; so this fires before other nodes may take over.
        """
        if not self.transport.distributed:
            return None
        return asyncio.get_running_loop().call_at(
            renewal_sent + self.settings.lease_ttl_s,
            self._fence_off,
            "no successful renewal within the lease time",
        )

    def _fence_off(self, reason: str) -> None:
        """Our leases may belong to others now: depose every activation (they will move)."""
        if not self._activations and not self.leases:
            return
        logger.error("node %s gives up its actors: %s", self.node_id, reason)
        for activation in list(self._activations.values()):
            self.depose(activation)
        self.leases.clear()
        self._router.owners.clear()

    async def _flush_releases(self) -> None:
        releases, self._releases = self._releases, []
        try:
            await self.transport.release(releases)
        except UnavailableError:
            logger.warning("could not release %d leases; they expire with this node", len(releases))


@asynccontextmanager
async def running_actor_system(
    settings: ActorSettings,
    *,
    node_id: str,
    redis_url: str | None = None,
    redis_settings: RedisSettings | None = None,
    database: Database | None = None,
    deps: Any = None,
) -> AsyncIterator[ActorSystem]:
    """An actor system for the block: over Redis when ``redis_url`` is given, else in-process."""
    transport: Transport
    if redis_url is not None:
        transport = RedisTransport(redis_url, redis_settings or RedisSettings(), settings, node_id)
    else:
        transport = MemoryTransport(node_id)
    fences = FenceStore(database) if database is not None else None
    system = ActorSystem(
        node_id=node_id, settings=settings, transport=transport, fences=fences, deps=deps
    )
    await system.start()
    try:
        yield system
    finally:
        await system.stop()

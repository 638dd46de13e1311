"""One activation of an actor: its mailbox, the loop that handles messages one at a time, and its
life from activation through restarts to passivation.

Placement, leases and routing belong to the system; this module only runs what it is given.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from actors.actor import Actor, ActorContext, Handler
from actors.deferred import Deferred, forward
from actors.errors import ActorStoppedError, FencedOutError
from actors.fencing import Fence
from actors.kinds import KindInfo
from actors.timers import Timers
from actors.transport import Lease

if TYPE_CHECKING:
    from actors.system import ActorSystem

logger = logging.getLogger(__name__)

# (handler, args, kwargs, reply future or None for a tell)
Message = tuple[Handler, tuple[Any, ...], dict[str, Any], "asyncio.Future[Any] | None"]

# The actor whose handler is running in the current task, to refuse asks to itself.
current_actor: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "current_actor", default=None
)

STARTING, RUNNING, STOPPED, ENDING, ENDED = range(5)


class Activation:
    """The live instance of one actor key on this node."""

    __slots__ = (
        "_actor",
        "_idle_handle",
        "_last_active",
        "_loop",
        "_previous",
        "_queue",
        "_system",
        "_waiter",
        "done",
        "info",
        "key",
        "lease",
        "state",
        "task",
        "timers",
    )

    def __init__(
        self,
        system: ActorSystem,
        info: KindInfo,
        key: str,
        lease: Lease,
        previous: Activation | None,
    ) -> None:
        self._system = system
        self.info = info
        self.key = key
        self.lease = lease
        self.state = STARTING
        self.done = asyncio.Event()
        self.timers = Timers(self._post_tell)
        self._previous = previous
        self._queue: deque[Message] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._actor: Actor | None = None
        self._loop = asyncio.get_running_loop()
        self._last_active = self._loop.time()
        self._idle_handle: asyncio.TimerHandle | None = None
        self.task = asyncio.create_task(self._run(), name=f"actor:{info.name}:{key}")

    @property
    def accepting(self) -> bool:
        """True while messages may be posted to this activation."""
        return self.state < ENDING

    def post(self, message: Message) -> None:
        """Queue a message; the caller has checked ``accepting``."""
        self._queue.append(message)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def end(self) -> list[Message]:
        """Stop taking messages and finish after the current one; return those not yet handled."""
        self.state = ENDING
        self.timers.cancel_all()
        unhandled = list(self._queue)
        self._queue.clear()
        self._wake()
        return unhandled

    # -- the loop ---------------------------------------------------------------------------

    async def _run(self) -> None:
        current_actor.set((self.info.name, self.key))
        try:
            if self._previous is not None:
                await self._previous.done.wait()
                self._previous = None
            if await self._bring_up():
                self._arm_idle(self.info.idle_ttl_s)
            await self._serve()
            await self._deactivate()
        except asyncio.CancelledError:
            self._fail_queued(ActorStoppedError("The actor system is shutting down"))
            raise
        finally:
            self.state = ENDED
            if self._idle_handle is not None:
                self._idle_handle.cancel()
            self.done.set()
            self._system.activation_ended(self)

    async def _serve(self) -> None:
        queue, loop, handle = self._queue, self._loop, self._handle
        batch = self._system.settings.mailbox_batch
        while self.state < ENDING:
            if not queue:
                # Idle from now on; the idle clock only runs while parked here.
                self._last_active = loop.time()
                self._waiter = waiter = loop.create_future()
                await waiter
                continue
            # A few messages per wake-up; end() empties the queue, which ends this loop too.
            left = batch
            while queue and left:
                await handle(queue.popleft())
                left -= 1
            if queue:
                # More is waiting: let other actors run before the next batch. With an empty
                # mailbox the wait for the next message yields anyway.
                await asyncio.sleep(0)

    async def _handle(self, message: Message) -> None:
        handler, args, kwargs, reply = message
        if self.state == STOPPED:
            self._reject(message)
            return
        assert self._actor is not None
        try:
            result = await handler(self._actor, *args, **kwargs)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if reply is not None:
                if not reply.done():
                    reply.set_exception(exc)
            else:
                logger.exception(
                    "tell %s failed",
                    handler.__name__,
                    extra={"actor": self.info.name, "key": self.key},
                )
            if isinstance(exc, FencedOutError):
                self._system.depose(self)
            elif reply is None:
                await self._restart_after_failure()
        else:
            if reply is None or reply.done():
                return
            if isinstance(result, Deferred):
                forward(result.future, reply)
            else:
                reply.set_result(result)

    # -- activation, restarts, passivation ---------------------------------------------------

    async def _bring_up(self) -> bool:
        """Activate, retrying under supervision; False if the activation is stopped or ending."""
        while True:
            error = await self._activate()
            if error is None:
                return True
            self._fail_queued(error)
            if isinstance(error, FencedOutError):
                self._system.depose(self)
                return False
            if not await self._supervise():
                return False
            if not self._queue:
                self.end()
                return False

    async def _activate(self) -> Exception | None:
        try:
            fence = None
            fences = self._system.fences
            if self.info.fenced:
                if fences is None:
                    msg = f"{self.info.name} is fenced but the actor system has no database"
                    raise RuntimeError(msg)
                fence = Fence(self.info.name, self.key, self.lease.token, self._system.node_id)
                await fences.claim(fence)
            context = ActorContext(
                self.key, self._system, self.timers, self._system.deps, fence, fences
            )
            actor = self.info.cls(context)
            await actor.on_activate()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("activating %s:%s failed", self.info.name, self.key)
            return exc
        self._actor = actor
        if self.state == STARTING:
            self.state = RUNNING
        return None

    async def _supervise(self) -> bool:
        """Record a failure; wait out the back-off (True) or stop the actor (False)."""
        delay_s = self._system.failures.record((self.info.name, self.key), self.info.restart)
        if delay_s is None:
            logger.error("stopping %s:%s after repeated failures", self.info.name, self.key)
            self.state = STOPPED
            self.timers.cancel_all()
            self._fail_queued(ActorStoppedError(kind=self.info.name, key=self.key))
            self._arm_idle(self._system.settings.stopped_cooldown_s)
            return False
        await asyncio.sleep(delay_s)
        return True

    async def _restart_after_failure(self) -> None:
        if not await self._supervise():
            await self._deactivate()
            return
        await self._deactivate()
        await self._bring_up()

    async def _deactivate(self) -> None:
        self.timers.cancel_all()
        actor, self._actor = self._actor, None
        if actor is None:
            return
        try:
            await actor.on_deactivate()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("on_deactivate of %s:%s failed", self.info.name, self.key)

    def _arm_idle(self, after_s: float) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        self._idle_handle = self._loop.call_later(after_s, self._check_idle)

    def _check_idle(self) -> None:
        self._idle_handle = None
        if self.state >= ENDING:
            return
        if self.state == STOPPED:
            self._system.passivate(self)
            return
        ttl_s = self.info.idle_ttl_s
        if self._waiter is None or self.timers.pending:  # busy with a message, or a timer waits
            self._arm_idle(ttl_s)
            return
        idle_s = self._loop.time() - self._last_active
        if idle_s < ttl_s:
            self._arm_idle(max(ttl_s - idle_s, 0.05))
            return
        self._system.passivate(self)

    # -- helpers --------------------------------------------------------------------------

    def _post_tell(self, handler: Handler, args: tuple[Any, ...]) -> None:
        if self.accepting:
            self.post((handler, args, {}, None))

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _reject(self, message: Message) -> None:
        reply = message[3]
        if reply is not None and not reply.done():
            reply.set_exception(ActorStoppedError(kind=self.info.name, key=self.key))

    def _fail_queued(self, exc: BaseException) -> None:
        while self._queue:
            reply = self._queue.popleft()[3]
            if reply is not None and not reply.done():
                reply.set_exception(exc)

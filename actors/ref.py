"""``ActorRef``: the typed handle callers use to ask and tell one actor by kind and key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from actors.activation import current_actor
from actors.actor import Actor, Handler
from actors.deferred import Deferred
from actors.errors import AskTimeoutError, ReentrantAskError
from actors.kinds import KindInfo

if TYPE_CHECKING:
    from actors.system import ActorSystem

A = TypeVar("A", bound=Actor)
P = ParamSpec("P")
R = TypeVar("R")


class ActorRef(Generic[A]):
    """Address of one virtual actor; cheap to make, safe to keep, valid on every node."""

    __slots__ = ("_info", "_system", "actor", "key", "timeout_s")

    def __init__(self, system: ActorSystem, info: KindInfo, key: str, timeout_s: float) -> None:
        self._system = system
        self._info = info
        self.key = key
        self.actor = (info.name, key)
        self.timeout_s = timeout_s

    def with_timeout(self, timeout_s: float) -> ActorRef[A]:
        """The same actor, with another ask timeout."""
        if timeout_s <= 0:
            msg = "timeout_s must be positive"
            raise ValueError(msg)
        return ActorRef(self._system, self._info, self.key, timeout_s)

    def tell(
        self,
        method: Callable[Concatenate[A, P], Awaitable[Any]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> None:
        """Send ``method(*args, **kwargs)`` without waiting; a failure goes to the supervisor."""
        self._system._send(self._info, self.actor, self._handler(method), args, kwargs, None)

    @overload
    async def ask(
        self,
        method: Callable[Concatenate[A, P], Awaitable[Deferred[R]]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R: ...

    @overload
    async def ask(
        self,
        method: Callable[Concatenate[A, P], Awaitable[R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R: ...

    async def ask(
        self,
        method: Callable[..., Awaitable[Any]],
        /,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Send ``method(*args, **kwargs)`` and return its result.

        A method that answers with ``Deferred`` gives the deferred value.

        Raises:
            AskTimeoutError: no reply within ``timeout_s``.
            ReentrantAskError: an actor asked itself.
            Exception: whatever the handler raised, as the same type (also across nodes).
        """
        handler = self._handler(method)
        if current_actor.get() == self.actor:
            raise ReentrantAskError(kind=self._info.name, key=self.key, method=handler.__name__)
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Any] = loop.create_future()
        self._system._send(self._info, self.actor, handler, args, kwargs, reply)
        expiry = loop.call_later(self.timeout_s, _expire, reply, self, handler.__name__)
        try:
            return await reply
        finally:
            expiry.cancel()

    def _handler(self, method: Callable[..., Any]) -> Handler:
        try:
            handler = self._info.methods.get(method.__name__)
        except AttributeError:
            handler = None
        if handler is not method:
            msg = f"{method!r} is not a message method of {self._info.cls.__qualname__}"
            raise TypeError(msg)
        return handler

    def __repr__(self) -> str:
        return f"ActorRef({self._info.name}, {self.key!r})"


def _expire(reply: asyncio.Future[Any], ref: ActorRef[Any], method: str) -> None:
    if not reply.done():
        reply.set_exception(
            AskTimeoutError(kind=ref.actor[0], key=ref.key, method=method, timeout_s=ref.timeout_s)
        )

"""The ``Actor`` base class and the context the runtime hands each activation.

Domain actors subclass ``Actor``; they never construct themselves or touch placement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from actors.supervision import RestartPolicy
from actors.timers import Timers

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from actors.fencing import Fence, FenceStore
    from actors.system import ActorSystem

LIFECYCLE_HOOKS = frozenset({"on_activate", "on_deactivate"})


@dataclass(frozen=True, slots=True)
class ActorContext:
    """What the runtime gives one activation: its identity, its fence and the shared services."""

    key: str
    system: ActorSystem
    timers: Timers
    deps: Any
    fence: Fence | None
    fences: FenceStore | None


class Actor:
    """A virtual actor: addressed by kind and key, activated on its first message.

    Messages are handled one at a time. Public ``async def`` methods are the messages; callers use
    ``system.ref(Kind, key).ask(Kind.method, ...)`` or ``.tell(...)``. Class attributes tune the
    runtime: ``idle_ttl_s`` (passivation), ``restart`` (supervision) and ``fenced`` (claim the
    fencing token in the database before ``on_activate``, enabling ``fenced_transaction``).
    """

    kind_name: ClassVar[str | None] = None
    idle_ttl_s: ClassVar[float | None] = None
    restart: ClassVar[RestartPolicy | None] = None
    fenced: ClassVar[bool] = False

    def __init__(self, context: ActorContext) -> None:
        self.context = context

    @property
    def key(self) -> str:
        return self.context.key

    @property
    def system(self) -> ActorSystem:
        return self.context.system

    @property
    def timers(self) -> Timers:
        return self.context.timers

    @property
    def deps(self) -> Any:
        return self.context.deps

    async def on_activate(self) -> None:
        """Load state; runs before the first message. An error here fails the queued asks."""

    async def on_deactivate(self) -> None:
        """Best-effort clean-up. Never rely on it for durability: write before you reply."""

    def fenced_transaction(
        self, *, check_last: bool = False
    ) -> AbstractAsyncContextManager[AsyncSession]:
        """A database transaction that commits only while this activation holds the newest token
        (checked on entering, or just before the commit with ``check_last``).

        Raises:
            FencedOutError: when a newer owner has written for this key.
        """
        fence, fences = self.context.fence, self.context.fences
        if fence is None or fences is None:
            msg = f"{type(self).__qualname__} is not fenced or the system has no database"
            raise RuntimeError(msg)
        return fences.transaction(fence, check_last=check_last)


Handler = Callable[..., Awaitable[Any]]

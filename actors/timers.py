"""Per-activation timers that deliver a message to the actor's own mailbox when they fire.

Timers belong to one activation: they are cancelled when it passivates, restarts or is deposed,
and a pending timer keeps the activation from passivating.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

Post = Callable[[Callable[..., Awaitable[Any]], tuple[Any, ...]], None]


class Timers:
    """Named timers of one actor; starting a name again replaces the earlier timer."""

    def __init__(self, post: Post) -> None:
        self._post = post
        self._handles: dict[str, asyncio.TimerHandle] = {}

    def start(
        self,
        name: str,
        delay_s: float,
        method: Callable[..., Awaitable[Any]],
        *args: Any,
        interval_s: float | None = None,
    ) -> None:
        """Tell ``method(*args)`` to this actor after ``delay_s``, then every ``interval_s``."""
        if interval_s is not None and interval_s <= 0:
            msg = "interval_s must be positive"
            raise ValueError(msg)
        self.cancel(name)
        loop = asyncio.get_running_loop()
        due = loop.time() + max(delay_s, 0.0)
        self._handles[name] = loop.call_at(due, self._fire, name, due, method, args, interval_s)

    def cancel(self, name: str) -> bool:
        """Cancel one timer; True if it was pending."""
        handle = self._handles.pop(name, None)
        if handle is None:
            return False
        handle.cancel()
        return True

    def cancel_all(self) -> None:
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()

    @property
    def pending(self) -> bool:
        """True while any timer waits to fire."""
        return bool(self._handles)

    def __contains__(self, name: object) -> bool:
        return name in self._handles

    def _fire(
        self,
        name: str,
        due: float,
        method: Callable[..., Awaitable[Any]],
        args: tuple[Any, ...],
        interval_s: float | None,
    ) -> None:
        if interval_s is None:
            del self._handles[name]
        else:
            # Fixed rate: the next due time follows the schedule, not the moment this one ran.
            loop = asyncio.get_running_loop()
            next_due = max(due + interval_s, loop.time())
            self._handles[name] = loop.call_at(
                next_due, self._fire, name, next_due, method, args, interval_s
            )
        self._post(method, args)

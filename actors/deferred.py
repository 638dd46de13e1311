"""``Deferred``: a handler's way to answer later without holding up its mailbox.

A handler that returns ``Deferred(future)`` lets the actor take its next message at once; the
asker gets the future's result (or error) when it completes. Typical use: group commit, where a
write task owned by the actor resolves many waiting senders with one transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Deferred(Generic[T]):
    """An answer that will be ready when ``future`` is."""

    future: asyncio.Future[T]


def forward(source: asyncio.Future[Any], reply: asyncio.Future[Any]) -> None:
    """Complete ``reply`` like ``source`` once it is done (a tell's Deferred needs no reply)."""

    def transfer(done: asyncio.Future[Any]) -> None:
        if reply.done():
            return
        if done.cancelled():
            reply.cancel()
        elif (error := done.exception()) is not None:
            reply.set_exception(error)
        else:
            reply.set_result(done.result())

    source.add_done_callback(transfer)

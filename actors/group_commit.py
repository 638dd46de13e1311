"""``GroupCommit``: the write task an actor owns to make many staged changes durable in one
transaction, answering each waiting caller only after the commit.

Generic: what a change writes and what happens after the commit belong to the actor. A failed
transaction fails its batch and every change staged behind it (they were decided against state
that included the failed ones) and tells the actor, which must reload what it holds in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import EventyayError, UnavailableError

logger = logging.getLogger(__name__)


class Staged(Protocol):
    """A change waiting for its commit; ``future`` gets ``reply`` once it is durable."""

    @property
    def future(self) -> asyncio.Future[Any]: ...

    @property
    def reply(self) -> Any: ...


W = TypeVar("W", bound=Staged)
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class GroupCommit(Generic[W]):
    """Writes staged changes in batches of up to ``max_batch``, in staging order.

    While a transaction runs, new changes gather for the next one. ``write`` runs inside the
    transaction; ``committed`` runs after the commit, before the callers get their replies (it may
    still change them); ``failed`` runs after a failed transaction. ``what`` names the changes in
    errors (``"The chat message could not be stored"``).
    """

    def __init__(
        self,
        name: str,
        transaction: Transaction,
        write: Callable[[AsyncSession, list[W]], Awaitable[None]],
        committed: Callable[[list[W]], None],
        failed: Callable[[], None],
        *,
        what: str,
        max_batch: int = 2000,
    ) -> None:
        self._name = name
        self._transaction = transaction
        self._write_batch = write
        self._committed = committed
        self._failed = failed
        self._what = what
        self._max_batch = max_batch
        self._staged: list[W] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.writes = 0

    def stage(self, change: W) -> None:
        self._staged.append(change)
        self._idle.clear()
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self._name)

    async def close(self, drain_s: float) -> None:
        """Let staged changes finish for up to ``drain_s``, then stop the task; changes still
        staged or in flight fail (a change in flight may or may not have committed)."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), drain_s)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._staged:
                batch = self._staged[: self._max_batch]
                del self._staged[: self._max_batch]
                if not await self._write(batch):
                    continue
                try:
                    self._finish(batch)
                except Exception:  # the task must outlive a bug in a callback
                    logger.exception("after a commit (%s)", self._name)
            self._idle.set()

    async def _write(self, batch: list[W]) -> bool:
        try:
            async with self._transaction() as session:
                await self._write_batch(session, batch)
        except asyncio.CancelledError:
            interrupted = UnavailableError(
                f"Writing the {self._what} was interrupted; it may or may not be stored",
                component=self._name,
            )
            fail([*batch, *self._staged], interrupted)
            self._staged.clear()
            raise
        except Exception as exc:
            error = exc if isinstance(exc, EventyayError) else None
            if error is None:
                logger.exception("write failed (%s)", self._name)
                error = UnavailableError(
                    f"The {self._what} could not be stored", component="database"
                )
            fail([*batch, *self._staged], error)
            self._staged.clear()
            self._failed()
            return False
        return True

    def _finish(self, batch: list[W]) -> None:
        self.batches += 1
        self.writes += len(batch)
        self._committed(batch)
        for change in batch:
            if not change.future.done():
                change.future.set_result(change.reply)


def fail(changes: Iterable[Staged], error: Exception) -> None:
    """Fail every change not answered yet with ``error``."""
    for change in changes:
        if not change.future.done():
            change.future.set_exception(error)

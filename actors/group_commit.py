"""``GroupCommit``: the write task an actor owns to make many staged changes durable in one
transaction, answering each waiting caller only after the commit.

Generic: what a change writes and what happens after the commit belong to the actor. A failed
transaction fails its batch and every change staged behind it (they were decided against state
that included the failed ones) and tells the actor, which must reload what it holds in memory.

Pipelining (``overlap``): while one batch is written and commits, the next may already be
decided and written in another transaction, when the actor says that batch does not depend on
reading what the earlier ones write. The write function calls ``let_next_start`` once it has
decided (else the next batch starts when it returns). Commits stay in order: each commits only
after the one before it did, and fails if that one failed. At most ``MAX_IN_FLIGHT``
transactions of one actor are open at once.
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
MAX_IN_FLIGHT = 3
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
        overlap: Callable[[list[W]], bool] | None = None,
    ) -> None:
        self._name = name
        self._transaction = transaction
        self._write_batch = write
        self._committed = committed
        self._failed = failed
        self._what = what
        self._max_batch = max_batch
        self._overlap = overlap
        self._in_flight: list[asyncio.Task[bool]] = []
        self._written: asyncio.Future[None] | None = None
        # Whether the batch being written now overlaps a commit still in flight (read by the
        # actor's write function before its first await).
        self.overlapping = False
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
        for task in self._in_flight:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def let_next_start(self) -> None:
        """Called by the write function once its batch is decided: the next batch may start."""
        if self._written is not None and not self._written.done():
            self._written.set_result(None)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._staged:
                batch = self._staged[: self._max_batch]
                self._in_flight = [task for task in self._in_flight if not task.done()]
                previous = self._in_flight[-1] if self._in_flight else None
                if previous is not None and not self._may_overlap(batch):
                    # The newest commits only after all before it: when it is done, all are.
                    await asyncio.wait([previous])
                    continue  # a failure of it failed what was staged: take the batch anew
                if len(self._in_flight) >= MAX_IN_FLIGHT:
                    await asyncio.wait([self._in_flight[0]])
                    continue
                del self._staged[: len(batch)]
                written: asyncio.Future[None] = loop.create_future()
                self._written = written
                self.overlapping = previous is not None
                task = asyncio.create_task(self._write(batch, previous, written), name=self._name)
                self._in_flight.append(task)
                stage_done: list[asyncio.Future[Any]] = [written, task]
                await asyncio.wait(stage_done, return_when=asyncio.FIRST_COMPLETED)
            if self._in_flight:
                await asyncio.wait(self._in_flight)
                self._in_flight = []
            if not self._staged:
                self._idle.set()

    def _may_overlap(self, batch: list[W]) -> bool:
        if self._overlap is None:
            return False
        try:
            return self._overlap(batch)
        except Exception:  # a bug in the predicate must not stop the write task: don't overlap
            logger.exception("overlap check failed (%s)", self._name)
            return False

    async def _write(
        self, batch: list[W], previous: asyncio.Task[bool] | None, written: asyncio.Future[None]
    ) -> bool:
        """Write ``batch``; after ``previous`` (if any) committed, commit. Whether it did."""
        try:
            async with self._transaction() as session:
                await self._write_batch(session, batch)
                if not written.done():
                    written.set_result(None)
                if previous is not None and not await previous:
                    msg = f"The {self._what} was not stored: an earlier write failed"
                    raise UnavailableError(msg, component=self._name)
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
        finally:
            if not written.done():
                written.set_result(None)
        try:
            self._finish(batch)
        except Exception:  # the task must outlive a bug in a callback
            logger.exception("after a commit (%s)", self._name)
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

"""``GroupCommit`` pipelining: the next batch is written while the one before commits, commits
stay in order, and a failed commit fails the batch written behind it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from actors import GroupCommit
from core.errors import UnavailableError


@dataclass
class Change:
    name: str
    future: asyncio.Future[Any] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    reply: Any = None


class Store:
    """Transactions whose commit waits for the test and may be told to fail."""

    def __init__(self) -> None:
        self.commits: list[list[str]] = []
        self.release: dict[str, asyncio.Event] = {}
        self.failing: set[str] = set()
        self.written: list[str] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        batch: list[str] = []
        yield batch
        gate = self.release.setdefault(batch[0], asyncio.Event())
        await gate.wait()
        if batch[0] in self.failing:
            raise OSError("commit failed")
        self.commits.append(batch)

    async def write(self, session: Any, changes: list[Change]) -> None:
        session.extend(change.name for change in changes)
        self.written.extend(change.name for change in changes)
        for change in changes:
            change.reply = change.name


def group_commit(store: Store, failures: list[int]) -> GroupCommit[Change]:
    return GroupCommit(
        "test",
        store.transaction,
        store.write,
        lambda batch: None,
        lambda: failures.append(1),
        what="change",
        max_batch=1,
        overlap=lambda batch: True,
    )


async def until(condition: Any) -> None:
    async with asyncio.timeout(2):
        while not condition():  # noqa: ASYNC110 - waiting on the write task's progress
            await asyncio.sleep(0.001)


async def test_the_next_batch_is_written_while_the_first_commits_and_commits_after_it() -> None:
    store, failures = Store(), []
    commit = group_commit(store, failures)
    first, second = Change("a"), Change("b")
    commit.stage(first)
    commit.stage(second)
    await until(lambda: store.written == ["a", "b"])  # b written before a committed
    assert store.commits == []
    store.release.setdefault("b", asyncio.Event()).set()
    await asyncio.sleep(0.01)
    assert store.commits == []  # b waits for a
    store.release.setdefault("a", asyncio.Event()).set()
    assert await asyncio.gather(first.future, second.future) == ["a", "b"]
    assert store.commits == [["a"], ["b"]]
    await commit.close(1)


async def test_a_failed_commit_fails_the_batch_written_behind_it() -> None:
    store, failures = Store(), []
    commit = group_commit(store, failures)
    first, second = Change("a"), Change("b")
    store.failing.add("a")
    commit.stage(first)
    commit.stage(second)
    await until(lambda: store.written == ["a", "b"])
    store.release.setdefault("b", asyncio.Event()).set()
    store.release.setdefault("a", asyncio.Event()).set()
    with pytest.raises(UnavailableError):
        await first.future
    with pytest.raises(UnavailableError, match="an earlier write failed"):
        await second.future
    assert store.commits == []
    # Later changes are written afresh.
    third = Change("c")
    store.release.setdefault("c", asyncio.Event()).set()
    commit.stage(third)
    assert await third.future == "c"
    assert len(failures) == 2
    await commit.close(1)

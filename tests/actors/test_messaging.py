"""Asks and tells on the embedded runtime: order, one at a time, errors, timeouts."""

from __future__ import annotations

import asyncio

import pytest

from actors import (
    Actor,
    ActorStoppedError,
    ActorSystem,
    AskTimeoutError,
    Deferred,
    ReentrantAskError,
)
from tests.support.sample_actors import Recorder, TooLargeError


async def test_tells_are_handled_in_the_order_sent(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "order")
    for value in range(1000):
        ref.tell(Recorder.record, value)
    assert await ref.ask(Recorder.history) == list(range(1000))


async def test_ask_after_tells_sees_their_effects(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "effects")
    ref.tell(Recorder.record, "a")
    ref.tell(Recorder.record, "b")
    assert await ref.ask(Recorder.history) == ["a", "b"]


async def test_messages_are_handled_one_at_a_time(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "serial")
    results = await asyncio.gather(*(ref.ask(Recorder.slow_record, i, 0.005) for i in range(20)))
    assert sorted(results) == list(range(1, 21))
    assert await ref.ask(Recorder.concurrency) == 1
    assert await ref.ask(Recorder.history) == list(range(20))


async def test_actors_with_different_keys_run_concurrently(actor_system: ActorSystem) -> None:
    refs = [actor_system.ref(Recorder, f"parallel-{i}") for i in range(20)]
    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(ref.ask(Recorder.slow_record, 0, 0.2) for ref in refs))
    # Twenty 0.2 s handlers in well under twenty times 0.2 s: they overlapped.
    assert asyncio.get_running_loop().time() - started < 2.0


async def test_ask_raises_the_handlers_error_as_the_same_type(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "errors")
    with pytest.raises(TooLargeError) as caught:
        await ref.ask(Recorder.check, 11)
    assert caught.value.to_wire() == {
        "code": "test.too_large",
        "message": "The value is too large",
        "details": {"limit": 10, "value": 11},
    }
    with pytest.raises(ValueError, match="negative: -1"):
        await ref.ask(Recorder.check, -1)
    assert await ref.ask(Recorder.check, 3) == 3


async def test_an_error_in_an_ask_does_not_reset_the_actor(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "keeps-state")
    ref.tell(Recorder.record, "kept")
    with pytest.raises(TooLargeError):
        await ref.ask(Recorder.check, 99)
    assert await ref.ask(Recorder.history) == ["kept"]
    assert Recorder.activations == ["keeps-state"]


async def test_ask_times_out_with_a_typed_error(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "slow").with_timeout(0.05)
    with pytest.raises(AskTimeoutError) as caught:
        await ref.ask(Recorder.slow_record, "late", 0.3)
    assert caught.value.details == {
        "kind": "test.recorder",
        "key": "slow",
        "method": "slow_record",
        "timeout_s": 0.05,
    }
    # The message was still handled; the actor goes on.
    assert await ref.with_timeout(2).ask(Recorder.history) == ["late"]


async def test_an_actor_asking_itself_fails_instead_of_deadlocking(
    actor_system: ActorSystem,
) -> None:
    ref = actor_system.ref(Recorder, "self")
    with pytest.raises(ReentrantAskError):
        await ref.ask(Recorder.ask_myself)


async def test_a_method_of_another_class_is_refused(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "typed")

    async def not_a_message(actor: Recorder) -> None:
        return None

    with pytest.raises(TypeError, match="not a message method"):
        ref.tell(not_a_message)
    with pytest.raises(TypeError):
        await ref.ask(Recorder.on_activate)


async def test_keys_must_be_non_empty_strings(actor_system: ActorSystem) -> None:
    with pytest.raises(TypeError):
        actor_system.ref(Recorder, "")


async def test_the_system_refuses_messages_after_stop(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Recorder, "late")
    await ref.ask(Recorder.record, 1)
    await actor_system.stop()
    assert Recorder.deactivations == ["late"]
    with pytest.raises(ActorStoppedError):
        await actor_system.ref(Recorder, "other").ask(Recorder.history)


class Batcher(Actor):
    """Answers asks later, from a batch, while it keeps taking messages."""

    kind_name = "test.batcher"

    async def on_activate(self) -> None:
        self.waiting: list[tuple[int, asyncio.Future[int]]] = []

    async def add(self, value: int) -> Deferred[int]:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiting.append((value, future))
        return Deferred(future)

    async def flush(self) -> int:
        batch, self.waiting = self.waiting, []
        for value, future in batch:
            if value < 0:
                future.set_exception(ValueError("negative"))
            else:
                future.set_result(value * 10)
        return len(batch)


async def test_a_deferred_answer_frees_the_mailbox_until_it_is_ready(
    actor_system: ActorSystem,
) -> None:
    ref = actor_system.ref(Batcher, "b")
    asks = [asyncio.ensure_future(ref.ask(Batcher.add, n)) for n in (1, 2, -3)]
    await asyncio.sleep(0.05)
    assert not any(ask.done() for ask in asks)  # nothing answered yet, yet flush gets in:
    assert await ref.ask(Batcher.flush) == 3
    results = await asyncio.gather(*asks, return_exceptions=True)
    assert results[:2] == [10, 20]
    assert isinstance(results[2], ValueError)

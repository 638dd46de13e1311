"""Supervision, passivation and timers on the embedded runtime."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import pytest

from actors import Actor, ActorStoppedError, ActorSystem, running_actor_system
from tests.actors.conftest import actor_settings
from tests.support.sample_actors import Fragile, Recorder, Ticker


async def eventually(check: object, timeout_s: float = 2.0) -> None:
    """Wait until ``check()`` is true."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def test_a_failing_tell_restarts_the_actor_with_fresh_state(
    actor_system: ActorSystem,
) -> None:
    ref = actor_system.ref(Fragile, "restart")
    await ref.ask(Fragile.set, 7)
    ref.tell(Fragile.fail)
    # Messages sent during the back-off wait for the new instance.
    assert await ref.ask(Fragile.get) == 0
    assert Fragile.activations == 2


async def test_repeated_failures_stop_the_actor_for_a_cooldown() -> None:
    settings = actor_settings(stopped_cooldown_s=0.3)
    async with running_actor_system(settings, node_id="solo") as system:
        ref = system.ref(Fragile, "poison")
        for _ in range(3):  # max_restarts=2: the third failure stops it
            ref.tell(Fragile.fail)
        await eventually(lambda: Fragile.activations == 3)
        with pytest.raises(ActorStoppedError):
            await ref.ask(Fragile.get)
        await asyncio.sleep(0.4)
        # After the cooldown the key activates again, fresh.
        assert await ref.ask(Fragile.get) == 0
        assert Fragile.activations == 4


class Unloadable(Actor):
    kind_name = "test.unloadable"
    attempts: ClassVar[int] = 0

    async def on_activate(self) -> None:
        Unloadable.attempts += 1
        raise LookupError("state missing")

    async def get(self) -> int:
        return 1


async def test_a_failing_activation_fails_the_waiting_asks(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Unloadable, "broken")
    with pytest.raises(LookupError, match="state missing"):
        await ref.ask(Unloadable.get)


class Sleepy(Recorder):
    kind_name = "test.sleepy"
    idle_ttl_s = 0.1


async def test_an_idle_actor_is_passivated_and_comes_back_on_the_next_message(
    actor_system: ActorSystem,
) -> None:
    ref = actor_system.ref(Sleepy, "nap")
    await ref.ask(Sleepy.record, "before")
    assert actor_system.active_count == 1
    await eventually(lambda: actor_system.active_count == 0)
    assert Recorder.deactivations == ["nap"]
    assert await ref.ask(Sleepy.history) == []  # a new activation, with fresh state
    assert Recorder.activations == ["nap", "nap"]


async def test_an_actor_receiving_messages_is_not_passivated(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Sleepy, "busy")
    for step in range(6):
        await ref.ask(Sleepy.record, step)
        await asyncio.sleep(0.05)
    assert await ref.ask(Sleepy.history) == list(range(6))
    assert Recorder.activations == ["busy"]


async def test_an_actor_in_a_long_handler_is_not_passivated(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Sleepy, "long")
    assert await ref.ask(Sleepy.slow_record, "long", 0.35) == 1
    assert Recorder.deactivations == []
    assert await ref.ask(Sleepy.history) == ["long"]


async def test_a_one_shot_timer_tells_the_actor_once(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Ticker, "once")
    await ref.ask(Ticker.schedule, "ping", 0.05)
    await asyncio.sleep(0.2)
    assert await ref.ask(Ticker.seen) == ["ping"]


async def test_a_repeating_timer_fires_until_cancelled(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Ticker, "repeat")
    await ref.ask(Ticker.schedule, "beat", 0.02, 0.02)
    await asyncio.sleep(0.25)
    assert await ref.ask(Ticker.cancel, "beat") is True
    count = len(await ref.ask(Ticker.seen))
    await asyncio.sleep(0.1)
    assert count >= 5
    assert len(await ref.ask(Ticker.seen)) == count
    assert await ref.ask(Ticker.cancel, "beat") is False


async def test_a_pending_timer_keeps_the_actor_active() -> None:
    ticks_at_deactivation: list[list[str]] = []

    class Patient(Ticker):
        kind_name = "test.patient"
        idle_ttl_s = 0.05

        async def on_deactivate(self) -> None:
            ticks_at_deactivation.append(list(self.ticks))

    async with running_actor_system(actor_settings(), node_id="solo") as system:
        ref = system.ref(Patient, "wait")
        await ref.ask(Patient.schedule, "later", 0.3)
        await asyncio.sleep(0.2)
        assert system.active_count == 1  # idle for 4 TTLs, but a timer is pending
        await eventually(lambda: system.active_count == 0)
        assert ticks_at_deactivation == [["later"]]


async def test_restarting_with_the_same_name_replaces_the_timer(actor_system: ActorSystem) -> None:
    ref = actor_system.ref(Ticker, "replace")
    await ref.ask(Ticker.schedule, "x", 0.05)
    await ref.ask(Ticker.schedule, "x", 0.05)
    await asyncio.sleep(0.2)
    assert await ref.ask(Ticker.seen) == ["x"]

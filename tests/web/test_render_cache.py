"""The per-node render cache: kept bodies within the TTL (on an injected clock), one render for
concurrent misses, the entry bound, and failures that are never kept."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from web.render_cache import RenderCache, Rendered


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


class Renderer:
    """Renders ``b"<name>:<n>"`` for its n-th call; optionally waits for ``gate`` first."""

    def __init__(self, name: str = "body", gate: asyncio.Event | None = None) -> None:
        self.name = name
        self.gate = gate
        self.calls = 0

    async def __call__(self) -> bytes:
        self.calls += 1
        call = self.calls
        if self.gate is not None:
            await self.gate.wait()
        return f"{self.name}:{call}".encode()


def rendered_cache(
    clock: FakeClock | None = None, *, ttl_s: float = 5.0, max_entries: int = 8
) -> RenderCache:
    return RenderCache(ttl_s=ttl_s, max_entries=max_entries, clock=clock or FakeClock())


async def test_a_kept_body_is_served_without_rendering_again() -> None:
    cache, render = rendered_cache(), Renderer()

    first = await cache.get("k", render)
    second = await cache.get("k", render)

    assert first == second == Rendered.of(b"body:1")
    assert render.calls == 1


async def test_the_etag_is_a_quoted_hash_of_the_body() -> None:
    rendered = Rendered.of(b"schedule")

    assert rendered.etag == f'"{hashlib.sha256(b"schedule").hexdigest()[:32]}"'
    assert Rendered.of(b"other").etag != rendered.etag


async def test_keys_are_kept_apart() -> None:
    cache = rendered_cache()

    one = await cache.get(("s1", "schedule.json"), Renderer("json"))
    other = await cache.get(("s1", "schedule.xml"), Renderer("xml"))

    assert (one.body, other.body) == (b"json:1", b"xml:1")


async def test_an_entry_is_rendered_again_once_the_ttl_passed() -> None:
    clock = FakeClock()
    cache, render = rendered_cache(clock, ttl_s=5.0), Renderer()

    await cache.get("k", render)
    clock.now_s += 4.9
    within = await cache.get("k", render)
    clock.now_s += 0.1
    after = await cache.get("k", render)

    assert within.body == b"body:1"
    assert after.body == b"body:2"
    assert render.calls == 2


async def test_the_ttl_counts_from_when_the_render_started() -> None:
    clock = FakeClock()
    cache = rendered_cache(clock, ttl_s=5.0)

    async def slow_render() -> bytes:
        clock.now_s += 3.0  # the data was read at the start; rendering took 3 s
        return b"slow"

    await cache.get("k", slow_render)
    clock.now_s += 2.0
    again = Renderer()
    await cache.get("k", again)

    assert again.calls == 1


async def test_concurrent_misses_for_one_key_render_once() -> None:
    gate = asyncio.Event()
    cache, render = rendered_cache(), Renderer(gate=gate)

    waiting = [asyncio.create_task(cache.get("k", render)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    answers = await asyncio.gather(*waiting)

    assert render.calls == 1
    assert set(answers) == {Rendered.of(b"body:1")}


async def test_the_bound_evicts_the_least_recently_used_entry() -> None:
    cache = rendered_cache(max_entries=2)
    await cache.get("a", Renderer("a"))
    await cache.get("b", Renderer("b"))
    await cache.get("a", Renderer("unused"))  # "a" is now the most recently used

    await cache.get("c", Renderer("c"))
    kept_a, again_b = Renderer("a-again"), Renderer("b-again")
    a = await cache.get("a", kept_a)
    b = await cache.get("b", again_b)

    assert len(cache) == 2
    assert (a.body, kept_a.calls) == (b"a:1", 0)
    assert (b.body, again_b.calls) == (b"b-again:1", 1)


async def test_a_failed_render_is_not_kept_and_its_waiters_get_the_error() -> None:
    gate = asyncio.Event()
    cache = rendered_cache()
    calls = 0

    async def failing() -> bytes:
        nonlocal calls
        calls += 1
        await gate.wait()
        raise LookupError("the schedule went away")

    waiting = [asyncio.create_task(cache.get("k", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    retry = await cache.get("k", Renderer())

    assert calls == 1
    assert [type(o) for o in outcomes] == [LookupError] * 3
    assert retry.body == b"body:1"
    assert len(cache) == 1


async def test_a_cancelled_render_is_taken_over_by_a_waiter() -> None:
    gate = asyncio.Event()
    cache = rendered_cache()
    leader_render = Renderer("leader", gate=asyncio.Event())  # never released
    leader = asyncio.create_task(cache.get("k", leader_render))
    await asyncio.sleep(0)
    waiter_render = Renderer("waiter", gate=gate)
    waiter = asyncio.create_task(cache.get("k", waiter_render))
    await asyncio.sleep(0)

    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    gate.set()
    answer = await waiter

    assert answer.body == b"waiter:1"
    assert (leader_render.calls, waiter_render.calls) == (1, 1)


async def test_a_cancelled_waiter_leaves_the_render_running() -> None:
    gate = asyncio.Event()
    cache, render = rendered_cache(), Renderer(gate=gate)
    leader = asyncio.create_task(cache.get("k", render))
    await asyncio.sleep(0)
    waiter = asyncio.create_task(cache.get("k", render))
    await asyncio.sleep(0)

    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    gate.set()

    assert (await leader).body == b"body:1"
    assert render.calls == 1


@pytest.mark.parametrize(("ttl_s", "max_entries"), [(0, 8), (5.0, 0)])
def test_a_cache_that_would_keep_nothing_is_refused(ttl_s: float, max_entries: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        RenderCache(ttl_s=ttl_s, max_entries=max_entries)

"""Fixtures for runtime tests: embedded actor systems, and systems on the real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from actors import ActorSystem, running_actor_system
from core.settings import ActorSettings, RedisSettings
from tests.support.sample_actors import Fragile, Recorder


def actor_settings(**overrides: Any) -> ActorSettings:
    values: dict[str, Any] = {"ask_timeout_s": 2.0, "lease_renew_s": 0.2, "lease_ttl_s": 1.0}
    values.update(overrides)
    return ActorSettings(**values)


@pytest.fixture(autouse=True)
def _reset_sample_actors() -> None:
    Recorder.activations.clear()
    Recorder.deactivations.clear()
    Fragile.activations = 0


@pytest.fixture
async def actor_system() -> AsyncIterator[ActorSystem]:
    """An embedded (in-process) actor system."""
    async with running_actor_system(actor_settings(), node_id="solo") as system:
        yield system


SystemFactory = Callable[..., AbstractAsyncContextManager[ActorSystem]]


@pytest.fixture
def redis_system(redis_url: str, redis_prefix: str) -> SystemFactory:
    """Makes actor systems that share the real Redis under this test's prefix."""

    def make(node_id: str, **overrides: Any) -> AbstractAsyncContextManager[ActorSystem]:
        database = overrides.pop("database", None)
        deps = overrides.pop("deps", None)
        return running_actor_system(
            actor_settings(**overrides),
            node_id=node_id,
            redis_url=redis_url,
            redis_settings=RedisSettings(key_prefix=redis_prefix),
            database=database,
            deps=deps,
        )

    return make

"""Fixtures for multi-process cluster tests: the counter tables and a node launcher."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.database import create_database
from core.migrate import migrate
from core.settings import DatabaseSettings
from tests.conftest import run_blocking
from tests.integration.processes import NodeProcess
from tests.support.sample_actors import counter_tables


@pytest.fixture
def counter_database(postgres_url: str) -> Iterator[str]:
    """The session's PostgreSQL database, migrated, with empty sample counter tables."""

    async def reset(create: bool) -> None:
        database = create_database(postgres_url, DatabaseSettings())
        try:
            await migrate(database)
            async with database.engine.begin() as conn:
                await conn.run_sync(counter_tables.drop_all)
                if create:
                    await conn.run_sync(counter_tables.create_all)
        finally:
            await database.close()

    run_blocking(reset(create=True))
    yield postgres_url
    run_blocking(reset(create=False))


NodeLauncher = Callable[[str, str], NodeProcess]


@pytest.fixture
def launch_node(counter_database: str, redis_prefix: str, tmp_path: Path) -> Iterator[NodeLauncher]:
    """Starts counter nodes (``launch(node_id, redis_url)``); all are stopped afterwards."""
    nodes: list[NodeProcess] = []

    def launch(node_id: str, redis_url: str) -> NodeProcess:
        env = {"DB_URL": counter_database, "REDIS_URL": redis_url, "REDIS_PREFIX": redis_prefix}
        node = NodeProcess(node_id, env, tmp_path)
        nodes.append(node)
        return node

    yield launch
    for node in nodes:
        node.stop()

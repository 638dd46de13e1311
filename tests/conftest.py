"""Shared fixtures: settings, and the real PostgreSQL and Redis servers of this machine.

Without the servers, their tests skip with a message saying what to start; with
TEST_REQUIRE_SERVICES=1 (as CI sets it) they fail instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
import redis.asyncio as aioredis
from sqlalchemy.engine import make_url

from core.database import Database, create_database
from core.migrate import migrate
from core.settings import DatabaseSettings, Settings, load_settings

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("TEST_REQUIRE_SERVICES") == "1"


def make_settings(**overrides: Any) -> Settings:
    """Settings from explicit values only: tests never depend on the process environment."""
    return load_settings(environ={}, **overrides)


def run_blocking(coroutine: Any) -> Any:
    """Run a coroutine to completion from sync code, even when an event loop is running here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def admin_execute(statement: str) -> None:
    """Run one statement on the PostgreSQL admin database (creating and dropping databases)."""
    conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def service_missing(what: str, how: str) -> None:
    message = f"{what} is not reachable; start it ({how})"
    if REQUIRE_SERVICES:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"eyl_test_{uuid4().hex[:10]}"

    try:
        run_blocking(admin_execute(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        service_missing(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} ({exc})",
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        )
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    run_blocking(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of the real Redis server (checked once per session)."""

    async def ping() -> None:
        client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        try:
            await client.ping()
        finally:
            await client.aclose()

    try:
        run_blocking(ping())
    except (OSError, aioredis.RedisError) as exc:
        service_missing(f"Redis at {REDIS_URL} ({exc})", "redis-server --port 6379 --daemonize yes")
    return REDIS_URL


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    prefix = f"eyltest-{uuid4().hex[:10]}"
    yield prefix
    client = aioredis.Redis.from_url(redis_url)
    try:
        async for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            await client.delete(key)
    finally:
        await client.aclose()


@pytest.fixture
async def sqlite_database(tmp_path: Any) -> AsyncIterator[Database]:
    """A migrated SQLite database in the test's own folder."""
    database = create_database(f"sqlite:///{tmp_path}/test.sqlite3", DatabaseSettings())
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
async def postgres_database(postgres_url: str) -> AsyncIterator[Database]:
    """The session's migrated PostgreSQL database (tests use keys of their own)."""
    database = create_database(postgres_url, DatabaseSettings())
    await migrate(database)
    yield database
    await database.close()

"""Database engine and sessions for SQLite (aiosqlite, embedded) and PostgreSQL (asyncpg, cluster).

Owns the shared SQLAlchemy metadata that every package declares its tables on. No tables here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, Table, TypeDecorator, event, insert, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from core.errors import UnavailableError
from core.settings import DatabaseSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database: SQLite keeps no zone, so values read
    back from it get UTC attached (they were written as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


async def insert_rows(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` (all with the same keys) in ``session``'s transaction: one ``COPY`` on
    PostgreSQL (several times faster than a multi-row INSERT for batches), an INSERT elsewhere.

    Only for columns whose Python values the driver encodes as they are (no JSON columns).
    """
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        await session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    try:
        await driver.copy_records_to_table(
            table.name, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
        )
    except Exception as exc:
        # The driver's own error, not SQLAlchemy's: callers catch constraint violations as
        # IntegrityError whichever way the rows went in.
        if str(getattr(exc, "sqlstate", "")).startswith("23"):
            statement = f"COPY {table.name}"
            raise IntegrityError(statement, None, exc) from exc
        raise


class Base(DeclarativeBase):
    """Declarative base whose metadata holds every table of the platform."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def async_url(url: str) -> URL:
    """The URL with the async driver this project uses for its dialect."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg")
    msg = f"unsupported database: {parsed.get_backend_name()}"
    raise ValueError(msg)


class Database:
    """One engine and its session factory; ``transaction()`` is the usual way in."""

    def __init__(self, engine: AsyncEngine, settings: DatabaseSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Check the database answers within the configured timeout.

        Raises:
            UnavailableError: the database did not answer.
        """
        try:
            async with asyncio.timeout(self.settings.timeout_s), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # driver errors (asyncpg, sqlite3, OSError) share no base
            msg = "Database unavailable"
            raise UnavailableError(msg, component="database") from exc

    async def close(self) -> None:
        await self.engine.dispose()


def create_database(url: str, settings: DatabaseSettings) -> Database:
    """Make an engine for ``url`` (no connection is opened yet)."""
    target = async_url(url)
    kwargs: dict[str, Any] = {"echo": settings.echo, "pool_pre_ping": True}
    if target.get_backend_name() == "sqlite":
        if target.database and target.database != ":memory:":
            Path(target.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": settings.timeout_s}
    else:
        kwargs["pool_size"] = settings.pool_size
        kwargs["pool_timeout"] = settings.timeout_s
        kwargs["connect_args"] = {
            "timeout": settings.timeout_s,
            "command_timeout": settings.timeout_s,
        }
    engine = create_async_engine(target, **kwargs)
    if target.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return Database(engine, settings)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@asynccontextmanager
async def running_database(url: str, settings: DatabaseSettings) -> AsyncIterator[Database]:
    """The database for the lifetime of the block; the engine is disposed afterwards."""
    database = create_database(url, settings)
    try:
        yield database
    finally:
        await database.close()

"""Schema migrations through Alembic on the platform's own database connection.

Concurrent nodes migrating one PostgreSQL database serialise on an advisory lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from core.database import Database
from core.errors import UnavailableError

_MIGRATIONS = Path(__file__).with_name("migrations")
# Arbitrary constant key for pg_advisory_xact_lock, shared by every node of a deployment.
_MIGRATION_LOCK_KEY = 0x65766E7479


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


async def current_revision(database: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""

    def read(connection: Any) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.engine.connect() as conn:
        return await conn.run_sync(read)


async def migrate(database: Database, revision: str = "head") -> None:
    """Upgrade the database to ``revision``; safe to run from several nodes at once."""
    config = _config()

    def upgrade(connection: Any) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with database.engine.begin() as conn:
        if database.dialect == "postgresql":
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        await conn.run_sync(upgrade)


async def prepare_schema(database: Database, auto_migrate: bool) -> None:
    """Bring the schema to the head at start-up, or check that it is there.

    SQLite (the embedded mode) is always migrated. PostgreSQL is migrated when ``auto_migrate``
    is on; otherwise a schema behind the code stops the start.

    Raises:
        UnavailableError: the schema is not at the head and may not be migrated here.
    """
    if database.dialect == "sqlite" or auto_migrate:
        await migrate(database)
        return
    current, head = await current_revision(database), head_revision()
    if current != head:
        msg = (
            f"The database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `eventyay migrate` first"
        )
        raise UnavailableError(
            msg,
            component="database",
        )

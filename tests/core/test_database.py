"""Database engines and migrations on SQLite and the real PostgreSQL server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

import actors  # noqa: F401 - declares actor_fences
import catalog.talk.tables  # declares the talk catalog's tables
import catalog.tickets  # noqa: F401 - declares the tickets catalog's tables
import live.tables  # noqa: F401 - declares the live core's tables
from catalog.talk.questions import event_questions
from core.database import Base, Database, create_database
from core.errors import UnavailableError
from core.migrate import current_revision, head_revision, migrate, prepare_schema
from core.settings import DatabaseSettings
from tests.catalog.talk.talk_rows import make_event
from tests.conftest import POSTGRES_ADMIN_URL, admin_execute

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder}/db.sqlite3"


async def table_names(database: Database) -> set[str]:
    async with database.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


@pytest.fixture
async def empty_postgres_url(postgres_url: str) -> AsyncIterator[str]:
    """A PostgreSQL database of this test alone, never migrated, dropped afterwards."""
    # Depending on postgres_url skips (or fails) the test when the server is not running.
    name = f"eyl_test_{uuid4().hex[:10]}"
    await admin_execute(f'CREATE DATABASE "{name}"')
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    await admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def empty_postgres_database(empty_postgres_url: str) -> AsyncIterator[Database]:
    database = create_database(empty_postgres_url, DatabaseSettings())
    yield database
    await database.close()


@pytest.fixture
async def empty_sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    database = create_database(sqlite_url(tmp_path), DatabaseSettings())
    yield database
    await database.close()


@pytest.fixture(params=["sqlite", POSTGRES])
def empty_database(request: pytest.FixtureRequest) -> Database:
    """An unmigrated database of each dialect."""
    database: Database = request.getfixturevalue(f"empty_{request.param}_database")
    return database


@pytest.fixture(params=["sqlite", POSTGRES])
def migrated_database(request: pytest.FixtureRequest) -> Database:
    """The migrated database of each dialect (conftest's sqlite_database and postgres_database)."""
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database


async def test_migrate_creates_every_declared_table(empty_database: Database) -> None:
    assert await current_revision(empty_database) is None

    await migrate(empty_database)

    assert await table_names(empty_database) == set(Base.metadata.tables) | {"alembic_version"}
    assert await current_revision(empty_database) == head_revision()


async def test_migrate_twice_is_a_no_op(empty_database: Database) -> None:
    await migrate(empty_database)
    async with empty_database.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO actor_fences (kind, key, token, node_id, updated_at) "
                "VALUES ('room', 'r1', 7, 'n1', CURRENT_TIMESTAMP)"
            )
        )

    await migrate(empty_database)

    assert await current_revision(empty_database) == head_revision()
    async with empty_database.transaction() as session:
        rows = (await session.execute(text("SELECT kind, key, token FROM actor_fences"))).all()
    assert [tuple(row) for row in rows] == [("room", "r1", 7)]


async def test_head_revision_is_the_newest_migration() -> None:
    versions = Path(__file__).parents[2] / "core" / "migrations" / "versions"
    newest = max(path.name.split("_", 1)[0] for path in versions.glob("[0-9]*_*.py"))
    assert head_revision() == newest


@pytest.mark.postgres
async def test_concurrent_migrations_serialise_on_the_advisory_lock(
    empty_postgres_url: str,
) -> None:
    databases = [create_database(empty_postgres_url, DatabaseSettings()) for _ in range(4)]
    try:
        await asyncio.gather(*(migrate(database) for database in databases))

        revisions = [await current_revision(database) for database in databases]
    finally:
        await asyncio.gather(*(database.close() for database in databases))

    assert revisions == [head_revision()] * 4


@pytest.mark.postgres
async def test_prepare_schema_refuses_postgres_behind_head_without_auto_migrate(
    empty_postgres_database: Database,
) -> None:
    with pytest.raises(UnavailableError) as caught:
        await prepare_schema(empty_postgres_database, auto_migrate=False)

    assert caught.value.to_wire() == {
        "code": "server.unavailable",
        "message": (
            f"The database schema is at nothing, the code needs {head_revision()}: "
            "run `eventyay migrate` first"
        ),
        "details": {"component": "database"},
    }
    assert await current_revision(empty_postgres_database) is None


@pytest.mark.postgres
async def test_prepare_schema_accepts_postgres_at_head_without_auto_migrate(
    postgres_database: Database,
) -> None:
    await prepare_schema(postgres_database, auto_migrate=False)

    assert await current_revision(postgres_database) == head_revision()


@pytest.mark.postgres
async def test_prepare_schema_migrates_postgres_with_auto_migrate(
    empty_postgres_database: Database,
) -> None:
    await prepare_schema(empty_postgres_database, auto_migrate=True)

    assert await current_revision(empty_postgres_database) == head_revision()


async def test_prepare_schema_always_migrates_sqlite(empty_sqlite_database: Database) -> None:
    await prepare_schema(empty_sqlite_database, auto_migrate=False)

    assert await current_revision(empty_sqlite_database) == head_revision()


async def test_ping_succeeds_on_a_reachable_database(sqlite_database: Database) -> None:
    await sqlite_database.ping()


async def test_ping_raises_unavailable_for_an_unreachable_database() -> None:
    database = create_database(
        "postgresql://postgres@127.0.0.1:1/x", DatabaseSettings(timeout_s=1.0)
    )
    try:
        with pytest.raises(UnavailableError) as caught:
            await database.ping()
    finally:
        await database.close()

    assert caught.value.to_wire() == {
        "code": "server.unavailable",
        "message": "Database unavailable",
        "details": {"component": "database"},
    }


async def test_sqlite_database_file_goes_into_a_new_folder(tmp_path: Path) -> None:
    database = create_database(sqlite_url(tmp_path / "a" / "b"), DatabaseSettings())
    try:
        await database.ping()
    finally:
        await database.close()

    assert (tmp_path / "a" / "b" / "db.sqlite3").is_file()
    assert database.dialect == "sqlite"


async def test_transaction_rolls_back_on_error(sqlite_database: Database) -> None:
    async def insert_then_fail() -> None:
        async with sqlite_database.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO actor_fences (kind, key, token, node_id, updated_at) "
                    "VALUES ('room', 'r2', 1, 'n1', CURRENT_TIMESTAMP)"
                )
            )
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError, match="abort"):
        await insert_then_fail()

    async with sqlite_database.transaction() as session:
        count = (await session.execute(text("SELECT count(*) FROM actor_fences"))).scalar_one()
    assert count == 0


async def test_declared_tables_match_the_migrated_schema(migrated_database: Database) -> None:
    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with migrated_database.engine.connect() as conn:
        diff = await conn.run_sync(differences)

    assert diff == []


async def test_migration_0011_moves_choice_options_into_their_column(
    empty_database: Database,
) -> None:
    """Options kept as an answer row of no submission and no speaker (before 0011) become the
    question's ``options``; the row goes."""
    await migrate(empty_database, "0010")
    async with empty_database.transaction() as session:
        event_id = await make_event(session)
        await session.execute(
            text(
                "INSERT INTO talk_questions (id, event_id, text, kind, target, required, sort_key)"
                " VALUES (:id, :event, 'Level?', 'choice', 'submission', false, 0)"
            ),
            {"id": "question-1", "event": event_id},
        )
        await session.execute(
            text("INSERT INTO talk_answers (id, question_id, value) VALUES (:id, :q, :value)"),
            {"id": "answer-1", "q": "question-1", "value": json.dumps(["Beginner", "Expert"])},
        )
    await migrate(empty_database)
    async with empty_database.transaction() as session:
        [question] = await event_questions(session, event_id)
        leftover = await session.scalar(text("SELECT count(*) FROM talk_answers"))
    assert question.options == ("Beginner", "Expert")
    assert leftover == 0

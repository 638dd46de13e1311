"""The composition root: ``create_app`` wires settings, database and actor runtime into Starlette.

This is the only module that knows every package; nothing else builds services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from actors import running_actor_system
from core.database import running_database
from core.errors import EventyayError
from core.migrate import prepare_schema
from core.settings import Settings
from web import health
from web.errors import platform_error
from web.services import Services


def create_app(settings: Settings) -> Starlette:
    """The ASGI app of one node; services start and stop with its lifespan."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with running_database(settings.database_url, settings.db) as database:
            await prepare_schema(database, settings.db.auto_migrate)
            async with running_actor_system(
                settings.actors,
                node_id=settings.node_id,
                redis_url=settings.redis_url,
                redis_settings=settings.redis,
                database=database,
            ) as actors:
                app.state.services = Services(settings, database, actors)
                yield

    return Starlette(
        debug=settings.debug,
        routes=[*health.routes],
        lifespan=lifespan,
        exception_handlers={
            HTTPException: platform_error,
            EventyayError: platform_error,
            Exception: platform_error,
        },
    )

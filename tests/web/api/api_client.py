"""Running the node's app for API tests, and tokens of teams made for them (fresh slugs each:
the PostgreSQL database is shared by the session)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.applications import Starlette

from catalog.tickets.api_tokens import create_api_token
from catalog.tickets.permissions import ALL_PERMISSIONS, Permission
from catalog.tickets.teams import create_organizer, create_team, organizer_id_by_slug
from core.database import Database
from core.ids import new_id
from tests.conftest import make_settings
from web.app import create_app


@dataclass(frozen=True, slots=True)
class ApiClient:
    """An HTTP client to the running app, and the app's database for arranging rows."""

    http: httpx.AsyncClient
    database: Database

    async def token(
        self,
        organizer: str,
        permissions: Iterable[Permission] = ALL_PERMISSIONS,
        *,
        all_events: bool = True,
        event_ids: Collection[str] = (),
    ) -> dict[str, str]:
        """Headers with a new token of a new team of ``organizer`` (made if missing)."""
        async with self.database.transaction() as session:
            organizer_id = await organizer_id_by_slug(session, organizer)
            if organizer_id is None:
                organizer_id = await create_organizer(session, organizer, f"Org {organizer}")
            team_id = await create_team(
                session,
                organizer_id,
                "Team",
                permissions,
                all_events=all_events,
                event_ids=event_ids,
            )
            issued = await create_api_token(session, team_id, "test")
        return {"Authorization": f"Token {issued.token}"}


def fresh_slug(prefix: str = "org") -> str:
    return f"{prefix}-{new_id()[:10]}"


@asynccontextmanager
async def running_api(tmp_path: Path, db_url: str = "") -> AsyncIterator[ApiClient]:
    """The app through its lifespan, on SQLite in ``tmp_path`` or on ``db_url``."""
    settings = make_settings(
        data_dir=tmp_path, db_url=db_url, node_id="node-api", live={"seed_demo": False}
    )
    app: Starlette = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://node.test") as http,
    ):
        yield ApiClient(http, app.state.services.database)

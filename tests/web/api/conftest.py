"""The API under test on SQLite, and on the real PostgreSQL where a test asks for both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.web.api.api_client import ApiClient, running_api

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[ApiClient]:
    """The API on SQLite."""
    async with running_api(tmp_path) as client:
        yield client


@pytest.fixture(params=["sqlite", POSTGRES])
async def any_api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ApiClient]:
    """The API on each database."""
    db_url = "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    async with running_api(tmp_path, db_url) as client:
        yield client

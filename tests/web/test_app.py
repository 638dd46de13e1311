"""The node's HTTP app run through its lifespan: health endpoints and the error handler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.errors import NotFoundError, UnavailableError
from core.settings import Settings
from tests.conftest import make_settings
from web.app import create_app


def embedded_settings(data_dir: Path, **overrides: Any) -> Settings:
    return make_settings(data_dir=data_dir, node_id="node-embedded", **overrides)


@asynccontextmanager
async def running_client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to ``app`` while its lifespan (database, actor system) is running."""
    # Unexpected errors are re-raised by Starlette after the handler answered; keep the answer.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://node.test") as client,
    ):
        yield client


async def explode(_request: Request) -> JSONResponse:
    raise RuntimeError("the database caught fire")


async def not_found(_request: Request) -> JSONResponse:
    raise NotFoundError("No such room", room="r404")


async def unavailable(_request: Request) -> JSONResponse:
    raise UnavailableError(component="media")


def app_with_failing_routes(settings: Settings) -> Starlette:
    app = create_app(settings)
    app.router.routes.extend(
        [
            Route("/test/explode", explode),
            Route("/test/not-found", not_found),
            Route("/test/unavailable", unavailable),
        ]
    )
    return app


async def test_healthz_says_alive_with_the_node_id(tmp_path: Path) -> None:
    async with running_client(create_app(embedded_settings(tmp_path))) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "alive", "node": "node-embedded"}


async def test_readyz_reports_embedded_mode(tmp_path: Path) -> None:
    async with running_client(create_app(embedded_settings(tmp_path))) as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    ready = response.json()
    # The demo's schedule is published to its two rooms: their timeline actors are active.
    assert ready.pop("active_actors") == 2
    assert ready == {
        "status": "ready",
        "node": "node-embedded",
        "mode": "embedded",
        "nodes": ["node-embedded"],
    }


async def test_embedded_start_creates_the_sqlite_database(tmp_path: Path) -> None:
    async with running_client(create_app(embedded_settings(tmp_path / "state"))) as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert (tmp_path / "state" / "eventyay.sqlite3").is_file()


@pytest.mark.redis
@pytest.mark.postgres
async def test_readyz_reports_cluster_mode_with_this_node_listed(
    tmp_path: Path, redis_url: str, redis_prefix: str, postgres_url: str
) -> None:
    settings = make_settings(
        data_dir=tmp_path,
        node_id="node-cluster",
        db_url=postgres_url,
        redis_url=redis_url,
        redis={"key_prefix": redis_prefix},
        live={"seed_demo": False},
    )

    async with running_client(create_app(settings)) as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "node": "node-cluster",
        "mode": "cluster",
        "active_actors": 0,
        "nodes": ["node-cluster"],
    }


async def test_unexpected_error_becomes_server_error_with_an_error_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_client(app_with_failing_routes(embedded_settings(tmp_path))) as client:
        response = await client.get("/test/explode")

    assert response.status_code == 500
    body = response.json()
    error_id = body["error"]["details"]["error_id"]
    assert body == {
        "ok": False,
        "error": {
            "code": "server.error",
            "message": "Unexpected server error",
            "details": {"error_id": error_id},
        },
    }
    assert len(error_id) == 12
    # The id ties the client's reply to the logged traceback; the client never sees the cause.
    logged = [record for record in caplog.records if error_id in record.getMessage()]
    assert [record.exc_info[0] for record in logged if record.exc_info] == [RuntimeError]
    assert "caught fire" not in response.text


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        (
            "/test/not-found",
            404,
            {"code": "protocol.not_found", "message": "No such room", "details": {"room": "r404"}},
        ),
        (
            "/test/unavailable",
            503,
            {
                "code": "server.unavailable",
                "message": "A server component is unavailable",
                "details": {"component": "media"},
            },
        ),
    ],
)
async def test_platform_errors_keep_their_code_status_and_details(
    tmp_path: Path, path: str, status: int, error: dict[str, Any]
) -> None:
    async with running_client(app_with_failing_routes(embedded_settings(tmp_path))) as client:
        response = await client.get(path)

    assert (response.status_code, response.json()) == (status, {"ok": False, "error": error})


async def test_unknown_paths_and_methods_answer_in_the_error_shape(tmp_path: Path) -> None:
    async with running_client(create_app(embedded_settings(tmp_path))) as client:
        missing = await client.get("/no/such/page")
        wrong_method = await client.post("/healthz")
    assert (missing.status_code, missing.json()) == (
        404,
        {
            "ok": False,
            "error": {
                "code": "protocol.not_found",
                "message": "Not found",
                "details": {"path": "/no/such/page"},
            },
        },
    )
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (
        405,
        "protocol.method_not_allowed",
    )

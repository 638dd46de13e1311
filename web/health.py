"""Liveness and readiness endpoints for load balancers and orchestrators."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.errors import UnavailableError
from web.services import Services


async def healthz(request: Request) -> JSONResponse:
    """Alive: the process serves HTTP. Says nothing about its dependencies."""
    services: Services = request.app.state.services
    return JSONResponse({"status": "alive", "node": services.actors.node_id})


async def readyz(request: Request) -> JSONResponse:
    """Ready: the database answers, and in cluster mode Redis too (503 otherwise)."""
    services: Services = request.app.state.services
    checks = {"database": services.database.ping()}
    if services.settings.cluster_mode:
        checks["redis"] = services.actors.transport.ping()
    results = await asyncio.gather(*checks.values(), return_exceptions=True)
    failures = {
        name: result.message if isinstance(result, UnavailableError) else repr(result)
        for name, result in zip(checks, results, strict=True)
        if isinstance(result, BaseException)
    }
    body: dict[str, object] = {
        "status": "unavailable" if failures else "ready",
        "node": services.actors.node_id,
        "mode": "cluster" if services.settings.cluster_mode else "embedded",
        "active_actors": services.actors.active_count,
    }
    if failures:
        body["failures"] = failures
        return JSONResponse(body, status_code=503)
    try:
        body["nodes"] = await services.actors.transport.live_nodes()
    except (UnavailableError, TimeoutError):
        body["nodes"] = []
    return JSONResponse(body)


routes = [Route("/healthz", healthz), Route("/readyz", readyz)]

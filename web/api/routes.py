"""The Starlette routes of ``/api/v1``: one per registered endpoint, and the OpenAPI document."""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from web.api import resources  # noqa: F401 - registers the endpoints
from web.api.dispatch import starlette_endpoint
from web.api.openapi import openapi_document
from web.api.registry import API_PREFIX, api

OPENAPI_PATH = API_PREFIX + "/openapi.json"


@functools.cache
def _document() -> dict[str, Any]:
    return openapi_document(api)


async def openapi(_request: Request) -> JSONResponse:
    return JSONResponse(_document())


def api_routes() -> list[BaseRoute]:
    """Routes for every endpoint registered so far, plus ``GET /api/v1/openapi.json``."""
    routes: list[BaseRoute] = [Route(OPENAPI_PATH, openapi, methods=["GET"])]
    routes += [Route(e.full_path, starlette_endpoint(e), methods=[e.method]) for e in api.endpoints]
    return routes

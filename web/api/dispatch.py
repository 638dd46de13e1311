"""Runs one registered endpoint for a request: authentication, idempotency, validation of query
and body, the organizer/event scope and its permission (``web.api.scope``), one transaction, and
the response."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from catalog.tickets.api_tokens import token_principal
from catalog.tickets.permissions import Principal
from core.clock import utc_now
from core.database import Database
from core.errors import EventyayError, InvalidPayloadError
from web.api.call import ApiCall
from web.api.errors import ConflictError, UnauthenticatedError, api_error_response
from web.api.idempotency import HEADER, request_hash, run_once
from web.api.pages import Page, PageQuery, page_body
from web.api.registry import WRITE_METHODS, Endpoint
from web.api.scope import enter_scope
from web.services import Services

_SCHEME = "token "
logger = logging.getLogger(__name__)


def starlette_endpoint(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint function serving ``endpoint``."""

    async def serve(request: Request) -> Response:
        services: Services = request.app.state.services
        try:
            return await _serve(endpoint, request, services.database)
        except EventyayError as exc:
            return await api_error_response(request, exc)

    serve.__name__ = endpoint.operation_id
    return serve


async def _serve(endpoint: Endpoint, request: Request, database: Database) -> Response:
    principal = await _authenticate(request, database) if endpoint.auth else None
    raw = await request.body()
    key = request.headers.get(HEADER)
    if principal is None or key is None or endpoint.method not in WRITE_METHODS:
        return await _respond(endpoint, request, database, principal, raw)
    fingerprint = request_hash(request.method, request.url.path, request.url.query, raw)
    return await run_once(
        database,
        principal.id,
        key,
        fingerprint,
        lambda: _respond(endpoint, request, database, principal, raw),
    )


async def _authenticate(request: Request, database: Database) -> Principal:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith(_SCHEME):
        raise UnauthenticatedError()
    async with database.transaction() as session:
        principal = await token_principal(session, header[len(_SCHEME) :].strip())
    if principal is None:
        msg = "The API token is unknown or revoked"
        raise UnauthenticatedError(msg)
    return principal


async def _respond(
    endpoint: Endpoint,
    request: Request,
    database: Database,
    principal: Principal | None,
    raw: bytes,
) -> Response:
    """The handler's answer, or its error as a response (so that it can be stored and replayed)."""
    try:
        params = dict(request.query_params)
        page = _validated(PageQuery, params, "query") if endpoint.paginated else PageQuery()
        query = _validated(endpoint.query, params, "query")
        body = _validated_json(endpoint.body, raw)
        async with database.transaction() as session:
            call = ApiCall(request, session, principal, utc_now(), body, query, page)
            if principal is not None:
                await enter_scope(call, principal, endpoint.permission, talk=endpoint.talk)
            result = await endpoint.handler(call)
    except IntegrityError:
        return await api_error_response(request, ConflictError())
    except EventyayError as exc:
        return await api_error_response(request, exc)
    await _run_after_commit(call)
    return _render(endpoint, request, page, result)


async def _run_after_commit(call: ApiCall) -> None:
    for hook in call.after_commit_hooks:
        try:
            outcome = hook()
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:  # the change is committed; the answer must say so
            logger.exception("after-commit hook of %s failed", call.request.url.path)


def _validated(model: type[Any] | None, data: object, where: str) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayloadError(errors=_field_errors(exc, where)) from None


def _validated_json(model: type[BaseModel] | None, raw: bytes) -> BaseModel | None:
    if model is None:
        return None
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        raise InvalidPayloadError(errors=_field_errors(exc, "body")) from None


def _field_errors(exc: ValidationError, where: str) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in error["loc"]) or f"({where})",
            "message": error["msg"],
            "in": where,
        }
        for error in exc.errors(include_url=False)
    ]


def _render(endpoint: Endpoint, request: Request, page: PageQuery, result: object) -> Response:
    if isinstance(result, Response):  # a handler with answers of several shapes (pretix's redeem)
        return result
    if isinstance(result, Page):
        return JSONResponse(page_body(request.url, page, result), status_code=endpoint.status)
    if isinstance(result, BaseModel):
        return JSONResponse(result.model_dump(mode="json"), status_code=endpoint.status)
    return Response(status_code=204)

"""Runs one registered endpoint for a request: authentication, idempotency, validation of query
and body, the organizer/event scope and its permission, one transaction, and the response."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from catalog.talk.tables import talk_events
from catalog.tickets.api_tokens import token_principal
from catalog.tickets.permissions import Permission, Principal, require
from catalog.tickets.tables import organizers, ticket_events
from core.clock import utc_now
from core.database import Database
from core.errors import EventyayError, InvalidPayloadError, NotFoundError
from web.api.call import ApiCall, EventRef, OrganizerRef
from web.api.errors import ConflictError, UnauthenticatedError, api_error_response
from web.api.idempotency import HEADER, request_hash, run_once
from web.api.pages import Page, PageQuery, page_body
from web.api.registry import WRITE_METHODS, Endpoint
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
                await _enter_scope(call, principal, endpoint.permission, talk=endpoint.talk)
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


async def _enter_scope(
    call: ApiCall, principal: Principal, permission: Permission | None, *, talk: bool = False
) -> None:
    """Resolve ``{organizer}`` and ``{event}`` of the path (the talk event for ``talk``) and check
    the endpoint's permission.

    An organizer the principal has no team in is as unknown as one that does not exist.
    """
    organizer_slug = call.request.path_params.get("organizer")
    if organizer_slug is None:
        return
    row = (
        await call.session.execute(
            select(organizers.c.id, organizers.c.slug, organizers.c.name).where(
                organizers.c.slug == organizer_slug
            )
        )
    ).first()
    if row is None or row.id not in principal.organizer_ids:
        msg = "No such organizer"
        raise NotFoundError(msg, organizer=organizer_slug)
    call.organizer_ref = OrganizerRef(row.id, row.slug, row.name)
    event_slug = call.request.path_params.get("event")
    scope_event_id: str | None = None
    if event_slug is not None:
        event_id = await _event_id(call, ticket_events, f"{organizer_slug}/{event_slug}", row.id)
        scope_event_id = event_id
        if talk:
            # A team limited to some events reaches a talk event through the ticket event of the
            # same slug; without one, only teams on all events do.
            scope_event_id = event_id or f"talk:{event_slug}"
            event_id = await _event_id(call, talk_events, f"{organizer_slug}/{event_slug}", None)
        if event_id is None:
            msg = "No such event"
            raise NotFoundError(msg, event=event_slug)
        call.event_ref = EventRef(event_id, row.id, event_slug)
    require(principal, permission, row.id, scope_event_id)


async def _event_id(call: ApiCall, table: Table, slug: str, organizer_id: str | None) -> str | None:
    """The id of the event of ``table`` with the full ``slug`` (of ``organizer_id`` when given)."""
    statement = select(table.c.id).where(table.c.slug == slug)
    if organizer_id is not None:
        statement = statement.where(table.c.organizer_id == organizer_id)
    found = (await call.session.execute(statement)).scalar_one_or_none()
    return None if found is None else str(found)


def _render(endpoint: Endpoint, request: Request, page: PageQuery, result: object) -> Response:
    if isinstance(result, Response):  # a handler with answers of several shapes (pretix's redeem)
        return result
    if isinstance(result, Page):
        return JSONResponse(page_body(request.url, page, result), status_code=endpoint.status)
    if isinstance(result, BaseModel):
        return JSONResponse(result.model_dump(mode="json"), status_code=endpoint.status)
    return Response(status_code=204)

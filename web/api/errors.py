"""Errors of the REST API itself (authentication, idempotency, conflicts) and the one function
that renders any error as an API response, with ``Retry-After`` when the error says when."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response

from core.errors import EventyayError, ProtocolError
from web.errors import platform_error


class UnauthenticatedError(ProtocolError):
    """No ``Authorization: Token …`` header, or the token is unknown or revoked."""

    code = "api.unauthenticated"
    status = 401
    default_message = "Send a valid API token as 'Authorization: Token <token>'"


class IdempotencyMismatchError(ProtocolError):
    """The ``Idempotency-Key`` was used before for a different request."""

    code = "api.idempotency_mismatch"
    status = 422
    default_message = "This Idempotency-Key was used for a different request"


class IdempotencyInProgressError(ProtocolError):
    """The first request with this ``Idempotency-Key`` is still running (``retry_after_s``)."""

    code = "api.idempotency_in_progress"
    status = 409
    default_message = "A request with this Idempotency-Key is still running; retry shortly"


class ConflictError(ProtocolError):
    """The write conflicts with stored data: a slug or code taken, or the object still in use."""

    code = "api.conflict"
    status = 409
    default_message = "The change conflicts with existing data"


async def api_error_response(request: Request, exc: Exception) -> Response:
    """The platform's error body; ``Retry-After`` from ``details.retry_after_s``; a 401 names
    the ``Token`` scheme."""
    response = await platform_error(request, exc)
    if isinstance(exc, EventyayError):
        retry_after_s = exc.details.get("retry_after_s")
        if isinstance(retry_after_s, int | float) and retry_after_s >= 0:
            response.headers["Retry-After"] = str(max(1, math.ceil(retry_after_s)))
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Token"
    return response

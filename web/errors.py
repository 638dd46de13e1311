"""The one Starlette exception handler that turns errors into their wire form."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.errors import EventyayError, MethodNotAllowedError, NotFoundError, ServerError
from core.ids import new_error_id

logger = logging.getLogger(__name__)


_ROUTING_ERRORS: dict[int, type[EventyayError]] = {
    404: NotFoundError,
    405: MethodNotAllowedError,
}


async def platform_error(request: Request, exc: Exception) -> Response:
    """``{"ok": false, "error": {code, message, details}}`` with the error's HTTP status."""
    if isinstance(exc, HTTPException):
        routing_error = _ROUTING_ERRORS.get(exc.status_code)
        if routing_error is None:
            return Response(exc.detail, status_code=exc.status_code, headers=exc.headers)
        exc = routing_error(path=request.url.path)
    if not isinstance(exc, EventyayError):
        error_id = new_error_id()
        logger.exception("unexpected error %s on %s", error_id, request.url.path, exc_info=exc)
        exc = ServerError(error_id=error_id)
    elif exc.status >= 500:
        logger.warning("%s on %s: %s", exc.code, request.url.path, exc.message)
    return JSONResponse({"ok": False, "error": exc.to_wire()}, status_code=exc.status)

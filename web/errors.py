"""The one Starlette exception handler that turns errors into their wire form."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

from core.errors import EventyayError, ServerError
from core.ids import new_error_id

logger = logging.getLogger(__name__)


async def platform_error(request: Request, exc: Exception) -> JSONResponse:
    """``{"ok": false, "error": {code, message, details}}`` with the error's HTTP status."""
    if not isinstance(exc, EventyayError):
        error_id = new_error_id()
        logger.exception("unexpected error %s on %s", error_id, request.url.path, exc_info=exc)
        exc = ServerError(error_id=error_id)
    elif exc.status >= 500:
        logger.warning("%s on %s: %s", exc.code, request.url.path, exc.message)
    return JSONResponse({"ok": False, "error": exc.to_wire()}, status_code=exc.status)

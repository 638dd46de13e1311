"""Browser logins of accounts (organizers, reviewers and speakers share one account table): the
session cookie and who it belongs to. The tokens themselves are issued and checked by
``catalog.tickets.accounts``; this module only carries them in an HttpOnly cookie.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from catalog.tickets import end_session, session_account, start_session
from web.services import Services

COOKIE = "eventyay_session"
_MAX_TOKEN_CHARS = 100


def _token(request: Request) -> str | None:
    token = request.cookies.get(COOKIE, "")
    return token if 0 < len(token) <= _MAX_TOKEN_CHARS else None


async def current_account(request: Request) -> str | None:
    """The logged-in account of this request, or None (no cookie, expired, logged out,
    deactivated)."""
    token = _token(request)
    if token is None:
        return None
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        return await session_account(session, token)


async def sign_in(request: Request, response: Response, account_id: str) -> None:
    """Start a session for ``account_id`` and set its cookie on ``response``."""
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        token = await start_session(session, account_id)
    response.set_cookie(
        COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


async def sign_out(request: Request, response: Response) -> None:
    """End this browser's session (its token stops working at once) and drop the cookie."""
    token = _token(request)
    if token is not None:
        services: Services = request.app.state.services
        async with services.database.transaction() as session:
            await end_session(session, token)
    response.delete_cookie(COOKIE, path="/")

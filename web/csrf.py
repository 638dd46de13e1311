"""CSRF protection of the server-rendered forms (shop, call for papers, speaker and reviewer
pages): a signed double-submit token.

A random value lives in one HttpOnly cookie for the whole site (so forms of every page and the
logout form on all of them agree); every form carries an
HMAC of it under a key derived from the installation's secret. A forged cross-site form has
neither, and a cookie planted by a sibling host is useless without the matching signature.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from core.secrets import load_secret_key

COOKIE = "csrf"
FIELD = "csrf_token"
_VALUE_CHARS = 32


@dataclass(frozen=True, slots=True)
class CsrfTicket:
    """The cookie value of this browser (``new``: it must be set on the response) and the
    token its forms carry."""

    value: str
    token: str
    new: bool

    def set_on(self, response: Response, request: Request) -> None:
        if self.new:
            response.set_cookie(
                COOKIE,
                self.value,
                path="/",
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )


async def csrf_key(request: Request) -> bytes:
    """The signing key, derived once per app from the installation's secret key."""
    state = request.app.state
    key: bytes | None = getattr(state, "csrf_key", None)
    if key is None:
        secret = await asyncio.to_thread(load_secret_key, state.services.settings)
        key = hmac.new(secret.encode(), b"eventyay-csrf", hashlib.sha256).digest()
        state.csrf_key = key
    return key


def _sign(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _cookie_value(request: Request) -> str | None:
    value = request.cookies.get(COOKIE, "")
    ok = len(value) == _VALUE_CHARS and all(c in "0123456789abcdef" for c in value)
    return value if ok else None


async def csrf_ticket(request: Request) -> CsrfTicket:
    """This browser's token, with a new cookie value if it has none yet."""
    value = _cookie_value(request)
    new = value is None
    if value is None:
        value = secrets.token_hex(_VALUE_CHARS // 2)
    return CsrfTicket(value, _sign(await csrf_key(request), value), new)


async def csrf_valid(request: Request, token: object) -> bool:
    """Whether a submitted form's token matches this browser's cookie."""
    value = _cookie_value(request)
    if value is None or not isinstance(token, str) or not token:
        return False
    return hmac.compare_digest(token, _sign(await csrf_key(request), value))

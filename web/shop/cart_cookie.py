"""The cart cookie: a random cart id per browser and event, HttpOnly and SameSite=Lax, scoped to
the event's shop path. It only names the cart; what the cart holds is the inventory's."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.ids import new_id

COOKIE = "shop_cart"
_ID_CHARS = 32
CART_MAX_AGE_S = 7 * 24 * 3600


def cart_id_of(request: Request) -> str | None:
    """The cart id this browser sent, if it is one the shop could have made."""
    value = request.cookies.get(COOKIE, "")
    ok = len(value) == _ID_CHARS and all(c in "0123456789abcdef" for c in value)
    return value if ok else None


def new_cart_id() -> str:
    return new_id()


def set_cart_cookie(response: Response, request: Request, cart_id: str, path: str) -> None:
    response.set_cookie(
        COOKIE,
        cart_id,
        max_age=CART_MAX_AGE_S,
        path=path,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )

"""What every shop page and form handler shares: rendering with the event and a CSRF token,
the 404 and 403 pages, and reading a POSTed form only when its CSRF token is good."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web.csrf import FIELD, csrf_ticket, csrf_valid
from web.shop.rendering import error_page, render
from web.shop.shop_event import ShopEvent

_MAX_FORM_FIELDS = 1000


async def shop_page(
    request: Request,
    event: ShopEvent,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    ticket = await csrf_ticket(request)
    response = render(
        template,
        {"event": event, "csrf_field": FIELD, "csrf_token": ticket.token, **context},
        status_code=status_code,
    )
    ticket.set_on(response, request)
    return response


def not_found(what: str = "This page") -> HTMLResponse:
    return error_page(
        "Not found",
        f"{what} does not exist. Please check the link you followed.",
        status_code=404,
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def checked_form(request: Request, event: ShopEvent) -> FormData | Response:
    """The request's form, or the 403 page when its CSRF token is missing or wrong."""
    form = await request.form(max_files=0, max_fields=_MAX_FORM_FIELDS)
    if not await csrf_valid(request, form.get(FIELD)):
        return error_page(
            "Form expired",
            "This form could not be accepted: it was sent from another site, or your browser "
            "did not keep the shop's cookie. Please go back, reload the page and try again.",
            status_code=403,
            back=event.path,
        )
    return form

"""Rendering the reviewer pages: the talk layout's variables and a CSRF token on every page, the
refusal pages (log in, 404, 403), and reading a POSTed form only when its CSRF token is good.
No data access here."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web.csrf import FIELD, csrf_ticket, csrf_valid
from web.talk_pages.review_access import Refusal, Reviewer
from web.templating import page_environment

# Reviews are confidential: never cached, never framed, no referrer to links followed from them.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
_MAX_FORM_FIELDS = 200


def score(value: Decimal | None) -> str:
    """``2.50``; an en dash for no score."""
    return "\u2013" if value is None else f"{value.quantize(Decimal('0.01')):f}"


@cache
def environment() -> Environment:
    return page_environment({"score": score})


async def render(
    request: Request,
    layout: dict[str, str],
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """``talk/<template>`` with ``layout`` (``event_name``, ``event_base``, ``account_name``)
    and this browser's CSRF token; its cookie covers every path, so the layout's log-out form
    works from here too."""
    ticket = await csrf_ticket(request)
    html = (
        environment()
        .get_template(f"talk/{template}")
        .render(
            **layout,
            csrf_token=ticket.token,
            csrf_field=FIELD,
            request_path=request.url.path,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code, headers=_HEADERS)
    ticket.set_on(response, request, "/")
    return response


def layout_of(reviewer: Reviewer) -> dict[str, str]:
    return {
        "event_name": reviewer.event.name,
        "event_base": reviewer.event.base,
        "account_name": reviewer.name,
    }


async def message(
    request: Request, layout: dict[str, str], title: str, text: str, *, status_code: int
) -> HTMLResponse:
    return await render(
        request,
        layout,
        "review_message.html",
        {"title": title, "message": text},
        status_code=status_code,
    )


async def refused(request: Request, refusal: Refusal) -> Response:
    """To the login page (and back here afterwards), or the 404 or 403 page."""
    if refusal.reason == "login":
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/account/login?{urlencode({'next': back})}", status_code=302)
    slug = f"{request.path_params['organizer']}/{request.path_params['event']}"
    layout = {"event_name": slug, "event_base": f"/{slug}", "account_name": refusal.account_name}
    if refusal.reason == "no_event":
        return await message(
            request, layout, "Not found", "There is no event at this address.", status_code=404
        )
    return await message(
        request,
        layout,
        "Not a reviewer of this event",
        "Your account is not in a team that may review this event's submissions. "
        "Ask the organizers to add you to their review team.",
        status_code=403,
    )


async def checked_form(request: Request, layout: dict[str, str]) -> FormData | Response:
    """The request's form, or the 403 page when its CSRF token is missing or wrong."""
    form = await request.form(max_files=0, max_fields=_MAX_FORM_FIELDS)
    if not await csrf_valid(request, form.get(FIELD)):
        return await message(
            request,
            layout,
            "Form expired",
            "This form could not be accepted: it was sent from another site, or your browser "
            "did not keep this site's cookie. Please go back, reload the page and try again.",
            status_code=403,
        )
    return form

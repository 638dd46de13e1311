"""What the account, call-for-papers and speaker pages share: rendering a ``talk/`` template with
the layout's variables and a CSRF token, reading a POSTed form only when its token is good, the
message page (not found, refused, closed), redirects and the local ``next`` of a login.

The CSRF cookie lives on ``/``: the layout's logout form posts to ``/account/logout`` from every
event page, so one cookie has to reach both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web.csrf import FIELD, csrf_ticket, csrf_valid
from web.templating import page_environment

# Invitation pages hold their secret token in the URL: never send it on as a referrer.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
_MAX_FORM_FIELDS = 200


@dataclass(frozen=True, slots=True)
class PageEvent:
    """The talk event a page belongs to; ``slug`` is ``<organizer>/<event>``."""

    id: str
    slug: str
    name: str
    timezone: str

    @property
    def base(self) -> str:
        return f"/{self.slug}"


@cache
def environment() -> Environment:
    return page_environment({})


async def talk_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    event: PageEvent | None = None,
    account_name: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The page ``talk/<template>`` with the layout's variables and this browser's CSRF token."""
    ticket = await csrf_ticket(request)
    layout = {
        "event_name": event.name if event else "eventyay",
        "event_base": event.base if event else "",
        "account_name": account_name,
        "csrf_field": FIELD,
        "csrf_token": ticket.token,
        "request_path": request.url.path,
    }
    html = environment().get_template(f"talk/{template}").render(**layout, **context)
    response = HTMLResponse(html, status_code=status_code, headers=_HEADERS)
    ticket.set_on(response, request)
    return response


async def message_page(
    request: Request,
    title: str,
    message: str,
    *,
    status_code: int,
    event: PageEvent | None = None,
    account_name: str = "",
    back: str | None = None,
) -> HTMLResponse:
    """A plain page saying why the request cannot be served (not found, refused, closed)."""
    context = {"title": title, "message": message, "back": back}
    return await talk_page(
        request,
        "message.html",
        context,
        event=event,
        account_name=account_name,
        status_code=status_code,
    )


async def not_found(request: Request, what: str = "This page", **layout: Any) -> HTMLResponse:
    message = f"{what} does not exist, or you may not see it. Please check the link you followed."
    return await message_page(request, "Not found", message, status_code=404, **layout)


async def checked_form(request: Request, **layout: Any) -> FormData | Response:
    """The request's form, or a 403 page when its CSRF token is missing or wrong."""
    form = await request.form(max_files=0, max_fields=_MAX_FORM_FIELDS)
    if not await csrf_valid(request, form.get(FIELD)):
        message = (
            "This form could not be accepted: it was sent from another site, or your browser "
            "did not keep the site's cookie. Please go back, reload the page and try again."
        )
        return await message_page(request, "Form expired", message, status_code=403, **layout)
    return form


def field(form: FormData, name: str) -> str:
    """A text field of the form, stripped; empty when missing or a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local_path(target: str | None, fallback: str = "/") -> str:
    """``target`` when it is a path on this site (``/...``, not ``//host`` or ``/\\host``), else
    ``fallback``: a login's ``next`` never leads elsewhere."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return fallback
    return target


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, coming back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/account/login?next={quote(here, safe='/')}")

"""Account pages shared by speakers and reviewers: sign up, log in (throttled per email and client
address, ``web.login_throttle``), log out, and who is logged in. Passwords and sessions are
``catalog.tickets``' business; this module only reads the forms and reveals no more about which
emails have accounts than ``create_account`` does."""

from __future__ import annotations

import math

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from catalog.tickets import EmailTakenError, LoginFailedError, check_login, create_account
from core.errors import InvalidPayloadError
from web.account_session import current_account, sign_in, sign_out
from web.login_throttle import app_throttle
from web.services import Services
from web.talk_pages.speaker_records import Account, account
from web.talk_pages.talk_page import checked_form, field, local_path, see_other, talk_page

MAX_NAME_CHARS = 200
MAX_EMAIL_CHARS = 254


async def signed_in(request: Request) -> Account | None:
    """The logged-in account of this request, or None."""
    account_id = await current_account(request)
    if account_id is None:
        return None
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        return await account(session, account_id)


async def _form_page(
    request: Request,
    template: str,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    current = await signed_in(request)
    context = {"values": values, "errors": errors}
    return await talk_page(
        request,
        template,
        context,
        account_name=current.name if current else "",
        status_code=status_code,
    )


def _next(request: Request, form: FormData | None = None) -> str:
    raw = field(form, "next") if form is not None else request.query_params.get("next")
    return local_path(raw)


def signup_errors(name: str, email: str) -> dict[str, str]:
    """Problems of the name and email (the password's rules are ``create_account``'s)."""
    errors = {}
    if not name or len(name) > MAX_NAME_CHARS:
        errors["name"] = f"Please enter your name (at most {MAX_NAME_CHARS} characters)."
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > MAX_EMAIL_CHARS or " " in email:
        errors["email"] = "Please enter a valid email address."
    return errors


async def signup(request: Request) -> Response:
    if request.method == "GET":
        return await _form_page(request, "signup.html", {"next": _next(request)}, {})
    form = await checked_form(request)
    if isinstance(form, Response):
        return form
    name, email = field(form, "name"), field(form, "email")
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    values = {"name": name, "email": email, "next": _next(request, form)}
    errors = signup_errors(name, email)
    if not errors:
        services: Services = request.app.state.services
        try:
            async with services.database.transaction() as session:
                account_id = await create_account(session, email, name, password)
        except EmailTakenError:
            errors["email"] = "An account with this email exists already. Please log in."
        except InvalidPayloadError as error:
            errors["password"] = error.message + "."
    if errors:
        return await _form_page(request, "signup.html", values, errors, status_code=400)
    response = see_other(values["next"])
    await sign_in(request, response, account_id)
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        return await _form_page(request, "login.html", {"next": _next(request)}, {})
    form = await checked_form(request)
    if isinstance(form, Response):
        return form
    email = field(form, "email")
    password = form.get("password")
    values = {"email": email, "next": _next(request, form)}
    throttle = app_throttle(request)
    keys = throttle.keys(email, request.client.host if request.client else None)
    wait_s = throttle.retry_after(keys)
    if wait_s > 0:
        minutes = math.ceil(wait_s / 60)
        errors = {"form": f"Too many failed logins. Please try again in {minutes} min."}
        response = await _form_page(request, "login.html", values, errors, status_code=429)
        response.headers["Retry-After"] = str(math.ceil(wait_s))
        return response
    services: Services = request.app.state.services
    try:
        async with services.database.transaction() as session:
            account_id = await check_login(
                session, email, password if isinstance(password, str) else ""
            )
    except LoginFailedError as error:
        throttle.failed(keys)
        errors = {"form": error.message + "."}
        return await _form_page(request, "login.html", values, errors, status_code=401)
    throttle.succeeded(keys)
    response = see_other(values["next"])
    await sign_in(request, response, account_id)
    return response


async def logout(request: Request) -> Response:
    form = await checked_form(request)
    if isinstance(form, Response):
        return form
    response = see_other(local_path(field(form, "next"), "/account/login"))
    await sign_out(request, response)
    return response


routes: list[BaseRoute] = [
    Route("/account/signup", signup, methods=["GET", "POST"]),
    Route("/account/login", login, methods=["GET", "POST"]),
    Route("/account/logout", logout, methods=["POST"]),
]

"""The account pages over HTTP: sign up, log in (``next`` only to local paths), log out with a
CSRF token; errors shown in the form, the same answer for unknown emails and wrong passwords."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert
from starlette.applications import Starlette

from catalog.tickets import account_tables, start_session
from core.clock import utc_now
from core.ids import new_id
from tests.web.test_app import embedded_settings, running_client
from tests.web.test_shop_front import FormFields
from web.account_session import COOKIE
from web.app import create_app
from web.login_throttle import LoginThrottle
from web.services import Services

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class LoggedIn:
    id: str
    email: str


@dataclass
class TalkSite:
    """A running embedded node and a browser-like client with its own cookies."""

    client: httpx.AsyncClient
    app: Starlette

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    async def form(self, path: str) -> FormFields:
        response = await self.client.get(path)
        assert response.status_code == 200, response.text
        return FormFields(response.text)

    async def post(
        self, path: str, data: dict[str, str], *, form: str | None = None
    ) -> httpx.Response:
        """POST ``data`` with the CSRF token of the page ``form`` (default: ``path``)."""
        token = (await self.form(form or path)).values["csrf_token"]
        return await self.client.post(path, data={"csrf_token": token, **data})

    async def signup(self, email: str, name: str = "Ada Lovelace") -> httpx.Response:
        data = {"name": name, "email": email, "password": PASSWORD, "next": "/"}
        response = await self.post("/account/signup", data)
        assert response.status_code == 303, response.text
        return response

    async def logout(self) -> None:
        await self.post("/account/logout", {"next": "/account/login"}, form="/account/login")

    async def log_in_as(self, name: str = "Ada Lovelace") -> LoggedIn:
        """A new account with an email of its own (PostgreSQL is shared), logged in on this
        client without hashing a password (fast)."""
        account_id = new_id()
        email = f"{name.split()[0].lower()}-{account_id[:8]}@example.org"
        async with self.services.database.transaction() as session:
            await session.execute(
                insert(account_tables.accounts).values(
                    id=account_id,
                    email=email,
                    name=name,
                    password_hash="not-a-hash",
                    active=True,
                    created_at=utc_now(),
                )
            )
            token = await start_session(session, account_id)
        self.client.cookies.set(COOKIE, token)
        return LoggedIn(account_id, email)


@asynccontextmanager
async def talk_site(tmp_path: Path, db_url: str = "") -> AsyncIterator[TalkSite]:
    """The site on SQLite, or on PostgreSQL with ``db_url``."""
    overrides = {"db_url": db_url} if db_url else {}
    app = create_app(embedded_settings(tmp_path, **overrides))
    async with running_client(app) as client:
        yield TalkSite(client, app)


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[TalkSite]:
    async with talk_site(tmp_path) as made:
        yield made


def logged_in_as(html: str) -> str | None:
    """The account name in the layout's logout form, or None (logged out)."""
    start = html.find('<form class="logout"')
    if start < 0:
        return None
    span = html.index("<span>", start) + len("<span>")
    return html[span : html.index("</span>", span)]


async def test_signup_logs_in_and_returns_to_next(site: TalkSite) -> None:
    page = await site.client.get("/account/signup?next=/org/ev/cfp/submit/")
    assert page.status_code == 200
    assert '<label for="email">Email address</label>' in page.text
    assert FormFields(page.text).values["next"] == "/org/ev/cfp/submit/"
    response = await site.post(
        "/account/signup",
        {"name": "Ada", "email": "Ada@Example.org", "password": PASSWORD, "next": "/org/ev/cfp/"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/org/ev/cfp/"
    assert logged_in_as((await site.client.get("/account/login")).text) == "Ada"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "email": "a@example.org"}, "name", "Please enter your name"),
        ({"name": "Ada", "email": "not-an-email"}, "email", "Please enter a valid email address"),
        ({"name": "Ada", "email": "a@example.org", "password": "short"}, "password", "8 to 1024"),
    ],
)
async def test_a_faulty_signup_shows_the_error_and_keeps_the_values(
    site: TalkSite, data: dict[str, str], field: str, message: str
) -> None:
    response = await site.post("/account/signup", {"password": PASSWORD, **data})
    assert response.status_code == 400
    assert f'<p class="error" id="{field}-error">' in response.text
    assert message in response.text
    assert f'aria-describedby="{field}-error"' in response.text
    values = FormFields(response.text).values
    assert (values["name"], values["email"], values["password"]) == (
        data["name"],
        data["email"],
        "",
    )
    assert logged_in_as(response.text) is None


async def test_a_taken_email_is_said_in_the_form(site: TalkSite) -> None:
    await site.signup("ada@example.org")
    await site.logout()
    response = await site.post(
        "/account/signup", {"name": "Other", "email": "ADA@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "An account with this email exists already" in response.text


async def test_login_refuses_unknown_email_and_wrong_password_alike(site: TalkSite) -> None:
    await site.signup("ada@example.org")
    await site.logout()
    wrong = await site.post(
        "/account/login", {"email": "ada@example.org", "password": "wrong password"}
    )
    unknown = await site.post(
        "/account/login", {"email": "nobody@example.org", "password": PASSWORD}
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert '<p class="error" id="form-error" role="alert">Email or password is wrong.</p>' in (
            response.text
        )
        assert logged_in_as(response.text) is None
    assert FormFields(unknown.text).values["email"] == "nobody@example.org"


async def test_repeated_failed_logins_are_refused_until_the_window_passes(site: TalkSite) -> None:
    await site.signup("ada@example.org")
    await site.logout()
    clock = [1000.0]
    site.app.state.login_throttle = LoginThrottle(per_email=3, window_s=60, clock=lambda: clock[0])
    wrong = {"email": "ada@example.org", "password": "wrong password"}
    for _ in range(3):
        assert (await site.post("/account/login", wrong)).status_code == 401
    right = {"email": "ADA@example.org", "password": PASSWORD}
    refused = await site.post("/account/login", right)
    other = await site.post("/account/login", {"email": "bob@example.org", "password": "x"})
    clock[0] += 61
    allowed = await site.post("/account/login", right)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "Too many failed logins. Please try again in 1 min." in refused.text
    assert logged_in_as(refused.text) is None
    assert other.status_code == 401  # another email is not held back
    assert allowed.status_code == 303


def test_the_throttle_counts_per_client_and_forgets_old_keys() -> None:
    clock = [0.0]
    throttle = LoginThrottle(per_email=1, per_client=2, window_s=10, max_keys=3,
                             clock=lambda: clock[0])  # fmt: skip
    first, second = throttle.keys("a@x.org", "10.0.0.1"), throttle.keys("b@x.org", "10.0.0.1")
    throttle.failed(first)
    throttle.failed(second)
    assert throttle.retry_after(throttle.keys("c@x.org", "10.0.0.1")) == 10
    assert throttle.retry_after(throttle.keys("c@x.org", "10.0.0.2")) == 0
    throttle.succeeded(first)  # clears the email, not the client
    assert throttle.retry_after(first) == 10
    clock[0] = 10  # the client's failures leave the window
    assert throttle.retry_after(first) == 0
    for email in ("a@x.org", "b@x.org", "c@x.org", "d@x.org"):
        throttle.failed(throttle.keys(email, None))
    assert throttle.retry_after(throttle.keys("a@x.org", None)) == 0  # forgotten: at most 3 keys
    assert throttle.retry_after(throttle.keys("d@x.org", None)) == 10  # remembered, at its limit


async def test_login_goes_only_to_local_next_paths(site: TalkSite) -> None:
    await site.signup("ada@example.org")
    await site.logout()
    for next_path, location in (
        ("/org/ev/me/", "/org/ev/me/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("", "/"),
    ):
        data = {"email": "ada@example.org", "password": PASSWORD, "next": next_path}
        response = await site.post("/account/login", data)
        assert response.status_code == 303
        assert response.headers["location"] == location


async def test_a_login_page_carries_a_foreign_next_as_root(site: TalkSite) -> None:
    page = await site.form("/account/login?next=https://evil.example/")
    assert page.values["next"] == "/"


async def test_logout_ends_the_session_and_needs_the_csrf_token(site: TalkSite) -> None:
    await site.signup("ada@example.org")
    forged = await site.client.post("/account/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert "Form expired" in forged.text
    assert logged_in_as((await site.client.get("/account/login")).text) == "Ada Lovelace"

    cookie = site.client.cookies["eventyay_session"]
    response = await site.post("/account/logout", {}, form="/account/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/login"
    assert logged_in_as((await site.client.get("/account/login")).text) is None
    # The old cookie does not log anyone in any more.
    site.client.cookies.set("eventyay_session", cookie)
    assert logged_in_as((await site.client.get("/account/login")).text) is None


async def test_signup_and_login_refuse_a_form_without_csrf_token(site: TalkSite) -> None:
    await site.form("/account/login")  # the browser has the cookie, the form lacks the token
    for path in ("/account/signup", "/account/login"):
        response = await site.client.post(
            path, data={"name": "A", "email": "a@example.org", "password": PASSWORD}
        )
        assert response.status_code == 403
    assert logged_in_as((await site.client.get("/account/login")).text) is None


async def test_logout_is_post_only(site: TalkSite) -> None:
    response = await site.client.get("/account/logout")
    assert response.status_code == 405

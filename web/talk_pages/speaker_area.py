"""Who a speaker-area request is for: the talk event of its path and the logged-in account (a
missing event is a 404 page, a missing login a redirect to the login page), and the area's
rendering with both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.services import Services
from web.talk_pages import speaker_records as records
from web.talk_pages.account import signed_in
from web.talk_pages.speaker_records import Account
from web.talk_pages.talk_page import (
    PageEvent,
    checked_form,
    login_redirect,
    message_page,
    not_found,
    talk_page,
)


@dataclass(frozen=True, slots=True)
class SpeakerArea:
    request: Request
    event: PageEvent
    account: Account

    def submission_path(self, code: str) -> str:
        return f"{self.event.base}/me/submissions/{code}/"

    async def page(
        self, template: str, context: dict[str, Any], *, status_code: int = 200
    ) -> HTMLResponse:
        return await talk_page(
            self.request,
            template,
            context,
            event=self.event,
            account_name=self.account.name,
            status_code=status_code,
        )

    async def message(
        self, title: str, message: str, *, status_code: int, back: str | None = None
    ) -> HTMLResponse:
        return await message_page(
            self.request,
            title,
            message,
            status_code=status_code,
            event=self.event,
            account_name=self.account.name,
            back=back,
        )

    async def not_found(self, what: str) -> HTMLResponse:
        return await not_found(self.request, what, event=self.event, account_name=self.account.name)

    async def form(self) -> FormData | Response:
        """The POSTed form, or the 403 page when its CSRF token is wrong."""
        return await checked_form(self.request, event=self.event, account_name=self.account.name)


async def speaker_area(request: Request) -> SpeakerArea | Response:
    services: Services = request.app.state.services
    params = request.path_params
    async with services.database.transaction() as session:
        event = await records.page_event(session, params["organizer"], params["event"])
    if event is None:
        return await not_found(request, "This event")
    account = await signed_in(request)
    if account is None:
        return login_redirect(request)
    return SpeakerArea(request, event, account)

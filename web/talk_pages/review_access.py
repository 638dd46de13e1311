"""Who may use the reviewer pages of a talk event: the logged-in account, the talk event the path
names and the account's permissions there. The permission check is the REST API's own scope
check (``web.api.scope``), so that pages and API never disagree; nothing is rendered here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from catalog.tickets import Permission, Principal, account_principal
from core.errors import DeniedError, NotFoundError
from web.api.call import ApiCall
from web.api.scope import enter_scope
from web.services import Services
from web.talk_pages.account import signed_in
from web.talk_pages.speaker_records import page_event
from web.talk_pages.talk_page import PageEvent


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request does not reach a reviewer page: nobody is logged in (``login``), no talk
    event has this slug (``no_event``), or the account may not see its reviews (``denied``)."""

    reason: Literal["login", "no_event", "denied"]
    account_name: str = ""
    event: PageEvent | None = None


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A logged-in account with ``reviews.view`` on the event; ``may_decide`` adds
    ``submissions.change`` (accepting and rejecting, when the phase allows it)."""

    account_id: str
    name: str
    event: PageEvent
    may_decide: bool


async def reviewer(request: Request) -> Reviewer | Refusal:
    """The reviewer of this request for the event ``{organizer}/{event}`` of its path."""
    account = await signed_in(request)
    if account is None:
        return Refusal("login")
    services: Services = request.app.state.services
    params = request.path_params
    async with services.database.transaction() as session:
        event = await page_event(session, params["organizer"], params["event"])
        if event is None:
            return Refusal("no_event", account.name)
        principal = await account_principal(session, account.id)
        if not await _may(request, session, principal, Permission.REVIEWS_VIEW):
            return Refusal("denied", account.name, event)
        may_decide = await _may(request, session, principal, Permission.SUBMISSIONS_CHANGE)
    return Reviewer(account.id, account.name, event, may_decide)


async def _may(
    request: Request, session: AsyncSession, principal: Principal, permission: Permission
) -> bool:
    # The API's check reads ``{organizer}`` and ``{event}`` from the path, which the reviewer
    # pages name alike. An organizer the account has no team in is "not found" to the API;
    # here the talk event exists (checked first), so both answers mean "not for you".
    call = ApiCall(request, session, principal, request.app.state.services.clock.now())
    try:
        await enter_scope(call, principal, permission, talk=True)
    except (NotFoundError, DeniedError):
        return False
    return True

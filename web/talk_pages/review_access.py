"""Who may use the reviewer pages of a talk event: the logged-in account, the talk event the path
names and the account's permissions there. The permission check is the REST API's own scope
check (``web.api.dispatch``), so that pages and API never disagree; nothing is rendered here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from catalog.talk.tables import talk_events
from catalog.tickets import Permission, Principal, account_principal, account_tables
from core.errors import DeniedError, NotFoundError
from web.account_session import current_account
from web.api.call import ApiCall
from web.api.dispatch import _enter_scope
from web.services import Services


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request does not reach a reviewer page: nobody is logged in (``login``), no talk
    event has this slug (``no_event``), or the account may not see its reviews (``denied``)."""

    reason: Literal["login", "no_event", "denied"]
    account_name: str = ""


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    id: str
    slug: str  # ``<organizer>/<event>``, the path's two parts
    name: str

    @property
    def base(self) -> str:
        return f"/{self.slug}"


@dataclass(frozen=True, slots=True)
class Reviewer:
    """A logged-in account with ``reviews.view`` on the event; ``may_decide`` adds
    ``submissions.change`` (accepting and rejecting, when the phase allows it)."""

    account_id: str
    name: str
    event: ReviewEvent
    may_decide: bool


async def reviewer(request: Request) -> Reviewer | Refusal:
    """The reviewer of this request for the event ``{organizer}/{event}`` of its path."""
    account_id = await current_account(request)
    if account_id is None:
        return Refusal("login")
    slug = f"{request.path_params['organizer']}/{request.path_params['event']}"
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        accounts = account_tables.accounts
        name = str(await session.scalar(select(accounts.c.name).where(accounts.c.id == account_id)))
        event = await _talk_event(session, slug)
        if event is None:
            return Refusal("no_event", name)
        principal = await account_principal(session, account_id)
        if not await _may(request, session, principal, Permission.REVIEWS_VIEW):
            return Refusal("denied", name)
        may_decide = await _may(request, session, principal, Permission.SUBMISSIONS_CHANGE)
    return Reviewer(account_id, name, event, may_decide)


async def _talk_event(session: AsyncSession, slug: str) -> ReviewEvent | None:
    row = (
        await session.execute(
            select(talk_events.c.id, talk_events.c.name).where(talk_events.c.slug == slug)
        )
    ).one_or_none()
    return None if row is None else ReviewEvent(row.id, slug, row.name)


async def _may(
    request: Request, session: AsyncSession, principal: Principal, permission: Permission
) -> bool:
    # An organizer the account has no team in is "not found" to the API; here the talk event
    # exists (checked first), so both answers mean "not for you".
    call = ApiCall(request, session, principal, request.app.state.services.clock.now())
    try:
        await _enter_scope(call, principal, permission, talk=True)
    except (NotFoundError, DeniedError):
        return False
    return True

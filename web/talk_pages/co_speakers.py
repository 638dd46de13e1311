"""Inviting co-speakers from the proposal and speaker pages: each address gets an invitation
(``invite_speaker``) and the link that accepts it. The link is returned for the inviter to pass
on while the talk catalog sends no mail."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from catalog.talk import invite_speaker
from web.services import Services
from web.talk_pages.talk_page import PageEvent


def invitation_link(request: Request, event: PageEvent, code: str, token: str) -> str:
    """The absolute address of the invitation page."""
    origin = str(request.base_url).rstrip("/")
    return f"{origin}{event.base}/invitation/{code}/{token}/"


async def invite_co_speakers(
    request: Request,
    session: AsyncSession,
    event: PageEvent,
    submission_id: str,
    code: str,
    emails: Sequence[str],
) -> list[tuple[str, str]]:
    """Invite every address to the submission; returns ``(email, link)`` pairs.

    Raises:
        InvalidInvitationError: an address is a speaker of the submission already.
    """
    services: Services = request.app.state.services
    links = []
    for email in emails:
        token = await invite_speaker(session, submission_id, email=email, now=services.clock.now())
        links.append((email, invitation_link(request, event, code, token)))
    return links

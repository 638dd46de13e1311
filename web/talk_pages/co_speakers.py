"""Inviting co-speakers from the proposal and speaker pages: each address gets an invitation
(``invite_speaker``) and a ``cospeaker_invitation`` talk mail with the link that accepts it,
queued in the same transaction. The link is the invitee's secret: the inviter never sees it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk import enqueue_talk_mail, invite_speaker
from web.talk_pages.talk_page import PageEvent


def invitation_path(event: PageEvent, code: str, token: str) -> str:
    """The invitation page's path (the mail puts the platform's address in front)."""
    return f"{event.base}/invitation/{code}/{token}/"


async def invite_co_speakers(
    session: AsyncSession,
    event: PageEvent,
    *,
    submission_id: str,
    code: str,
    title: str,
    inviter_name: str,
    emails: Sequence[str],
    now: datetime,
) -> None:
    """Invite every address to the submission and queue its mail.

    Raises:
        InvalidInvitationError: an address is a speaker of the submission already.
    """
    for email in emails:
        token = await invite_speaker(session, submission_id, email=email, now=now)
        await enqueue_talk_mail(
            session,
            event_id=event.id,
            kind="cospeaker_invitation",
            recipient=email,
            context={
                "event_name": event.name,
                "title": title,
                "inviter_name": inviter_name,
                "invitation_path": invitation_path(event, code, token),
            },
            now=now,
        )

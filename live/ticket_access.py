"""Ticket holders in the live event: the access token a ticket's entitlement becomes, the check
at every connect that the ticket still grants access (``auth.revoked`` if not), the online
check-in a join records, and taking access away from open sockets on every node.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from catalog.tickets import Entitlement, entitlement_valid, record_online_checkin
from live import socket_control, topic_names
from live.errors import RevokedError, UnknownEventError
from live.issuers import TICKETS_ISSUER, tickets_issuer
from live.services import LiveServices
from live.tokens import AccessClaims, issue_token

logger = logging.getLogger(__name__)

TOKEN_LIFETIME = timedelta(days=90)


def ticket_token(secret_key: str, event_slug: str, entitlement: Entitlement) -> str:
    """The access token of one ticket holder for the live event ``event_slug``."""
    return issue_token(
        tickets_issuer(secret_key, event_slug),
        uid=entitlement.uid,
        traits=entitlement.traits,
        display_name=entitlement.display_name,
        fields=entitlement.profile,
        valid_for=TOKEN_LIFETIME,
    )


async def admit_ticket(services: LiveServices, claims: AccessClaims) -> None:
    """Refuse a ticket holder's token whose ticket no longer grants access.

    Raises:
        RevokedError: the order was cancelled, refunded or expired (or the ticket is unknown).
    """
    if claims.issuer != TICKETS_ISSUER:
        return
    async with services.database.transaction() as session:
        valid = await entitlement_valid(session, claims.uid)
    if not valid:
        raise RevokedError()


async def record_join(services: LiveServices, claims: AccessClaims) -> None:
    """A ticket holder joined: an entry on the event's online check-in list (best effort)."""
    if claims.issuer != TICKETS_ISSUER:
        return
    try:
        await record_online_checkin(services.database, claims.uid)
    except Exception:  # a missing check-in must never keep a ticket holder out
        logger.exception("recording the online check-in of %s failed", claims.uid)


async def revoke_tickets(services: LiveServices, event_slug: str, uids: list[str]) -> None:
    """Every open socket of these ticket holders, on every node, reloads and closes."""
    try:
        event = await services.events.by_slug(event_slug)
    except UnknownEventError:
        return  # the shop sells an event with no live part
    for uid in uids:
        user = await services.users.find(event.id, token_uid=uid)
        if user is not None:
            services.fanout.publish_control(
                topic_names.user(user.id), socket_control.revoke(user.id)
            )

"""API tokens of teams: issued once in plain text, stored only as their SHA-256, looked up to a
``Principal``, revoked. Knows nothing of HTTP.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.account_tables import api_tokens
from catalog.tickets.permissions import Principal
from catalog.tickets.teams import team_grants
from core.clock import utc_now
from core.ids import new_id

_TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 200  # longer input is not a token; it is not even hashed


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``token`` is shown to its owner once and never stored."""

    id: str
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_api_token(session: AsyncSession, team_id: str, name: str) -> IssuedToken:
    """A new active token acting with the permissions of ``team_id``."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    token_id = new_id()
    await session.execute(
        insert(api_tokens).values(
            id=token_id,
            team_id=team_id,
            name=name,
            token_hash=token_hash(token),
            active=True,
            created_at=utc_now(),
        )
    )
    return IssuedToken(token_id, token)


async def token_principal(session: AsyncSession, token: str) -> Principal | None:
    """The principal of an active token; None for an unknown, revoked or malformed one."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    found = (
        await session.execute(
            select(api_tokens.c.id, api_tokens.c.team_id).where(
                api_tokens.c.token_hash == token_hash(token), api_tokens.c.active.is_(True)
            )
        )
    ).first()
    if found is None:
        return None
    return Principal("token", found.id, await team_grants(session, [found.team_id]))


async def revoke_api_token(session: AsyncSession, token_id: str) -> bool:
    """Deactivate a token at once; False when there is no active token with this id."""
    revoked = await session.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.active.is_(True))
        .values(active=False)
        .returning(api_tokens.c.id)
    )
    return revoked.first() is not None

"""Organizer accounts: argon2 password hashes (computed in a thread), a login check that does not
reveal which emails exist, browser sessions (only the token's SHA-256 is stored) and an account's
principal. Never sees HTTP or cookies.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.account_tables import account_sessions, accounts, team_members
from catalog.tickets.permissions import Principal
from catalog.tickets.teams import team_grants
from core.clock import utc_now
from core.errors import InvalidPayloadError, ProtocolError
from core.ids import new_id

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
SESSION_LIFETIME = timedelta(days=14)
_hasher = PasswordHasher()


class LoginFailedError(ProtocolError):
    """Wrong email or password, or an inactive account: one answer for all three."""

    code = "accounts.login_failed"
    status = 401
    default_message = "Email or password is wrong"


class EmailTakenError(ProtocolError):
    code = "accounts.email_taken"
    status = 409
    default_message = "An account with this email exists already"


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the email is unknown, so that both failures take the same time.
    return _hasher.hash(secrets.token_hex(16))


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def create_account(session: AsyncSession, email: str, name: str, password: str) -> str:
    """A new active account; returns its id.

    Raises:
        InvalidPayloadError: the password is shorter than 8 or longer than 1024 characters.
        EmailTakenError: another account has this email.
    """
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        msg = f"The password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        raise InvalidPayloadError(
            msg,
            errors=[{"field": "password", "message": "bad length"}],
        )
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    account_id = new_id()
    try:
        async with session.begin_nested():
            await session.execute(
                insert(accounts).values(
                    id=account_id,
                    email=normalize_email(email),
                    name=name,
                    password_hash=password_hash,
                    active=True,
                    created_at=utc_now(),
                )
            )
    except IntegrityError:
        raise EmailTakenError() from None
    return account_id


async def check_login(session: AsyncSession, email: str, password: str) -> str:
    """The id of the active account with this email and password.

    Raises:
        LoginFailedError: unknown email, wrong password or inactive account (indistinguishable).
    """
    row = (
        await session.execute(
            select(accounts.c.id, accounts.c.password_hash, accounts.c.active).where(
                accounts.c.email == normalize_email(email)
            )
        )
    ).first()
    stored = await asyncio.to_thread(_dummy_hash) if row is None else row.password_hash
    matches = await asyncio.to_thread(_verify, stored, password[:MAX_PASSWORD_CHARS])
    if row is None or not matches or not row.active:
        raise LoginFailedError()
    return str(row.id)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _session_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(
    session: AsyncSession, account_id: str, lifetime: timedelta = SESSION_LIFETIME
) -> str:
    """A new login session for ``account_id``; returns the token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    await session.execute(
        insert(account_sessions).values(
            id=new_id(),
            account_id=account_id,
            token_hash=_session_hash(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


async def session_account(session: AsyncSession, token: str) -> str | None:
    """The account of an unexpired session of an active account, else None."""
    row = (
        await session.execute(
            select(account_sessions.c.account_id, account_sessions.c.expires_at)
            .join(accounts, accounts.c.id == account_sessions.c.account_id)
            .where(
                account_sessions.c.token_hash == _session_hash(token),
                accounts.c.active.is_(True),
            )
        )
    ).first()
    if row is None:
        return None
    expires_at = row.expires_at
    if expires_at.tzinfo is None:  # SQLite returns naive datetimes; they were stored in UTC
        expires_at = expires_at.replace(tzinfo=utc_now().tzinfo)
    return str(row.account_id) if expires_at > utc_now() else None


async def end_session(session: AsyncSession, token: str) -> None:
    """Log out: the session's token stops working at once (an unknown token is no error)."""
    await session.execute(
        delete(account_sessions).where(account_sessions.c.token_hash == _session_hash(token))
    )


async def account_principal(session: AsyncSession, account_id: str) -> Principal:
    """The account acting with the permissions of every team it is a member of."""
    team_ids = (
        await session.execute(
            select(team_members.c.team_id).where(team_members.c.account_id == account_id)
        )
    ).scalars()
    return Principal("account", account_id, await team_grants(session, list(team_ids)))

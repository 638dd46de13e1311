"""Organizer accounts, sessions, teams, API tokens and the permission answer, on SQLite and the
real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.account_tables import accounts, api_tokens
from catalog.tickets.accounts import (
    EmailTakenError,
    LoginFailedError,
    account_principal,
    check_login,
    create_account,
    end_session,
    session_account,
    start_session,
)
from catalog.tickets.api_tokens import create_api_token, revoke_api_token, token_principal
from catalog.tickets.permissions import (
    ALL_PERMISSIONS,
    Permission,
    Principal,
    TeamGrant,
    parse_permissions,
    require,
)
from catalog.tickets.tables import ticket_events
from catalog.tickets.teams import (
    add_team_member,
    administrators_team,
    create_organizer,
    create_team,
)
from core.database import Database
from core.errors import DeniedError, InvalidPayloadError
from core.ids import new_id
from tests.catalog.ticket_rows import make_event

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    async with database.transaction() as session:
        yield session


def fresh_email() -> str:
    return f"ada-{new_id()[:10]}@example.org"


async def test_a_password_is_stored_only_as_an_argon2_hash(session: AsyncSession) -> None:
    email = fresh_email()

    account_id = await create_account(session, email.upper(), "Ada", "correct horse")

    stored = (
        await session.execute(
            select(accounts.c.email, accounts.c.password_hash).where(accounts.c.id == account_id)
        )
    ).one()
    assert stored.email == email
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert await check_login(session, email, "correct horse") == account_id


async def test_a_wrong_password_and_an_unknown_email_fail_alike(session: AsyncSession) -> None:
    email = fresh_email()
    await create_account(session, email, "Ada", "correct horse")

    with pytest.raises(LoginFailedError) as wrong_password:
        await check_login(session, email, "wrong horse")
    with pytest.raises(LoginFailedError) as unknown_email:
        await check_login(session, fresh_email(), "correct horse")

    assert wrong_password.value.to_wire() == unknown_email.value.to_wire()
    assert wrong_password.value.status == 401


async def test_an_email_has_one_account_and_passwords_have_a_minimum(
    session: AsyncSession,
) -> None:
    email = fresh_email()
    await create_account(session, email, "Ada", "correct horse")

    with pytest.raises(EmailTakenError):
        await create_account(session, email.title(), "Other", "another password")
    with pytest.raises(InvalidPayloadError):
        await create_account(session, fresh_email(), "Short", "1234567")


async def test_sessions_expire_and_end_on_logout(session: AsyncSession) -> None:
    account_id = await create_account(session, fresh_email(), "Ada", "correct horse")

    token = await start_session(session, account_id)
    expired = await start_session(session, account_id, lifetime=timedelta(seconds=-1))

    assert await session_account(session, token) == account_id
    assert await session_account(session, expired) is None
    assert await session_account(session, "not-a-session") is None
    await end_session(session, token)
    assert await session_account(session, token) is None


async def test_an_api_token_is_shown_once_stored_as_sha256_and_revocable(
    session: AsyncSession,
) -> None:
    organizer_id = await create_organizer(session, f"org-{new_id()[:10]}", "Org")
    team_id = await create_team(
        session, organizer_id, "Box office", [Permission.ORDERS_VIEW], all_events=True
    )

    issued = await create_api_token(session, team_id, "scanner")

    stored = (
        await session.execute(select(api_tokens.c.token_hash).where(api_tokens.c.id == issued.id))
    ).scalar_one()
    assert stored != issued.token
    assert len(stored) == 64
    principal = await token_principal(session, issued.token)
    assert principal == Principal(
        "token",
        issued.id,
        (TeamGrant(team_id, organizer_id, frozenset({Permission.ORDERS_VIEW}), True),),
    )
    assert await revoke_api_token(session, issued.id)
    assert not await revoke_api_token(session, issued.id)
    assert await token_principal(session, issued.token) is None
    assert await token_principal(session, "x" * 500) is None


async def test_the_administrators_team_is_made_once_with_every_permission(
    session: AsyncSession,
) -> None:
    organizer_id = await create_organizer(session, f"org-{new_id()[:10]}", "Org")

    first = await administrators_team(session, organizer_id)
    second = await administrators_team(session, organizer_id)

    assert first == second
    issued = await create_api_token(session, first, "admin")
    principal = await token_principal(session, issued.token)
    assert principal is not None
    assert principal.grants[0].permissions == ALL_PERMISSIONS
    assert principal.may(Permission.TEAMS_CHANGE, organizer_id)


async def test_an_account_acts_with_every_team_it_is_in(session: AsyncSession) -> None:
    event_id = await make_event(session)
    organizer_id = (
        await session.execute(
            select(ticket_events.c.organizer_id).where(ticket_events.c.id == event_id)
        )
    ).scalar_one()
    checkin = await create_team(
        session, organizer_id, "Door", [Permission.CHECKIN], all_events=False, event_ids=[event_id]
    )
    vouchers = await create_team(
        session, organizer_id, "Sales", [Permission.VOUCHERS_VIEW], all_events=True
    )
    account_id = await create_account(session, fresh_email(), "Ada", "correct horse")
    for team_id in (checkin, vouchers, checkin):
        await add_team_member(session, team_id, account_id)

    principal = await account_principal(session, account_id)

    assert principal.kind == "account"
    assert principal.may(Permission.CHECKIN, organizer_id, event_id)
    assert not principal.may(Permission.CHECKIN, organizer_id, "another-event")
    assert principal.may(Permission.VOUCHERS_VIEW, organizer_id, "another-event")
    assert not principal.may(Permission.ORDERS_CHANGE, organizer_id, event_id)
    assert not principal.may(Permission.CHECKIN, "another-organizer", event_id)
    assert principal.visible_event_ids(organizer_id) is None


def test_require_names_the_missing_permission() -> None:
    grant = TeamGrant("t", "org", frozenset({Permission.CHECKIN}), False, frozenset({"e1"}))
    principal = Principal("token", "tok", (grant,))

    require(principal, Permission.CHECKIN, "org", "e1")
    require(principal, None, "org", "e1")
    with pytest.raises(DeniedError) as denied:
        require(principal, Permission.CHECKIN, "org", "e2")

    assert denied.value.details == {"permission": "checkin"}
    assert principal.visible_event_ids("org") == frozenset({"e1"})
    assert principal.visible_event_ids("other") == frozenset()


def test_unknown_stored_permission_names_grant_nothing() -> None:
    assert parse_permissions(["checkin", "rockets.launch"]) == frozenset({Permission.CHECKIN})
    assert parse_permissions("checkin") == frozenset()

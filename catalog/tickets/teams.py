"""Teams of an organizer: their permissions, their events, their members; and the organizer's
"Administrators" team that the first set-up creates. Reads grants for principals; never decides
permissions itself (that is ``permissions``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.account_tables import team_events, team_members, teams
from catalog.tickets.permissions import ALL_PERMISSIONS, Permission, TeamGrant, parse_permissions
from catalog.tickets.tables import organizers
from core.clock import utc_now
from core.ids import new_id

ADMINISTRATORS = "Administrators"


async def create_team(
    session: AsyncSession,
    organizer_id: str,
    name: str,
    permissions: Iterable[Permission],
    *,
    all_events: bool,
    event_ids: Collection[str] = (),
) -> str:
    """A new team; its ``event_ids`` matter only when ``all_events`` is off."""
    team_id = new_id()
    await session.execute(
        insert(teams).values(
            id=team_id,
            organizer_id=organizer_id,
            name=name,
            all_events=all_events,
            permissions=sorted(Permission(p).value for p in set(permissions)),
            created_at=utc_now(),
        )
    )
    if event_ids:
        await session.execute(
            insert(team_events), [{"team_id": team_id, "event_id": e} for e in set(event_ids)]
        )
    return team_id


async def add_team_member(session: AsyncSession, team_id: str, account_id: str) -> None:
    """Make ``account_id`` a member of ``team_id`` (a member already is one: no change)."""
    found = await session.execute(
        select(team_members.c.team_id).where(
            team_members.c.team_id == team_id, team_members.c.account_id == account_id
        )
    )
    if found.first() is None:
        await session.execute(insert(team_members).values(team_id=team_id, account_id=account_id))


async def team_grants(session: AsyncSession, team_ids: Collection[str]) -> tuple[TeamGrant, ...]:
    """The grants of the named teams (unknown ids are left out), ordered by team id."""
    if not team_ids:
        return ()
    ids = sorted(set(team_ids))
    rows = (
        await session.execute(
            select(teams.c.id, teams.c.organizer_id, teams.c.permissions, teams.c.all_events)
            .where(teams.c.id.in_(ids))
            .order_by(teams.c.id)
        )
    ).all()
    events: dict[str, set[str]] = {}
    for team_id, event_id in await session.execute(
        select(team_events.c.team_id, team_events.c.event_id).where(team_events.c.team_id.in_(ids))
    ):
        events.setdefault(team_id, set()).add(event_id)
    return tuple(
        TeamGrant(
            team_id=row.id,
            organizer_id=row.organizer_id,
            permissions=parse_permissions(row.permissions),
            all_events=row.all_events,
            event_ids=frozenset(events.get(row.id, ())),
        )
        for row in rows
    )


async def organizer_id_by_slug(session: AsyncSession, slug: str) -> str | None:
    found = await session.execute(select(organizers.c.id).where(organizers.c.slug == slug))
    return found.scalar_one_or_none()


async def create_organizer(session: AsyncSession, slug: str, name: str) -> str:
    organizer_id = new_id()
    await session.execute(
        insert(organizers).values(id=organizer_id, slug=slug, name=name, created_at=utc_now())
    )
    return organizer_id


async def administrators_team(session: AsyncSession, organizer_id: str) -> str:
    """The organizer's "Administrators" team (every permission, all events), made if missing."""
    found = await session.execute(
        select(teams.c.id)
        .where(teams.c.organizer_id == organizer_id, teams.c.name == ADMINISTRATORS)
        .order_by(teams.c.created_at)
        .limit(1)
    )
    team_id = found.scalar_one_or_none()
    if team_id is not None:
        return str(team_id)
    return await create_team(
        session, organizer_id, ADMINISTRATORS, ALL_PERMISSIONS, all_events=True
    )

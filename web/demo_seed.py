"""The demo event's catalog side, seeded with the live demo event on an empty installation: the
ticket shop, the talk event with its released schedule pushed to the live rooms, and an
organizer login (a member of the demo organizer's "Administrators" team) for the reviewer pages
and the organizer's tools. Here because it joins the catalogs to the live core."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from actors import ActorSystem
from catalog.talk.demo import seed_demo_talk
from catalog.tickets import (
    add_team_member,
    administrators_team,
    create_account,
    organizer_id_by_slug,
)
from catalog.tickets.demo import seed_demo_shop
from core.clock import Clock
from core.database import Database
from web.schedule_publishing import map_live_rooms, publish_through_actors

DEMO_NAME = "DemoCon"
DEMO_TIMEZONE = "Europe/Berlin"
ORGANIZER_EMAIL = "organizer@democon.example.org"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """The demo organizer's login; the password is random and shown once, in the node's log."""

    email: str
    password: str


async def seed_demo_catalogs(
    database: Database, actors: ActorSystem, clock: Clock, slug: str
) -> DemoLogin:
    """Seed the shop, the talk event (its schedule reaches the live rooms at once) and the
    organizer login of the freshly created live demo event ``slug``."""
    await seed_demo_shop(database, slug, DEMO_NAME)
    async with database.transaction() as session:
        talk = await seed_demo_talk(
            session, slug, DEMO_NAME, timezone=DEMO_TIMEZONE, now=clock.now()
        )
    if talk is not None:
        await map_live_rooms(database, slug)
        await publish_through_actors(database, actors, talk.schedule.id, talk.schedule.version)
    password = secrets.token_urlsafe(12)
    async with database.transaction() as session:
        account_id = await create_account(session, ORGANIZER_EMAIL, "Demo organizer", password)
        organizer_id = await organizer_id_by_slug(session, slug.split("/", 1)[0])
        if organizer_id is not None:
            await add_team_member(
                session, await administrators_team(session, organizer_id), account_id
            )
    return DemoLogin(ORGANIZER_EMAIL, password)

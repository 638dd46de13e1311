"""The demo event an empty installation starts with: ``demo/democon``, a stage and a chat room."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from live.event_service import EventService
from live.issuers import own_issuer
from live.models import Module
from live.tokens import issue_token

DEMO_SLUG = "demo/democon"


async def seed_demo(events: EventService) -> bool:
    """Create the demo event if the database holds no event yet; True if it did."""
    if await events.any_event():
        return False
    try:
        event_id = await events.create_event(DEMO_SLUG, "DemoCon", timezone="Europe/Berlin")
    except IntegrityError:
        return False  # another node seeded it at the same moment
    await events.add_room(
        event_id,
        "Stage",
        [
            Module(type="livestream.native", config={"hls_url": ""}),
            Module(type="chat.native", config={"volatile": True}),
        ],
        description="Keynotes and talks",
        sort_key=1,
    )
    await events.add_room(
        event_id,
        "Hallway",
        [Module(type="chat.native", config={"volatile": False})],
        description="Chat with everyone",
        sort_key=2,
    )
    return True


def demo_tokens(secret_key: str) -> dict[str, str]:
    """Week-long demo tokens for an attendee, a moderator and an admin."""
    issuer = own_issuer(secret_key, DEMO_SLUG)
    return {
        role: issue_token(
            issuer,
            uid=f"demo-{role}",
            traits=[trait],
            display_name=f"Demo {role.title()}",
            valid_for=timedelta(days=7),
        )
        for role, trait in (
            ("attendee", "attendee"),
            ("moderator", "moderator"),
            ("admin", "admin"),
        )
    }

"""The demo shop an empty installation starts with, selling tickets for the demo live event:
online and supporter tickets, a workshop add-on, quotas, a door list and a voucher."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.tickets.checkin_lists import create_checkin_list
from catalog.tickets.tables import (
    categories,
    organizers,
    product_addons,
    products,
    quota_members,
    quotas,
    ticket_events,
    variations,
    vouchers,
)
from core.clock import utc_now
from core.database import Database
from core.ids import new_id


async def seed_demo_shop(database: Database, event_slug: str, name: str) -> bool:
    """Create the shop of ``event_slug`` (``organizer/event``) unless it exists; True if it did."""
    organizer_slug = event_slug.split("/", 1)[0]
    try:
        async with database.transaction() as session:
            found = await session.execute(
                select(ticket_events.c.id).where(ticket_events.c.slug == event_slug)
            )
            if found.first() is not None:
                return False
            organizer_id = await _organizer(session, organizer_slug)
            await _shop(session, organizer_id, event_slug, name)
    except IntegrityError:
        return False  # another node seeded it at the same moment
    return True


async def _organizer(session: AsyncSession, slug: str) -> str:
    found = (
        await session.execute(select(organizers.c.id).where(organizers.c.slug == slug))
    ).scalar_one_or_none()
    if found is not None:
        return str(found)
    organizer_id = new_id()
    await session.execute(
        insert(organizers).values(
            id=organizer_id, slug=slug, name=slug.title(), created_at=utc_now()
        )
    )
    return organizer_id


async def _shop(session: AsyncSession, organizer_id: str, slug: str, name: str) -> None:
    now = utc_now()
    event_id, tickets, extras = new_id(), new_id(), new_id()
    online, supporter, workshop = new_id(), new_id(), new_id()
    standard, patron = new_id(), new_id()
    main_quota, workshop_quota = new_id(), new_id()
    await session.execute(
        insert(ticket_events).values(
            id=event_id,
            organizer_id=organizer_id,
            slug=slug,
            name=name,
            currency="EUR",
            created_at=now,
        )
    )
    await session.execute(
        insert(categories),
        [
            {
                "id": tickets,
                "event_id": event_id,
                "name": "Tickets",
                "sort_key": 1,
                "is_addon": False,
            },
            {"id": extras, "event_id": event_id, "name": "Extras", "sort_key": 2, "is_addon": True},
        ],
    )
    product = {"event_id": event_id, "active": True, "description": ""}
    await session.execute(
        insert(products),
        [
            {
                **product,
                "id": online,
                "category_id": tickets,
                "name": "Online ticket",
                "price": Decimal("25.00"),
                "admission": True,
                "sort_key": 1,
                "description": "Watch every talk live, chat and ask questions.",
            },
            {
                **product,
                "id": supporter,
                "category_id": tickets,
                "name": "Supporter ticket",
                "price": Decimal("50.00"),
                "admission": True,
                "sort_key": 2,
            },
            {
                **product,
                "id": workshop,
                "category_id": extras,
                "name": "Workshop seat",
                "price": Decimal("15.00"),
                "admission": False,
                "sort_key": 3,
            },
        ],
    )
    await session.execute(
        insert(variations),
        [
            {
                "id": standard,
                "product_id": supporter,
                "name": "Standard",
                "price": None,
                "active": True,
                "sort_key": 1,
            },
            {
                "id": patron,
                "product_id": supporter,
                "name": "Patron",
                "price": Decimal("100.00"),
                "active": True,
                "sort_key": 2,
            },
        ],
    )
    await session.execute(
        insert(product_addons).values(
            id=new_id(),
            base_product_id=online,
            category_id=extras,
            min_count=0,
            max_count=1,
            price_included=False,
        )
    )
    await session.execute(
        insert(quotas),
        [
            {
                "id": main_quota,
                "event_id": event_id,
                "name": "Tickets",
                "size": 500,
                "closed": False,
            },
            {
                "id": workshop_quota,
                "event_id": event_id,
                "name": "Workshop",
                "size": 30,
                "closed": False,
            },
        ],
    )
    await session.execute(
        insert(quota_members),
        [
            {"quota_id": main_quota, "product_id": online, "variation_id": None},
            {"quota_id": main_quota, "product_id": supporter, "variation_id": standard},
            {"quota_id": main_quota, "product_id": supporter, "variation_id": patron},
            {"quota_id": workshop_quota, "product_id": workshop, "variation_id": None},
        ],
    )
    await session.execute(
        insert(vouchers).values(
            id=new_id(),
            event_id=event_id,
            code="DEMO50",
            max_usages=100,
            redeemed=0,
            valid_until=None,
            price_mode="percent",
            value=Decimal("50"),
            block_quota=False,
            allow_ignore_quota=False,
            product_id=None,
            variation_id=None,
            quota_id=None,
            created_at=now,
        )
    )
    await create_checkin_list(session, event_id, name="Entrance")

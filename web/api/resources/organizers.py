"""``/organizers/``: the organizers the token's team belongs to."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select

from catalog.tickets.tables import organizers
from web.api.call import ApiCall
from web.api.listing import fetch_page
from web.api.pages import Page
from web.api.registry import api

TAG = "organizers"


class Organizer(BaseModel):
    slug: str
    name: str


@api.operation(
    "GET", "/organizers/", summary="List organizers", tag=TAG, response=Organizer, paginated=True
)
async def list_organizers(call: ApiCall) -> Page:
    assert call.principal is not None
    statement = (
        select(organizers.c.slug, organizers.c.name)
        .where(organizers.c.id.in_(sorted(call.principal.organizer_ids)))
        .order_by(organizers.c.slug)
    )
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, [Organizer(slug=row.slug, name=row.name) for row in rows])


@api.operation(
    "GET", "/organizers/{organizer}/", summary="Show an organizer", tag=TAG, response=Organizer
)
async def get_organizer(call: ApiCall) -> Organizer:
    return Organizer(slug=call.organizer.slug, name=call.organizer.name)

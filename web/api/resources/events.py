"""``/organizers/{organizer}/events/``: an organizer's events, addressed by their short slug. A new
ticket event comes with the talk event of the same slug (in its transaction) and opens the live
event of that slug (made after the commit, unless it exists)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from catalog.talk import ensure_talk_event, update_talk_event
from catalog.talk.tables import talk_events
from catalog.tickets.permissions import Permission
from catalog.tickets.tables import ticket_events
from core.ids import new_id
from web.api.call import ApiCall
from web.api.errors import ConflictError
from web.api.fields import Timestamp
from web.api.listing import fetch_page
from web.api.pages import Page
from web.api.registry import api
from web.services import Services

TAG = "events"
EVENTS = "/organizers/{organizer}/events/"
EVENT = "/organizers/{organizer}/events/{event}/"

Slug = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
Minutes = Annotated[int, Field(ge=1, le=7 * 24 * 60)]
Days = Annotated[int, Field(ge=0, le=365)]
Timezone = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="IANA timezone of the talk event (CfP deadlines, schedule days)",
        examples=["Europe/Berlin"],
    ),
]


class Event(BaseModel):
    slug: str
    name: str
    currency: str
    reservation_minutes: int
    payment_term_days: int
    accept_late_payments: bool
    timezone: str | None = Field(
        description="the talk event's IANA timezone; null for an event without a talk side"
    )
    created_at: Timestamp


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: Annotated[str, Field(min_length=1, max_length=200)]
    currency: Currency = "EUR"
    reservation_minutes: Minutes = 30
    payment_term_days: Days = 14
    accept_late_payments: bool = True
    timezone: Timezone = "UTC"


class EventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    currency: Currency | None = None
    reservation_minutes: Minutes | None = None
    payment_term_days: Days | None = None
    accept_late_payments: bool | None = None
    timezone: Timezone | None = None


class EventFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    search: str | None = Field(None, description="part of the slug or name (case-insensitive)")


_COLUMNS = (
    ticket_events.c.slug,
    ticket_events.c.name,
    ticket_events.c.currency,
    ticket_events.c.reservation_minutes,
    ticket_events.c.payment_term_days,
    ticket_events.c.accept_late_payments,
    ticket_events.c.created_at,
    talk_events.c.timezone,
)


def _selected() -> Select[Any]:
    """The events with their talk side's timezone, if they have one."""
    return select(*_COLUMNS).outerjoin(talk_events, talk_events.c.slug == ticket_events.c.slug)


def _event(row: Any) -> Event:
    values = dict(row._mapping)
    values["slug"] = values["slug"].split("/", 1)[1]
    return Event.model_validate(values)


@api.operation(
    "GET", EVENTS, summary="List events", tag=TAG, response=Event, query=EventFilters,
    paginated=True,
)  # fmt: skip
async def list_events(call: ApiCall) -> Page:
    assert call.principal is not None
    filters = call.query_as(EventFilters)
    statement = _selected().where(ticket_events.c.organizer_id == call.organizer.id)
    visible = call.principal.visible_event_ids(call.organizer.id)
    if visible is not None:
        statement = statement.where(ticket_events.c.id.in_(sorted(visible)))
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        statement = statement.where(
            or_(ticket_events.c.slug.ilike(pattern), ticket_events.c.name.ilike(pattern))
        )
    count, rows = await fetch_page(
        call.session, statement.order_by(ticket_events.c.slug), call.page
    )
    return Page(count, [_event(row) for row in rows])


@api.operation(
    "POST", EVENTS, summary="Create an event", tag=TAG, response=Event, body=EventCreate,
    permission=Permission.EVENTS_CREATE, status=201,
)  # fmt: skip
async def create_event(call: ApiCall) -> Event:
    body = call.body_as(EventCreate)
    full_slug = f"{call.organizer.slug}/{body.slug}"
    taken = await call.session.execute(
        select(ticket_events.c.id).where(ticket_events.c.slug == full_slug)
    )
    if taken.first() is not None:
        msg = "An event with this slug exists already"
        raise ConflictError(msg, field="slug")
    # An existing talk event of the slug (from a schedule import) is kept as it is.
    await ensure_talk_event(call.session, full_slug, body.name, body.timezone, call.now)
    values = body.model_dump(exclude={"timezone"})
    values.update(id=new_id(), organizer_id=call.organizer.id, slug=full_slug, created_at=call.now)
    await call.session.execute(insert(ticket_events).values(**values))
    services: Services = call.request.app.state.services

    async def open_live_event() -> None:
        # An existing live event of the slug is kept as it is: tickets open it.
        with contextlib.suppress(IntegrityError):
            await services.live.events.create_event(full_slug, body.name)

    call.after_commit(open_live_event)
    return await _load(call, full_slug)


@api.operation("GET", EVENT, summary="Show an event", tag=TAG, response=Event)
async def get_event(call: ApiCall) -> Event:
    return await _load(call, f"{call.organizer.slug}/{call.event.slug}")


@api.operation(
    "PATCH", EVENT, summary="Change an event", tag=TAG, response=Event, body=EventPatch,
    permission=Permission.EVENTS_CHANGE,
)  # fmt: skip
async def patch_event(call: ApiCall) -> Event:
    """A new ``name`` or ``timezone`` reaches the talk event of the slug too."""
    changes = call.body_as(EventPatch).model_dump(exclude_unset=True, exclude_none=True)
    full_slug = f"{call.organizer.slug}/{call.event.slug}"
    timezone = changes.pop("timezone", None)
    await update_talk_event(call.session, full_slug, name=changes.get("name"), timezone=timezone)
    if changes:
        await call.session.execute(
            update(ticket_events).where(ticket_events.c.id == call.event.id).values(**changes)
        )
    return await _load(call, full_slug)


async def _load(call: ApiCall, full_slug: str) -> Event:
    row = (await call.session.execute(_selected().where(ticket_events.c.slug == full_slug))).one()
    return _event(row)

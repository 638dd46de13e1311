"""The organizer and event a request's path names (``{organizer}``, ``{event}``) and whether the
principal may act there: one check shared by the REST API and the server-rendered organizer
pages (the reviewer pages), so that both always agree."""

from __future__ import annotations

from sqlalchemy import Table, select

from catalog.talk.tables import talk_events
from catalog.tickets.permissions import Permission, Principal, require
from catalog.tickets.tables import organizers, ticket_events
from core.errors import NotFoundError
from web.api.call import ApiCall, EventRef, OrganizerRef


async def enter_scope(
    call: ApiCall, principal: Principal, permission: Permission | None, *, talk: bool = False
) -> None:
    """Resolve ``{organizer}`` and ``{event}`` of the path (the talk event for ``talk``) and check
    the endpoint's permission.

    An organizer the principal has no team in is as unknown as one that does not exist.
    """
    organizer_slug = call.request.path_params.get("organizer")
    if organizer_slug is None:
        return
    row = (
        await call.session.execute(
            select(organizers.c.id, organizers.c.slug, organizers.c.name).where(
                organizers.c.slug == organizer_slug
            )
        )
    ).first()
    if row is None or row.id not in principal.organizer_ids:
        msg = "No such organizer"
        raise NotFoundError(msg, organizer=organizer_slug)
    call.organizer_ref = OrganizerRef(row.id, row.slug, row.name)
    event_slug = call.request.path_params.get("event")
    scope_event_id: str | None = None
    if event_slug is not None:
        event_id = await _event_id(call, ticket_events, f"{organizer_slug}/{event_slug}", row.id)
        scope_event_id = event_id
        if talk:
            # A team limited to some events reaches a talk event through the ticket event of the
            # same slug; without one, only teams on all events do.
            scope_event_id = event_id or f"talk:{event_slug}"
            event_id = await _event_id(call, talk_events, f"{organizer_slug}/{event_slug}", None)
        if event_id is None:
            msg = "No such event"
            raise NotFoundError(msg, event=event_slug)
        call.event_ref = EventRef(event_id, row.id, event_slug)
    require(principal, permission, row.id, scope_event_id)


async def _event_id(call: ApiCall, table: Table, slug: str, organizer_id: str | None) -> str | None:
    """The id of the event of ``table`` with the full ``slug`` (of ``organizer_id`` when given)."""
    statement = select(table.c.id).where(table.c.slug == slug)
    if organizer_id is not None:
        statement = statement.where(table.c.organizer_id == organizer_id)
    found = (await call.session.execute(statement)).scalar_one_or_none()
    return None if found is None else str(found)

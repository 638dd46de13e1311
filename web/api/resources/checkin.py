"""Check-in over the REST API: an event's check-in lists and their status, and pretix's redeem call
(``/organizers/{organizer}/checkinrpc/redeem/``) with its answers. The scan itself is decided by
``catalog.tickets.redeem`` in its own transaction; nothing here locks tickets."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.responses import JSONResponse

from catalog.tickets import (
    CHECKIN_CREATED,
    CheckinResult,
    Permission,
    UnknownCheckinListError,
    checkin_lists_of,
    create_checkin_list,
    enqueue_webhook_calls,
    get_checkin_list,
    list_status,
    redeem,
    require,
    update_checkin_list,
)
from catalog.tickets import CheckinList as StoredList
from catalog.tickets.tables import checkin_lists, checkins, ticket_events
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.pages import Page
from web.api.registry import api
from web.services import Services

TAG = "checkin"
LISTS = "/organizers/{organizer}/events/{event}/checkinlists/"
LIST = LISTS + "{list}/"
REDEEM = "/organizers/{organizer}/checkinrpc/redeem/"
Name = Annotated[str, Field(min_length=1, max_length=200)]


class CheckinList(BaseModel):
    id: str
    name: str
    all_products: bool
    limit_products: list[str]
    include_pending: bool
    allow_multiple_entries: bool
    allow_entry_after_exit: bool
    online: bool = Field(description="the list joins of the live event are recorded on")
    created_at: Timestamp


class CheckinListCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    all_products: bool = True
    limit_products: list[str] = []
    include_pending: bool = False
    allow_multiple_entries: bool = False
    allow_entry_after_exit: bool = True


class CheckinListPatch(BaseModel):
    """``limit_products``, when given, replaces the list's products."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    all_products: bool | None = None
    limit_products: list[str] | None = None
    include_pending: bool | None = None
    allow_multiple_entries: bool | None = None
    allow_entry_after_exit: bool | None = None


class ProductCount(BaseModel):
    id: str
    name: str
    position_count: int
    checkin_count: int
    inside_count: int


class CheckinListStatus(BaseModel):
    position_count: int = Field(description="valid tickets of the list's products")
    checkin_count: int = Field(description="tickets with at least one entry")
    inside_count: int = Field(description="tickets with more entries than exits")
    products: list[ProductCount]


class RedeemBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: Annotated[str, Field(max_length=1000)]
    lists: Annotated[list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=50)]
    type: Literal["entry", "exit"] = "entry"
    nonce: Annotated[str, Field(min_length=1, max_length=190)] | None = None
    datetime: Timestamp | None = Field(None, description="when it was scanned (default: now)")
    force: bool = Field(False, description="record whatever the ticket's state (offline scans)")
    ignore_unpaid: bool = Field(False, description="admit pending orders on lists that allow it")


class ScannedPosition(BaseModel):
    id: str
    order: str
    product: str
    attendee_name: str | None
    secret: str


class RedeemedList(BaseModel):
    id: str
    name: str
    event: str


class RedeemAnswer(BaseModel):
    """``201``: ``ok``. ``400``: ``error`` with ``reason`` other than ``invalid``; ``404``:
    ``reason`` ``invalid`` (no such ticket)."""

    status: Literal["ok", "error"]
    reason: str | None = Field(
        None, examples=["invalid", "canceled", "product", "unpaid", "already_redeemed", "ambiguous"]
    )
    reason_explanation: str | None = None
    position: ScannedPosition | None
    list: RedeemedList | None


@api.operation(
    "GET", LISTS, summary="List check-in lists", tag=TAG, response=CheckinList,
    permission=Permission.CHECKIN, paginated=True,
)  # fmt: skip
async def list_checkin_lists(call: ApiCall) -> Page:
    found = await checkin_lists_of(call.session, call.event.id)
    start = call.page.offset
    return Page(len(found), [_list(item) for item in found[start : start + call.page.page_size]])


@api.operation(
    "POST", LISTS, summary="Create a check-in list", tag=TAG, response=CheckinList,
    body=CheckinListCreate, permission=Permission.CHECKIN, status=201,
)  # fmt: skip
async def create_list(call: ApiCall) -> CheckinList:
    body = call.body_as(CheckinListCreate)
    return _list(await create_checkin_list(call.session, call.event.id, **body.model_dump()))


@api.operation(
    "GET", LIST, summary="Show a check-in list", tag=TAG, response=CheckinList,
    permission=Permission.CHECKIN,
)  # fmt: skip
async def get_list(call: ApiCall) -> CheckinList:
    return _list(await get_checkin_list(call.session, call.event.id, call.path_param("list")))


@api.operation(
    "PATCH", LIST, summary="Change a check-in list", tag=TAG, response=CheckinList,
    body=CheckinListPatch, permission=Permission.CHECKIN,
)  # fmt: skip
async def patch_list(call: ApiCall) -> CheckinList:
    changes = call.body_as(CheckinListPatch).model_dump(exclude_none=True)
    changed = await update_checkin_list(
        call.session, call.event.id, call.path_param("list"), **changes
    )
    return _list(changed)


@api.operation(
    "GET", LIST + "status/", summary="How far check-in on a list has come", tag=TAG,
    response=CheckinListStatus, permission=Permission.CHECKIN,
)  # fmt: skip
async def get_list_status(call: ApiCall) -> CheckinListStatus:
    the_list = await get_checkin_list(call.session, call.event.id, call.path_param("list"))
    status = await list_status(_services(call).database, the_list.id)
    return CheckinListStatus(
        position_count=status.position_count,
        checkin_count=status.checkin_count,
        inside_count=status.inside_count,
        products=[
            ProductCount(
                id=p.product_id,
                name=p.name,
                position_count=p.position_count,
                checkin_count=p.checkin_count,
                inside_count=p.inside_count,
            )
            for p in status.products
        ],
    )


@api.operation(
    "POST", REDEEM, summary="Check a ticket in (or out) on one of the lists", tag=TAG,
    response=RedeemAnswer, body=RedeemBody, permission=Permission.CHECKIN, status=201,
)  # fmt: skip
async def redeem_ticket(call: ApiCall) -> JSONResponse:
    """The lists may be of several events of the organizer; the first event that knows the
    ticket decides. Unknown lists are ``404 tickets.unknown_list``."""
    body = call.body_as(RedeemBody)
    events = await _events_of_lists(call, body.lists)
    replayable = await _nonce_checkins(call, body)
    result: CheckinResult | None = None
    for event_id, (event_slug, list_ids) in events.items():
        result = await redeem(
            _services(call).database,
            event_id,
            secret=body.secret,
            list_ids=list_ids,
            type=body.type,
            nonce=body.nonce,
            at=body.datetime,
            force=body.force,
            ignore_unpaid=body.ignore_unpaid,
            source="api",
        )
        if result.reason != "invalid":
            return await _answer(call, result, event_slug, replayable)
    assert result is not None, "a list names at least one event"
    return await _answer(call, result, next(iter(events.values()))[0], replayable)


async def _events_of_lists(call: ApiCall, list_ids: list[str]) -> dict[str, tuple[str, list[str]]]:
    """Event id → (event slug, its lists among ``list_ids``), events checked for ``checkin``.

    Raises:
        UnknownCheckinListError: a list is not of an event of this organizer.
        DeniedError: the token may not check in at one of the events.
    """
    rows = await call.session.execute(
        select(checkin_lists.c.id, ticket_events.c.id.label("event_id"), ticket_events.c.slug)
        .join(ticket_events, ticket_events.c.id == checkin_lists.c.event_id)
        .where(
            checkin_lists.c.id.in_(set(list_ids)),
            ticket_events.c.organizer_id == call.organizer.id,
        )
    )
    found = {row.id: (row.event_id, row.slug) for row in rows}
    missing = [item for item in list_ids if item not in found]
    if missing:
        raise UnknownCheckinListError(list_ids=missing)
    events: dict[str, tuple[str, list[str]]] = {}
    for list_id in dict.fromkeys(list_ids):
        event_id, slug = found[list_id]
        events.setdefault(event_id, (slug, []))[1].append(list_id)
    assert call.principal is not None
    for event_id in events:
        require(call.principal, Permission.CHECKIN, call.organizer.id, event_id)
    return events


async def _nonce_checkins(call: ApiCall, body: RedeemBody) -> set[int]:
    """Check-ins a repeat of this scan (same nonce) would answer with; they get no webhook."""
    if body.nonce is None:
        return set()
    found = await call.session.execute(
        select(checkins.c.id).where(
            checkins.c.nonce == body.nonce,
            checkins.c.type == body.type,
            checkins.c.list_id.in_(set(body.lists)),
        )
    )
    return set(found.scalars())


async def _answer(
    call: ApiCall, result: CheckinResult, event_slug: str, replayable: set[int]
) -> JSONResponse:
    shown_list = None
    if result.list_id is not None:
        name = await call.session.scalar(
            select(checkin_lists.c.name).where(checkin_lists.c.id == result.list_id)
        )
        short_slug = event_slug.rpartition("/")[2]
        shown_list = RedeemedList(id=result.list_id, name=name or "", event=short_slug)
    answer = RedeemAnswer(
        status=result.status,
        reason=result.reason,
        reason_explanation=result.reason_explanation,
        position=None if result.position is None else _position(result.position),
        list=shown_list,
    )
    fresh = result.checkin_id not in replayable
    if result.status == "ok" and result.position is not None and fresh:
        await enqueue_webhook_calls(
            call.session,
            organizer_id=call.organizer.id,
            event_slug=event_slug,
            action_type=CHECKIN_CREATED,
            payload={
                "code": result.position.order_code,
                "orderposition_id": result.position.id,
                "checkin_list": result.list_id,
            },
        )
    status = 201 if result.status == "ok" else 404 if result.reason == "invalid" else 400
    return JSONResponse(answer.model_dump(mode="json"), status_code=status)


def _position(position: Any) -> ScannedPosition:
    return ScannedPosition(
        id=position.id,
        order=position.order_code,
        product=position.product_id,
        attendee_name=position.attendee_name,
        secret=position.secret,
    )


def _list(item: StoredList) -> CheckinList:
    return CheckinList(
        id=item.id,
        name=item.name,
        all_products=item.all_products,
        limit_products=sorted(item.limit_products),
        include_pending=item.include_pending,
        allow_multiple_entries=item.allow_multiple_entries,
        allow_entry_after_exit=item.allow_entry_after_exit,
        online=item.online,
        created_at=item.created_at,
    )


def _services(call: ApiCall) -> Services:
    services: Services = call.request.app.state.services
    return services

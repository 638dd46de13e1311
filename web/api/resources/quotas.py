"""``…/events/{event}/quotas/``: quotas with their members, and their live availability
(computed from rows with the catalog's ``quota_usages`` and ``quota_availability``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, delete, insert, select, update

from catalog.tickets import quota_availability, quota_usages
from catalog.tickets.permissions import Permission
from catalog.tickets.tables import products, quota_members, quotas, variations
from core.errors import InvalidPayloadError
from core.ids import new_id
from web.api.call import ApiCall
from web.api.catalog_changes import tell_inventory_after_commit
from web.api.listing import event_row, fetch_page
from web.api.pages import Page
from web.api.registry import api

TAG = "quotas"
QUOTAS = "/organizers/{organizer}/events/{event}/quotas/"
QUOTA = QUOTAS + "{quota}/"
Name = Annotated[str, Field(min_length=1, max_length=200)]
Size = Annotated[int, Field(ge=0)]


class Quota(BaseModel):
    id: str
    name: str
    size: int | None = Field(description="None: unlimited")
    closed: bool
    products: list[str]
    variations: list[str]


class QuotaCreate(BaseModel):
    """``products`` without variations are members themselves; a product with variations is a
    member through the ``variations`` listed (its variations' products may be left out)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    size: Size | None
    closed: bool = False
    products: list[str] = []
    variations: list[str] = []


class QuotaPatch(BaseModel):
    """``products``/``variations``, when either is given, replace the members."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    size: Size | None = None
    closed: bool | None = None
    products: list[str] | None = None
    variations: list[str] | None = None


class QuotaFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    product: str | None = Field(None, description="quotas holding this product")
    variation: str | None = Field(None, description="quotas holding this variation")


class QuotaAvailability(BaseModel):
    available: bool
    available_number: int | None = Field(description="None: unlimited")
    total_size: int | None
    paid_orders: int
    pending_orders: int
    blocking_vouchers: int
    cart_positions: int
    state: str = Field(examples=["ok", "reserved", "ordered", "gone"])


@api.operation(
    "GET", QUOTAS, summary="List quotas", tag=TAG, response=Quota, query=QuotaFilters,
    paginated=True,
)  # fmt: skip
async def list_quotas(call: ApiCall) -> Page:
    filters = call.query_as(QuotaFilters)
    statement = select(quotas.c.id).where(quotas.c.event_id == call.event.id)
    for column, wanted in (
        (quota_members.c.product_id, filters.product),
        (quota_members.c.variation_id, filters.variation),
    ):
        if wanted is not None:
            holders = select(quota_members.c.quota_id).where(column == wanted)
            statement = statement.where(quotas.c.id.in_(holders))
    count, rows = await fetch_page(call.session, statement.order_by(quotas.c.id), call.page)
    return Page(count, await _quotas(call, [row.id for row in rows]))


@api.operation(
    "POST", QUOTAS, summary="Create a quota", tag=TAG, response=Quota, body=QuotaCreate,
    permission=Permission.PRODUCTS_CHANGE, status=201,
)  # fmt: skip
async def create_quota(call: ApiCall) -> Quota:
    tell_inventory_after_commit(call)
    body = call.body_as(QuotaCreate)
    members = await _members(call, body.products, body.variations)
    quota_id = new_id()
    await call.session.execute(
        insert(quotas).values(
            id=quota_id, event_id=call.event.id, name=body.name, size=body.size, closed=body.closed
        )
    )
    await _set_members(call, quota_id, members)
    return (await _quotas(call, [quota_id]))[0]


@api.operation("GET", QUOTA, summary="Show a quota", tag=TAG, response=Quota)
async def get_quota(call: ApiCall) -> Quota:
    return (await _quotas(call, [await _quota_id(call)]))[0]


@api.operation(
    "PATCH", QUOTA, summary="Change a quota", tag=TAG, response=Quota, body=QuotaPatch,
    permission=Permission.PRODUCTS_CHANGE,
)  # fmt: skip
async def patch_quota(call: ApiCall) -> Quota:
    tell_inventory_after_commit(call)
    quota_id = await _quota_id(call)
    body = call.body_as(QuotaPatch)
    changes = body.model_dump(exclude_unset=True, exclude={"products", "variations"})
    changes = {k: v for k, v in changes.items() if v is not None or k == "size"}
    if changes:
        await call.session.execute(update(quotas).where(quotas.c.id == quota_id).values(**changes))
    if body.products is not None or body.variations is not None:
        current = (await _quotas(call, [quota_id]))[0]
        members = await _members(
            call,
            current.products if body.products is None else body.products,
            current.variations if body.variations is None else body.variations,
        )
        await call.session.execute(
            delete(quota_members).where(quota_members.c.quota_id == quota_id)
        )
        await _set_members(call, quota_id, members)
    return (await _quotas(call, [quota_id]))[0]


@api.operation(
    "DELETE", QUOTA, summary="Delete a quota (refused while vouchers name it)", tag=TAG,
    permission=Permission.PRODUCTS_CHANGE, status=204,
)  # fmt: skip
async def delete_quota(call: ApiCall) -> None:
    tell_inventory_after_commit(call)
    quota_id = await _quota_id(call)
    await call.session.execute(delete(quota_members).where(quota_members.c.quota_id == quota_id))
    await call.session.execute(delete(quotas).where(quotas.c.id == quota_id))


@api.operation(
    "GET", QUOTA + "availability/", summary="A quota's availability now", tag=TAG,
    response=QuotaAvailability,
)  # fmt: skip
async def get_quota_availability(call: ApiCall) -> QuotaAvailability:
    quota_id = await _quota_id(call)
    usage = (await quota_usages(call.session, [quota_id], call.now))[quota_id]
    result = quota_availability(usage)
    return QuotaAvailability(
        available=result.allows(),
        available_number=result.left,
        total_size=usage.size,
        paid_orders=usage.paid,
        pending_orders=usage.pending,
        blocking_vouchers=usage.blocking_vouchers,
        cart_positions=usage.carts,
        state=result.state.name.lower(),
    )


async def _quota_id(call: ApiCall) -> str:
    row = await event_row(call.session, quotas, call.path_param("quota"), call.event.id, "quota")
    return str(row.id)


async def _members(
    call: ApiCall, product_ids: list[str], variation_ids: list[str]
) -> set[tuple[str, str | None]]:
    """(product, variation or None) rows for the listed products and variations.

    Raises:
        InvalidPayloadError: an id is not of this event, or a product with variations is listed
            without any of them.
    """
    found_products = {
        row.id: row
        for row in await call.session.execute(
            select(products.c.id).where(
                products.c.id.in_(set(product_ids)), products.c.event_id == call.event.id
            )
        )
    }
    found_variations = {
        row.id: row.product_id
        for row in await call.session.execute(
            select(variations.c.id, variations.c.product_id)
            .join(products, products.c.id == variations.c.product_id)
            .where(variations.c.id.in_(set(variation_ids)), products.c.event_id == call.event.id)
        )
    }
    errors = [
        {"field": field, "message": f"not in this event: {', '.join(missing)}", "in": "body"}
        for field, missing in (
            ("products", sorted(set(product_ids) - set(found_products))),
            ("variations", sorted(set(variation_ids) - set(found_variations))),
        )
        if missing
    ]
    with_variations = set(
        (
            await call.session.execute(
                select(variations.c.product_id).where(
                    variations.c.product_id.in_(set(found_products))
                )
            )
        ).scalars()
    )
    unlisted = sorted(with_variations - set(found_variations.values()))
    if unlisted:
        message = f"these products have variations; list the ones meant: {', '.join(unlisted)}"
        errors.append({"field": "variations", "message": message, "in": "body"})
    if errors:
        raise InvalidPayloadError(errors=errors)
    members: set[tuple[str, str | None]] = {
        (pid, None) for pid in found_products if pid not in with_variations
    }
    members |= {(pid, vid) for vid, pid in found_variations.items()}
    return members


async def _set_members(call: ApiCall, quota_id: str, members: set[tuple[str, str | None]]) -> None:
    if members:
        await call.session.execute(
            insert(quota_members),
            [
                {"quota_id": quota_id, "product_id": pid, "variation_id": vid}
                for pid, vid in sorted(members, key=lambda m: (m[0], m[1] or ""))
            ],
        )


async def _quotas(call: ApiCall, quota_ids: list[str]) -> list[Quota]:
    if not quota_ids:
        return []
    rows: dict[str, Row[Any]] = {
        row.id: row
        for row in await call.session.execute(select(quotas).where(quotas.c.id.in_(quota_ids)))
    }
    found_products: dict[str, set[str]] = {}
    found_variations: dict[str, set[str]] = {}
    for quota_id, product_id, variation_id in await call.session.execute(
        select(
            quota_members.c.quota_id, quota_members.c.product_id, quota_members.c.variation_id
        ).where(quota_members.c.quota_id.in_(quota_ids))
    ):
        found_products.setdefault(quota_id, set()).add(product_id)
        if variation_id is not None:
            found_variations.setdefault(quota_id, set()).add(variation_id)
    return [
        Quota(
            id=qid,
            name=rows[qid].name,
            size=rows[qid].size,
            closed=rows[qid].closed,
            products=sorted(found_products.get(qid, ())),
            variations=sorted(found_variations.get(qid, ())),
        )
        for qid in quota_ids
    ]

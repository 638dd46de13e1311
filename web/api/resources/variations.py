"""``…/products/{product}/variations/``: the variations of one product."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, delete, insert, select, update

from catalog.tickets.errors import UnknownTicketObjectError
from catalog.tickets.permissions import Permission
from catalog.tickets.tables import products, quota_members, variations
from core.ids import new_id
from web.api.call import ApiCall
from web.api.catalog_changes import tell_inventory_after_commit
from web.api.fields import Money
from web.api.listing import event_row, fetch_page
from web.api.pages import Page
from web.api.registry import api

TAG = "variations"
VARIATIONS = "/organizers/{organizer}/events/{event}/products/{product}/variations/"
VARIATION = VARIATIONS + "{variation}/"
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Variation(BaseModel):
    id: str
    name: str
    price: Money | None = Field(description="None: the product's price")
    active: bool
    sort_key: int


class VariationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    price: Money | None = None
    active: bool = True
    sort_key: int = 0


class VariationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    price: Money | None = None
    active: bool | None = None
    sort_key: int | None = None


def variation_model(row: Row[Any]) -> Variation:
    return Variation(
        id=row.id, name=row.name, price=row.price, active=row.active, sort_key=row.sort_key
    )


async def insert_variation(call: ApiCall, product_id: str, body: VariationCreate) -> str:
    variation_id = new_id()
    await call.session.execute(
        insert(variations).values(id=variation_id, product_id=product_id, **body.model_dump())
    )
    return variation_id


@api.operation(
    "GET", VARIATIONS, summary="List a product's variations", tag=TAG, response=Variation,
    paginated=True,
)  # fmt: skip
async def list_variations(call: ApiCall) -> Page:
    product_id = await _product_id(call)
    statement = (
        select(variations)
        .where(variations.c.product_id == product_id)
        .order_by(variations.c.sort_key, variations.c.id)
    )
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, [variation_model(row) for row in rows])


@api.operation(
    "POST", VARIATIONS, summary="Create a variation", tag=TAG, response=Variation,
    body=VariationCreate, permission=Permission.PRODUCTS_CHANGE, status=201,
)  # fmt: skip
async def create_variation(call: ApiCall) -> Variation:
    tell_inventory_after_commit(call)
    product_id = await _product_id(call)
    variation_id = await insert_variation(call, product_id, call.body_as(VariationCreate))
    return await _load(call, product_id, variation_id)


@api.operation("GET", VARIATION, summary="Show a variation", tag=TAG, response=Variation)
async def get_variation(call: ApiCall) -> Variation:
    return await _load(call, await _product_id(call), call.path_param("variation"))


@api.operation(
    "PATCH", VARIATION, summary="Change a variation", tag=TAG, response=Variation,
    body=VariationPatch, permission=Permission.PRODUCTS_CHANGE,
)  # fmt: skip
async def patch_variation(call: ApiCall) -> Variation:
    tell_inventory_after_commit(call)
    product_id = await _product_id(call)
    variation_id = (await _load(call, product_id, call.path_param("variation"))).id
    body = call.body_as(VariationPatch)
    changes = body.model_dump(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k == "price"}
    if changes:
        await call.session.execute(
            update(variations).where(variations.c.id == variation_id).values(**changes)
        )
    return await _load(call, product_id, variation_id)


@api.operation(
    "DELETE", VARIATION, summary="Delete a variation (refused while orders use it)", tag=TAG,
    permission=Permission.PRODUCTS_CHANGE, status=204,
)  # fmt: skip
async def delete_variation(call: ApiCall) -> None:
    tell_inventory_after_commit(call)
    product_id = await _product_id(call)
    variation_id = (await _load(call, product_id, call.path_param("variation"))).id
    await call.session.execute(
        delete(quota_members).where(quota_members.c.variation_id == variation_id)
    )
    await call.session.execute(delete(variations).where(variations.c.id == variation_id))


async def _product_id(call: ApiCall) -> str:
    row = await event_row(
        call.session, products, call.path_param("product"), call.event.id, "product"
    )
    return str(row.id)


async def _load(call: ApiCall, product_id: str, variation_id: str) -> Variation:
    row = (
        await call.session.execute(
            select(variations).where(
                variations.c.id == variation_id, variations.c.product_id == product_id
            )
        )
    ).first()
    if row is None:
        msg = "No such variation of this product"
        raise UnknownTicketObjectError(msg, variation=variation_id)
    return variation_model(row)

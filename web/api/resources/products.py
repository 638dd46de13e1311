"""``…/events/{event}/products/``: products, shown with their variations and add-ons."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, delete, insert, select, update

from catalog.tickets.permissions import Permission
from catalog.tickets.tables import categories, product_addons, products, quota_members, variations
from core.ids import new_id
from web.api.call import ApiCall
from web.api.catalog_changes import tell_inventory_after_commit
from web.api.fields import Money
from web.api.listing import event_row, fetch_page, require_in_event
from web.api.pages import Page
from web.api.registry import api
from web.api.resources.variations import (
    Variation,
    VariationCreate,
    insert_variation,
    variation_model,
)

TAG = "products"
PRODUCTS = "/organizers/{organizer}/events/{event}/products/"
PRODUCT = PRODUCTS + "{product}/"
Name = Annotated[str, Field(min_length=1, max_length=200)]
Count = Annotated[int, Field(ge=0, le=1000)]


class Addon(BaseModel):
    """Add-ons from ``category`` offered with the product: between min and max of them."""

    model_config = ConfigDict(extra="forbid")

    category: str
    min_count: Count = 0
    max_count: Count = 1
    price_included: bool = False


class Product(BaseModel):
    id: str
    category: str | None
    name: str
    description: str
    price: Money
    admission: bool
    active: bool
    sort_key: int
    variations: list[Variation]
    addons: list[Addon]


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: str = ""
    price: Money
    category: str | None = None
    admission: bool = True
    active: bool = True
    sort_key: int = 0
    variations: list[VariationCreate] = []
    addons: list[Addon] = []


class ProductPatch(BaseModel):
    """``addons``, when given, replaces the product's add-ons; variations have their own path."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: str | None = None
    price: Money | None = None
    category: str | None = None
    admission: bool | None = None
    active: bool | None = None
    sort_key: int | None = None
    addons: list[Addon] | None = None


class ProductFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    category: str | None = Field(None, description="products of this category id")
    active: bool | None = Field(None, description="only active (or inactive) products")
    admission: bool | None = Field(None, description="only admission (or other) products")
    search: str | None = Field(None, description="part of the name (case-insensitive)")


@api.operation(
    "GET", PRODUCTS, summary="List products", tag=TAG, response=Product, query=ProductFilters,
    paginated=True,
)  # fmt: skip
async def list_products(call: ApiCall) -> Page:
    filters = call.query_as(ProductFilters)
    statement = select(products.c.id).where(products.c.event_id == call.event.id)
    if filters.category is not None:
        statement = statement.where(products.c.category_id == filters.category)
    for column, wanted in (
        (products.c.active, filters.active),
        (products.c.admission, filters.admission),
    ):
        if wanted is not None:
            statement = statement.where(column.is_(wanted))
    if filters.search:
        statement = statement.where(products.c.name.ilike(f"%{filters.search}%"))
    statement = statement.order_by(products.c.sort_key, products.c.id)
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, await _products(call, [row.id for row in rows]))


@api.operation(
    "POST", PRODUCTS, summary="Create a product (with variations and add-ons)", tag=TAG,
    response=Product, body=ProductCreate, permission=Permission.PRODUCTS_CHANGE, status=201,
)  # fmt: skip
async def create_product(call: ApiCall) -> Product:
    tell_inventory_after_commit(call)
    body = call.body_as(ProductCreate)
    await _check_categories(call, body.category, body.addons)
    product_id = new_id()
    values = body.model_dump(exclude={"variations", "addons", "category"})
    await call.session.execute(
        insert(products).values(
            id=product_id, event_id=call.event.id, category_id=body.category, **values
        )
    )
    for index, variation in enumerate(body.variations):
        # Without sort keys, nested variations keep the order they were sent in.
        if "sort_key" not in variation.model_fields_set:
            variation = variation.model_copy(update={"sort_key": index})
        await insert_variation(call, product_id, variation)
    await _set_addons(call, product_id, body.addons)
    return (await _products(call, [product_id]))[0]


@api.operation("GET", PRODUCT, summary="Show a product", tag=TAG, response=Product)
async def get_product(call: ApiCall) -> Product:
    return (await _products(call, [await _product_id(call)]))[0]


@api.operation(
    "PATCH", PRODUCT, summary="Change a product", tag=TAG, response=Product, body=ProductPatch,
    permission=Permission.PRODUCTS_CHANGE,
)  # fmt: skip
async def patch_product(call: ApiCall) -> Product:
    tell_inventory_after_commit(call)
    product_id = await _product_id(call)
    body = call.body_as(ProductPatch)
    await _check_categories(call, body.category, body.addons or [])
    changes = body.model_dump(exclude_unset=True, exclude={"addons", "category"})
    changes = {key: value for key, value in changes.items() if value is not None}
    if "category" in body.model_fields_set:
        changes["category_id"] = body.category
    if changes:
        await call.session.execute(
            update(products).where(products.c.id == product_id).values(**changes)
        )
    if body.addons is not None:
        await call.session.execute(
            delete(product_addons).where(product_addons.c.base_product_id == product_id)
        )
        await _set_addons(call, product_id, body.addons)
    return (await _products(call, [product_id]))[0]


@api.operation(
    "DELETE", PRODUCT, summary="Delete a product (refused while orders or vouchers use it)",
    tag=TAG, permission=Permission.PRODUCTS_CHANGE, status=204,
)  # fmt: skip
async def delete_product(call: ApiCall) -> None:
    tell_inventory_after_commit(call)
    product_id = await _product_id(call)
    await call.session.execute(
        delete(quota_members).where(quota_members.c.product_id == product_id)
    )
    await call.session.execute(
        delete(product_addons).where(product_addons.c.base_product_id == product_id)
    )
    await call.session.execute(delete(variations).where(variations.c.product_id == product_id))
    await call.session.execute(delete(products).where(products.c.id == product_id))


async def _product_id(call: ApiCall) -> str:
    row = await event_row(
        call.session, products, call.path_param("product"), call.event.id, "product"
    )
    return str(row.id)


async def _check_categories(call: ApiCall, category: str | None, addons: list[Addon]) -> None:
    await require_in_event(
        call.session, categories, [] if category is None else [category], call.event.id, "category"
    )
    await require_in_event(
        call.session, categories, [addon.category for addon in addons], call.event.id, "addons"
    )


async def _set_addons(call: ApiCall, product_id: str, addons: list[Addon]) -> None:
    for addon in addons:
        values = addon.model_dump(exclude={"category"})
        await call.session.execute(
            insert(product_addons).values(
                id=new_id(), base_product_id=product_id, category_id=addon.category, **values
            )
        )


async def _products(call: ApiCall, product_ids: list[str]) -> list[Product]:
    """The products with these ids, in this order, each with its variations and add-ons."""
    if not product_ids:
        return []
    session = call.session
    rows = {
        row.id: row
        for row in await session.execute(select(products).where(products.c.id.in_(product_ids)))
    }
    found_variations: dict[str, list[Variation]] = {}
    for row in await session.execute(
        select(variations)
        .where(variations.c.product_id.in_(product_ids))
        .order_by(variations.c.sort_key, variations.c.id)
    ):
        found_variations.setdefault(row.product_id, []).append(variation_model(row))
    found_addons: dict[str, list[Addon]] = {}
    for row in await session.execute(
        select(product_addons)
        .where(product_addons.c.base_product_id.in_(product_ids))
        .order_by(product_addons.c.category_id)
    ):
        found_addons.setdefault(row.base_product_id, []).append(_addon(row))
    return [
        _product(rows[pid], found_variations.get(pid, []), found_addons.get(pid, []))
        for pid in product_ids
    ]


def _addon(row: Row[Any]) -> Addon:
    return Addon(
        category=row.category_id,
        min_count=row.min_count,
        max_count=row.max_count,
        price_included=row.price_included,
    )


def _product(row: Row[Any], found_variations: list[Variation], addons: list[Addon]) -> Product:
    return Product(
        id=row.id,
        category=row.category_id,
        name=row.name,
        description=row.description,
        price=row.price,
        admission=row.admission,
        active=row.active,
        sort_key=row.sort_key,
        variations=found_variations,
        addons=addons,
    )

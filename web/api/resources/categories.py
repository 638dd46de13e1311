"""``…/events/{event}/categories/``: product categories (add-on categories among them)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, delete, insert, select, update

from catalog.tickets.permissions import Permission
from catalog.tickets.tables import categories, product_addons, products
from core.ids import new_id
from web.api.call import ApiCall
from web.api.catalog_changes import tell_inventory_after_commit
from web.api.listing import event_row, fetch_page
from web.api.pages import Page
from web.api.registry import api

TAG = "categories"
CATEGORIES = "/organizers/{organizer}/events/{event}/categories/"
CATEGORY = CATEGORIES + "{category}/"
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Category(BaseModel):
    id: str
    name: str
    sort_key: int
    is_addon: bool


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    sort_key: int = 0
    is_addon: bool = False


class CategoryPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    sort_key: int | None = None
    is_addon: bool | None = None


class CategoryFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    is_addon: bool | None = Field(None, description="only add-on (or only ordinary) categories")


def _category(row: Row[Any]) -> Category:
    return Category(id=row.id, name=row.name, sort_key=row.sort_key, is_addon=row.is_addon)


@api.operation(
    "GET", CATEGORIES, summary="List categories", tag=TAG, response=Category,
    query=CategoryFilters, paginated=True,
)  # fmt: skip
async def list_categories(call: ApiCall) -> Page:
    filters = call.query_as(CategoryFilters)
    statement = select(categories).where(categories.c.event_id == call.event.id)
    if filters.is_addon is not None:
        statement = statement.where(categories.c.is_addon.is_(filters.is_addon))
    statement = statement.order_by(categories.c.sort_key, categories.c.id)
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, [_category(row) for row in rows])


@api.operation(
    "POST", CATEGORIES, summary="Create a category", tag=TAG, response=Category,
    body=CategoryCreate, permission=Permission.PRODUCTS_CHANGE, status=201,
)  # fmt: skip
async def create_category(call: ApiCall) -> Category:
    category_id = new_id()
    values = call.body_as(CategoryCreate).model_dump()
    await call.session.execute(
        insert(categories).values(id=category_id, event_id=call.event.id, **values)
    )
    return await _load(call, category_id)


@api.operation("GET", CATEGORY, summary="Show a category", tag=TAG, response=Category)
async def get_category(call: ApiCall) -> Category:
    return await _load(call, call.path_param("category"))


@api.operation(
    "PATCH", CATEGORY, summary="Change a category", tag=TAG, response=Category,
    body=CategoryPatch, permission=Permission.PRODUCTS_CHANGE,
)  # fmt: skip
async def patch_category(call: ApiCall) -> Category:
    category_id = (await _load(call, call.path_param("category"))).id
    changes = call.body_as(CategoryPatch).model_dump(exclude_unset=True, exclude_none=True)
    if changes:
        await call.session.execute(
            update(categories).where(categories.c.id == category_id).values(**changes)
        )
        tell_inventory_after_commit(call)  # add-on rules follow categories
    return await _load(call, category_id)


@api.operation(
    "DELETE", CATEGORY, summary="Delete a category (its products stay, uncategorized)", tag=TAG,
    permission=Permission.PRODUCTS_CHANGE, status=204,
)  # fmt: skip
async def delete_category(call: ApiCall) -> None:
    category_id = (await _load(call, call.path_param("category"))).id
    await call.session.execute(
        update(products).where(products.c.category_id == category_id).values(category_id=None)
    )
    await call.session.execute(
        delete(product_addons).where(product_addons.c.category_id == category_id)
    )
    await call.session.execute(delete(categories).where(categories.c.id == category_id))
    tell_inventory_after_commit(call)


async def _load(call: ApiCall, category_id: str) -> Category:
    return _category(
        await event_row(call.session, categories, category_id, call.event.id, "category")
    )

"""``…/events/{event}/vouchers/``: vouchers. New ones are made by the event's inventory (a
quota-blocking voucher takes capacity); changes written here may only give capacity back, and
then tell the inventory after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel
from sqlalchemy import Row, and_, delete, not_, or_, select, update

from catalog.tickets import Permission, PriceMode, VoucherDraft
from catalog.tickets.tables import products, quotas, variations, vouchers
from core.errors import InvalidPayloadError
from web.api.call import ApiCall
from web.api.catalog_changes import tell_inventory_after_commit
from web.api.errors import ConflictError
from web.api.fields import Money, Timestamp
from web.api.listing import event_row, fetch_page
from web.api.pages import Page
from web.api.registry import api
from web.services import Services

TAG = "vouchers"
VOUCHERS = "/organizers/{organizer}/events/{event}/vouchers/"
VOUCHER = VOUCHERS + "{voucher}/"


class Voucher(BaseModel):
    id: str
    code: str
    max_usages: int
    redeemed: int
    valid_until: Timestamp | None
    price_mode: str = Field(examples=["none", "set", "subtract", "percent"])
    value: Money | None
    block_quota: bool
    allow_ignore_quota: bool
    product: str | None
    variation: str | None
    quota: str | None
    created_at: Timestamp


Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]
Usages = Annotated[int, Field(ge=1, le=100_000)]


class VoucherCreate(BaseModel):
    """``block_quota`` holds ``max_usages`` of the scope's quotas from now on, so it needs a
    ``product`` or ``quota`` and room in its quotas (else ``tickets.sold_out``)."""

    model_config = ConfigDict(extra="forbid")

    code: Code | None = Field(None, description="default: a random code")
    max_usages: Usages = 1
    valid_until: Timestamp | None = None
    price_mode: PriceMode = PriceMode.NONE
    value: Money | None = None
    block_quota: bool = False
    allow_ignore_quota: bool = False
    product: str | None = None
    variation: str | None = None
    quota: str | None = None


class VoucherBatch(RootModel[Annotated[list[VoucherCreate], Field(min_length=1, max_length=500)]]):
    """Vouchers made together: all of them or none."""


class VoucherList(RootModel[list[Voucher]]):
    pass


class VoucherPatch(BaseModel):
    """Changes that would take capacity are refused with ``409 api.conflict``
    (``details.fields``): more uses, another scope or a later end for a quota-blocking voucher,
    and turning ``block_quota`` on. Make a new voucher instead."""

    model_config = ConfigDict(extra="forbid")

    max_usages: Usages | None = None
    valid_until: Timestamp | None = None
    price_mode: PriceMode | None = None
    value: Money | None = None
    block_quota: bool | None = None
    allow_ignore_quota: bool | None = None
    product: str | None = None
    variation: str | None = None
    quota: str | None = None


class VoucherFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str | None = Field(None, description="exactly this code")
    product: str | None = Field(None, description="vouchers for this product")
    variation: str | None = Field(None, description="vouchers for this variation")
    quota: str | None = Field(None, description="vouchers for this quota")
    block_quota: bool | None = Field(None, description="only quota-blocking (or other) vouchers")
    active: bool | None = Field(
        None, description="only vouchers that can still be redeemed (not used up, not expired)"
    )


def _voucher(row: Row[Any]) -> Voucher:
    return Voucher(
        id=row.id,
        code=row.code,
        max_usages=row.max_usages,
        redeemed=row.redeemed,
        valid_until=row.valid_until,
        price_mode=row.price_mode,
        value=row.value,
        block_quota=row.block_quota,
        allow_ignore_quota=row.allow_ignore_quota,
        product=row.product_id,
        variation=row.variation_id,
        quota=row.quota_id,
        created_at=row.created_at,
    )


@api.operation(
    "GET", VOUCHERS, summary="List vouchers", tag=TAG, response=Voucher, query=VoucherFilters,
    permission=Permission.VOUCHERS_VIEW, paginated=True,
)  # fmt: skip
async def list_vouchers(call: ApiCall) -> Page:
    filters = call.query_as(VoucherFilters)
    statement = select(vouchers).where(vouchers.c.event_id == call.event.id)
    for column, wanted in (
        (vouchers.c.code, filters.code),
        (vouchers.c.product_id, filters.product),
        (vouchers.c.variation_id, filters.variation),
        (vouchers.c.quota_id, filters.quota),
    ):
        if wanted is not None:
            statement = statement.where(column == wanted)
    if filters.block_quota is not None:
        statement = statement.where(vouchers.c.block_quota.is_(filters.block_quota))
    if filters.active is not None:
        usable = and_(
            vouchers.c.redeemed < vouchers.c.max_usages,
            or_(vouchers.c.valid_until.is_(None), vouchers.c.valid_until >= call.now),
        )
        statement = statement.where(usable if filters.active else not_(usable))
    statement = statement.order_by(vouchers.c.code, vouchers.c.id)
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, [_voucher(row) for row in rows])


@api.operation(
    "GET", VOUCHER, summary="Show a voucher", tag=TAG, response=Voucher,
    permission=Permission.VOUCHERS_VIEW,
)  # fmt: skip
async def get_voucher(call: ApiCall) -> Voucher:
    row = await event_row(
        call.session, vouchers, call.path_param("voucher"), call.event.id, "voucher"
    )
    return _voucher(row)


@api.operation(
    "POST", VOUCHERS, summary="Create a voucher", tag=TAG, response=Voucher, body=VoucherCreate,
    permission=Permission.VOUCHERS_CHANGE, status=201,
)  # fmt: skip
async def create_voucher(call: ApiCall) -> Voucher:
    """``tickets.invalid_voucher`` for a code in use (``duplicate``) or a blocking voucher
    without scope (``scope``); ``tickets.sold_out`` when its quotas lack room."""
    (made,) = await _create(call, [call.body_as(VoucherCreate)])
    return made


@api.operation(
    "POST", VOUCHERS + "batch_create/", summary="Create vouchers, all or none", tag=TAG,
    response=VoucherList, body=VoucherBatch, permission=Permission.VOUCHERS_CHANGE, status=201,
)  # fmt: skip
async def batch_create_vouchers(call: ApiCall) -> VoucherList:
    return VoucherList(await _create(call, call.body_as(VoucherBatch).root))


@api.operation(
    "PATCH", VOUCHER, summary="Change a voucher", tag=TAG, response=Voucher, body=VoucherPatch,
    permission=Permission.VOUCHERS_CHANGE,
)  # fmt: skip
async def patch_voucher(call: ApiCall) -> Voucher:
    row = await event_row(
        call.session, vouchers, call.path_param("voucher"), call.event.id, "voucher"
    )
    body = call.body_as(VoucherPatch)
    changes = body.model_dump(exclude_unset=True)
    for key in ("max_usages", "price_mode", "block_quota", "allow_ignore_quota"):
        if key in changes and changes[key] is None:
            raise InvalidPayloadError(errors=[_field_error(key, "may not be null")])
    scope: dict[str, Any] = {
        key: changes.pop(key) for key in ("product", "variation", "quota") if key in changes
    }
    if scope:
        merged: dict[str, Any] = {
            "product": row.product_id,
            "variation": row.variation_id,
            "quota": row.quota_id,
        }
        merged |= scope
        await _check_scope(call, [merged], prefix="")
        changes |= {f"{key}_id": value for key, value in scope.items()}
    _refuse_taking_capacity(row, changes, call.now)
    if "max_usages" in changes and changes["max_usages"] < row.redeemed:
        msg = f"max_usages may not be below the {row.redeemed} uses made"
        raise InvalidPayloadError(errors=[_field_error("max_usages", msg)])
    if changes:
        done = await call.session.execute(
            update(vouchers)
            .where(
                vouchers.c.id == row.id,
                vouchers.c.redeemed <= changes.get("max_usages", row.max_usages),
            )
            .values(**changes)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            msg = "The voucher was used meanwhile; max_usages would be below its uses"
            raise ConflictError(msg, fields=["max_usages"])
        if row.block_quota:
            tell_inventory_after_commit(call)
    return _voucher(await event_row(call.session, vouchers, row.id, call.event.id, "voucher"))


@api.operation(
    "DELETE", VOUCHER, summary="Delete a voucher never used", tag=TAG,
    permission=Permission.VOUCHERS_CHANGE, status=204,
)  # fmt: skip
async def delete_voucher(call: ApiCall) -> None:
    """``409 api.conflict`` once the voucher was redeemed or while a cart holds it."""
    row = await event_row(
        call.session, vouchers, call.path_param("voucher"), call.event.id, "voucher"
    )
    done = await call.session.execute(
        delete(vouchers).where(vouchers.c.id == row.id, vouchers.c.redeemed == 0)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        msg = "A voucher that was redeemed cannot be deleted"
        raise ConflictError(msg, redeemed=row.redeemed)
    if row.block_quota:
        tell_inventory_after_commit(call)


async def _create(call: ApiCall, bodies: list[VoucherCreate]) -> list[Voucher]:
    scopes = [{"product": b.product, "variation": b.variation, "quota": b.quota} for b in bodies]
    await _check_scope(call, scopes, prefix="" if len(bodies) == 1 else "{index}.")
    drafts = [
        VoucherDraft(
            code=b.code,
            max_usages=b.max_usages,
            valid_until=b.valid_until,
            price_mode=b.price_mode,
            value=b.value,
            block_quota=b.block_quota,
            allow_ignore_quota=b.allow_ignore_quota,
            product_id=b.product,
            variation_id=b.variation,
            quota_id=b.quota,
        )
        for b in bodies
    ]
    services: Services = call.request.app.state.services
    ids = await services.tickets.inventory.add_vouchers(call.event.id, drafts)
    rows = {
        row.id: row
        for row in await call.session.execute(select(vouchers).where(vouchers.c.id.in_(ids)))
    }
    return [_voucher(rows[voucher_id]) for voucher_id in ids]


async def _check_scope(call: ApiCall, scopes: list[dict[str, Any]], prefix: str) -> None:
    """Raises:
    InvalidPayloadError: a product or quota not of this event, or a variation not of the product.
    """
    wanted = {key: {s[key] for s in scopes if s[key]} for key in ("product", "variation", "quota")}
    known_products = set(
        (
            await call.session.execute(
                select(products.c.id).where(
                    products.c.id.in_(wanted["product"]), products.c.event_id == call.event.id
                )
            )
        ).scalars()
    )
    known_quotas = set(
        (
            await call.session.execute(
                select(quotas.c.id).where(
                    quotas.c.id.in_(wanted["quota"]), quotas.c.event_id == call.event.id
                )
            )
        ).scalars()
    )
    product_of = {
        row.id: row.product_id
        for row in await call.session.execute(
            select(variations.c.id, variations.c.product_id).where(
                variations.c.id.in_(wanted["variation"])
            )
        )
    }
    errors = []
    for index, scope in enumerate(scopes):
        at = prefix.format(index=index)
        if scope["product"] and scope["product"] not in known_products:
            errors.append(_field_error(f"{at}product", "not a product of this event"))
        if scope["quota"] and scope["quota"] not in known_quotas:
            errors.append(_field_error(f"{at}quota", "not a quota of this event"))
        variation = scope["variation"]
        if variation and (not scope["product"] or product_of.get(variation) != scope["product"]):
            errors.append(_field_error(f"{at}variation", "not a variation of the product"))
        if scope["quota"] and scope["product"]:
            errors.append(_field_error(f"{at}quota", "a voucher is for a product or a quota"))
    if errors:
        raise InvalidPayloadError(errors=errors)


def _refuse_taking_capacity(row: Row[Any], changes: dict[str, Any], now: datetime) -> None:
    """Raises:
    ConflictError: the change would make the voucher hold capacity it does not hold now.
    """
    refused = []
    if not row.block_quota:
        if changes.get("block_quota"):
            refused.append("block_quota")
    elif changes.get("block_quota", True):  # stays blocking: it may only hold less
        if changes.get("max_usages", row.max_usages) > row.max_usages:
            refused.append("max_usages")
        refused += [
            key[: -len("_id")]
            for key in ("product_id", "variation_id", "quota_id")
            if key in changes and changes[key] != row._mapping[key]
        ]
        if "valid_until" in changes and _later(changes["valid_until"], row.valid_until, now):
            refused.append("valid_until")
    if refused:
        msg = "These changes would make a quota-blocking voucher hold more; create a new one"
        raise ConflictError(msg, fields=refused)


def _later(new: datetime | None, old: datetime | None, now: datetime) -> bool:
    """Whether a blocking voucher valid until ``new`` holds capacity longer than until ``old``."""
    if old is not None and old.tzinfo is None:
        old = old.replace(tzinfo=now.tzinfo)
    if old is None:
        return False
    if old < now:  # expired: it holds nothing now, and would again
        return new is None or new >= now
    return new is None or new > old


def _field_error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message, "in": "body"}

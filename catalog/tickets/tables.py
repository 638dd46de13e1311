"""Tables of the tickets catalog (organizers, events, products, quotas, vouchers, carts, orders);
they mirror migration 0005. Queries live in the modules that own each concern, never here.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from core.database import Base

metadata = Base.metadata


def _money(name: str, *, nullable: bool = False) -> Column[object]:
    # Money is Decimal with two places; never float.
    return Column(name, Numeric(10, 2), nullable=nullable)


def _created() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False)


def _event_fk() -> Column[object]:
    return Column(
        "event_id", String(32), ForeignKey("ticket_events.id"), nullable=False, index=True
    )


organizers = Table(
    "ticket_organizers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("slug", String(50), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    _created(),
)

# ``slug`` is ``<organizer slug>/<event slug>``, the same shape as the live core's event slugs.
ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("organizer_id", String(32), ForeignKey("ticket_organizers.id"), nullable=False),
    Column("slug", String(101), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("currency", String(3), nullable=False),
    _created(),
)

categories = Table(
    "ticket_categories",
    metadata,
    Column("id", String(32), primary_key=True),
    _event_fk(),
    Column("name", String(200), nullable=False),
    Column("sort_key", Integer, nullable=False),
    # Add-on categories are offered only as add-ons to a base product.
    Column("is_addon", Boolean, nullable=False),
)

products = Table(
    "ticket_products",
    metadata,
    Column("id", String(32), primary_key=True),
    _event_fk(),
    Column("category_id", String(32), ForeignKey("ticket_categories.id"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    _money("price"),
    # An admission product is a ticket that grants entry (and so access to the live event).
    Column("admission", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("sort_key", Integer, nullable=False),
)

variations = Table(
    "ticket_variations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("product_id", String(32), ForeignKey("ticket_products.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    _money("price", nullable=True),  # None: the product's price
    Column("active", Boolean, nullable=False),
    Column("sort_key", Integer, nullable=False),
)

product_addons = Table(
    "ticket_product_addons",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("base_product_id", String(32), ForeignKey("ticket_products.id"), nullable=False),
    Column("category_id", String(32), ForeignKey("ticket_categories.id"), nullable=False),
    Column("min_count", Integer, nullable=False),
    Column("max_count", Integer, nullable=False),
    Column("price_included", Boolean, nullable=False),
    UniqueConstraint("base_product_id", "category_id", name="uq_ticket_product_addons_base"),
)

# ``size`` None is an unlimited quota; a closed quota sells nothing whatever its size.
quotas = Table(
    "ticket_quotas",
    metadata,
    Column("id", String(32), primary_key=True),
    _event_fk(),
    Column("name", String(200), nullable=False),
    Column("size", Integer, nullable=True),
    Column("closed", Boolean, nullable=False),
)

# A row with ``variation_id`` None holds a product without variations; a product with
# variations is in a quota through its variations' rows.
quota_members = Table(
    "ticket_quota_members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quota_id", String(32), ForeignKey("ticket_quotas.id"), nullable=False, index=True),
    Column("product_id", String(32), ForeignKey("ticket_products.id"), nullable=False, index=True),
    Column("variation_id", String(32), ForeignKey("ticket_variations.id"), nullable=True),
    UniqueConstraint("quota_id", "product_id", "variation_id", name="uq_ticket_quota_members"),
)

# Scope: ``quota_id``, or ``product_id`` (with an optional ``variation_id``), or neither (all).
# ``price_mode`` is none / set / subtract / percent, applied with ``value``.
vouchers = Table(
    "ticket_vouchers",
    metadata,
    Column("id", String(32), primary_key=True),
    _event_fk(),
    Column("code", String(100), nullable=False),
    Column("max_usages", Integer, nullable=False),
    Column("redeemed", Integer, nullable=False),
    Column("valid_until", DateTime(timezone=True), nullable=True),
    Column("price_mode", String(16), nullable=False),
    _money("value", nullable=True),
    Column("block_quota", Boolean, nullable=False),
    Column("allow_ignore_quota", Boolean, nullable=False),
    Column("product_id", String(32), ForeignKey("ticket_products.id"), nullable=True),
    Column("variation_id", String(32), ForeignKey("ticket_variations.id"), nullable=True),
    Column("quota_id", String(32), ForeignKey("ticket_quotas.id"), nullable=True),
    _created(),
    UniqueConstraint("event_id", "code", name="uq_ticket_vouchers_event_code"),
)

carts = Table(
    "ticket_carts",
    metadata,
    Column("id", String(32), primary_key=True),
    _event_fk(),
    _created(),
)

# Each position reserves quota until ``expires_at``.
cart_positions = Table(
    "ticket_cart_positions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("cart_id", String(32), ForeignKey("ticket_carts.id"), nullable=False, index=True),
    Column("product_id", String(32), ForeignKey("ticket_products.id"), nullable=False, index=True),
    Column("variation_id", String(32), ForeignKey("ticket_variations.id"), nullable=True),
    Column("voucher_id", String(32), ForeignKey("ticket_vouchers.id"), nullable=True),
    _money("price"),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

# ``status``: pending, paid, expired, canceled. ``code`` is short and unique per event.
orders = Table(
    "ticket_orders",
    metadata,
    Column("id", String(32), primary_key=True),
    _event_fk(),
    Column("code", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("email", String(254), nullable=True),
    _money("total"),
    _created(),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("event_id", "code", name="uq_ticket_orders_event_code"),
)

order_positions = Table(
    "ticket_order_positions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), ForeignKey("ticket_orders.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),  # 1..n within the order
    Column("product_id", String(32), ForeignKey("ticket_products.id"), nullable=False, index=True),
    Column("variation_id", String(32), ForeignKey("ticket_variations.id"), nullable=True),
    Column("voucher_id", String(32), ForeignKey("ticket_vouchers.id"), nullable=True),
    Column("addon_to_id", String(32), ForeignKey("ticket_order_positions.id"), nullable=True),
    _money("price"),
    Column("attendee_name", String(200), nullable=True),
    Column("attendee_email", String(254), nullable=True),
    # What the ticket's QR code carries; looked up on check-in.
    Column("secret", String(64), nullable=False, unique=True),
    Column("canceled", Boolean, nullable=False),
    UniqueConstraint("order_id", "position", name="uq_ticket_order_positions_order_position"),
)

"""Tables of the tickets catalog (organizers, events, products, quotas, vouchers, carts, orders,
payments, refunds, check-in); they mirror migrations 0005 and 0006. Queries live in the modules
that own each concern, never here.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from core.database import Base, UtcDateTime

metadata = Base.metadata


def _money(name: str, *, nullable: bool = False) -> Column[object]:
    # Money is Decimal with two places; never float.
    return Column(name, Numeric(10, 2), nullable=nullable)


def _created() -> Column[object]:
    return Column("created_at", UtcDateTime(), nullable=False)


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
    # How long a cart holds its positions, and how long a pending order may wait for payment.
    Column("reservation_minutes", Integer, nullable=False, server_default="30"),
    Column("payment_term_days", Integer, nullable=False, server_default="14"),
    # Whether a payment arriving after the order expired is taken (if the quotas still allow).
    Column("accept_late_payments", Boolean, nullable=False, server_default=true()),
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
    Column("valid_until", UtcDateTime(), nullable=True),
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
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    Column("addon_to_id", String(32), ForeignKey("ticket_cart_positions.id"), nullable=True),
)

# ``status``: pending, paid, expired, canceled. ``code`` is short and unique per event.
# No index of its own on ``event_id`` or on positions' ``order_id``: the unique constraints that
# start with them serve those lookups, and every index costs each sale an insert.
orders = Table(
    "ticket_orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", String(32), ForeignKey("ticket_events.id"), nullable=False),
    Column("code", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("email", String(254), nullable=True),
    _money("total"),
    _created(),
    Column("expires_at", UtcDateTime(), nullable=False),
    # The customer's link to the order page; never shown to anyone else.
    Column("secret", String(32), nullable=False, server_default=""),
    # A pending order that still grants entry (and live access) before it is paid.
    Column("valid_if_pending", Boolean, nullable=False, server_default=false()),
    # The payment provider chosen at checkout (``bank_transfer``, ``test``, ...).
    Column("payment_provider", String(32), nullable=True),
    Column("paid_at", UtcDateTime(), nullable=True),
    Column("modified_at", UtcDateTime(), nullable=True, index=True),
    # A client's key for placing this order: a retried request finds the order it made.
    Column("request_key", String(64), nullable=True),
    UniqueConstraint("event_id", "code", name="uq_ticket_orders_event_code"),
    UniqueConstraint("event_id", "request_key", name="uq_ticket_orders_event_request_key"),
)

order_positions = Table(
    "ticket_order_positions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), ForeignKey("ticket_orders.id"), nullable=False),
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
    # The attendee's stable pseudonymous id: the ``uid`` of their live access token.
    Column("pseudonymization_id", String(16), nullable=True, unique=True),
    UniqueConstraint("order_id", "position", name="uq_ticket_order_positions_order_position"),
)

# ``state``: created → pending → confirmed | failed | canceled; a confirmed one may become refunded.
# ``local_id`` numbers the payments of one order (shown as ``CODE-P-n``).
payments = Table(
    "ticket_payments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), ForeignKey("ticket_orders.id"), nullable=False, index=True),
    Column("local_id", Integer, nullable=False),
    Column("provider", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    _money("amount"),
    Column("info", JSON, nullable=False),
    _created(),
    Column("payment_date", UtcDateTime(), nullable=True),
    UniqueConstraint("order_id", "local_id", name="uq_ticket_payments_order_local"),
)

# ``state``: created, transit, done, failed, canceled; ``source``: buyer, admin, external.
refunds = Table(
    "ticket_refunds",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), ForeignKey("ticket_orders.id"), nullable=False, index=True),
    Column("payment_id", String(32), ForeignKey("ticket_payments.id"), nullable=True),
    Column("local_id", Integer, nullable=False),
    Column("provider", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    _money("amount"),
    Column("comment", Text, nullable=False),
    _created(),
    Column("execution_date", UtcDateTime(), nullable=True),
    UniqueConstraint("order_id", "local_id", name="uq_ticket_refunds_order_local"),
)

# A list is where tickets are scanned (a door, a day, the live event when ``online``); lists are
# independent: a ticket valid on two lists enters once on each.
checkin_lists = Table(
    "ticket_checkin_lists",
    metadata,
    Column("id", String(32), primary_key=True),
    _event_fk(),
    Column("name", String(200), nullable=False),
    Column("all_products", Boolean, nullable=False),
    Column("include_pending", Boolean, nullable=False),
    Column("allow_multiple_entries", Boolean, nullable=False),
    Column("allow_entry_after_exit", Boolean, nullable=False),
    # Joins of the live event are recorded on the event's online list.
    Column("online", Boolean, nullable=False),
    _created(),
)

checkin_list_products = Table(
    "ticket_checkin_list_products",
    metadata,
    Column("list_id", String(32), ForeignKey("ticket_checkin_lists.id"), primary_key=True),
    Column("product_id", String(32), ForeignKey("ticket_products.id"), primary_key=True),
)

# One successful scan. ``type``: entry or exit. A repeated scan with the same nonce finds its row
# instead of adding one.
checkins = Table(
    "ticket_checkins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("list_id", String(32), ForeignKey("ticket_checkin_lists.id"), nullable=False),
    Column("position_id", String(32), ForeignKey("ticket_order_positions.id"), nullable=False),
    Column("type", String(8), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("nonce", String(190), nullable=True),
    Column("source", String(32), nullable=False),
    Index("ix_ticket_checkins_list_position", "list_id", "position_id"),
    UniqueConstraint("list_id", "position_id", "type", "nonce", name="uq_ticket_checkins_nonce"),
)

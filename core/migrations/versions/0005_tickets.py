"""Tickets catalog: organizers, events, products, variations, add-ons, quotas, vouchers, carts, orders.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.String(32), primary_key=True)


def _fk(
    name: str, target: str, *, nullable: bool = False, index: bool = False
) -> sa.Column[object]:
    return sa.Column(name, sa.String(32), sa.ForeignKey(target), nullable=nullable, index=index)


def _event_fk() -> sa.Column[object]:
    return _fk("event_id", "ticket_events.id", index=True)


def _money(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Numeric(10, 2), nullable=nullable)


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "ticket_organizers",
        _id(),
        sa.Column("slug", sa.String(50), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _created(),
        sa.UniqueConstraint("slug", name="uq_ticket_organizers_slug"),
    )
    op.create_table(
        "ticket_events",
        _id(),
        _fk("organizer_id", "ticket_organizers.id"),
        sa.Column("slug", sa.String(101), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        _created(),
        sa.UniqueConstraint("slug", name="uq_ticket_events_slug"),
    )
    op.create_table(
        "ticket_categories",
        _id(),
        _event_fk(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.Column("is_addon", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "ticket_products",
        _id(),
        _event_fk(),
        _fk("category_id", "ticket_categories.id", nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _money("price"),
        sa.Column("admission", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ticket_variations",
        _id(),
        _fk("product_id", "ticket_products.id", index=True),
        sa.Column("name", sa.String(200), nullable=False),
        _money("price", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
    )
    op.create_table(
        "ticket_product_addons",
        _id(),
        _fk("base_product_id", "ticket_products.id"),
        _fk("category_id", "ticket_categories.id"),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("max_count", sa.Integer(), nullable=False),
        sa.Column("price_included", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("base_product_id", "category_id", name="uq_ticket_product_addons_base"),
    )
    op.create_table(
        "ticket_quotas",
        _id(),
        _event_fk(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "ticket_quota_members",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _fk("quota_id", "ticket_quotas.id", index=True),
        _fk("product_id", "ticket_products.id", index=True),
        _fk("variation_id", "ticket_variations.id", nullable=True),
        sa.UniqueConstraint(
            "quota_id", "product_id", "variation_id", name="uq_ticket_quota_members"
        ),
    )
    op.create_table(
        "ticket_vouchers",
        _id(),
        _event_fk(),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("max_usages", sa.Integer(), nullable=False),
        sa.Column("redeemed", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("price_mode", sa.String(16), nullable=False),
        _money("value", nullable=True),
        sa.Column("block_quota", sa.Boolean(), nullable=False),
        sa.Column("allow_ignore_quota", sa.Boolean(), nullable=False),
        _fk("product_id", "ticket_products.id", nullable=True),
        _fk("variation_id", "ticket_variations.id", nullable=True),
        _fk("quota_id", "ticket_quotas.id", nullable=True),
        _created(),
        sa.UniqueConstraint("event_id", "code", name="uq_ticket_vouchers_event_code"),
    )
    op.create_table(
        "ticket_carts",
        _id(),
        _event_fk(),
        _created(),
    )
    op.create_table(
        "ticket_cart_positions",
        _id(),
        _fk("cart_id", "ticket_carts.id", index=True),
        _fk("product_id", "ticket_products.id", index=True),
        _fk("variation_id", "ticket_variations.id", nullable=True),
        _fk("voucher_id", "ticket_vouchers.id", nullable=True),
        _money("price"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "ticket_orders",
        _id(),
        _event_fk(),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        _money("total"),
        _created(),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("event_id", "code", name="uq_ticket_orders_event_code"),
    )
    op.create_table(
        "ticket_order_positions",
        _id(),
        _fk("order_id", "ticket_orders.id", index=True),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("product_id", "ticket_products.id", index=True),
        _fk("variation_id", "ticket_variations.id", nullable=True),
        _fk("voucher_id", "ticket_vouchers.id", nullable=True),
        _fk("addon_to_id", "ticket_order_positions.id", nullable=True),
        _money("price"),
        sa.Column("attendee_name", sa.String(200), nullable=True),
        sa.Column("attendee_email", sa.String(254), nullable=True),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("canceled", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("secret", name="uq_ticket_order_positions_secret"),
        sa.UniqueConstraint(
            "order_id", "position", name="uq_ticket_order_positions_order_position"
        ),
    )


def downgrade() -> None:
    for table in (
        "ticket_order_positions",
        "ticket_orders",
        "ticket_cart_positions",
        "ticket_carts",
        "ticket_vouchers",
        "ticket_quota_members",
        "ticket_quotas",
        "ticket_product_addons",
        "ticket_variations",
        "ticket_products",
        "ticket_categories",
        "ticket_events",
        "ticket_organizers",
    ):
        op.drop_table(table)

"""Tickets: sale settings, cart add-ons, order secrets and keys, payments, refunds, check-in, accounts, teams,
API tokens, idempotency keys, webhooks and emails.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.String(32), primary_key=True)


def _fk(
    name: str, target: str, *, nullable: bool = False, index: bool = False
) -> sa.Column[object]:
    return sa.Column(name, sa.String(32), sa.ForeignKey(target), nullable=nullable, index=index)


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _money(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Numeric(10, 2), nullable=False)


def _delivery_state() -> list[sa.Column[object]]:
    return [
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _at("created_at"),
        _at("delivered_at", nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("ticket_events") as table:
        table.add_column(
            sa.Column("reservation_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        table.add_column(
            sa.Column("payment_term_days", sa.Integer(), nullable=False, server_default="14")
        )
        table.add_column(
            sa.Column(
                "accept_late_payments", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
    with op.batch_alter_table("ticket_orders") as table:
        table.add_column(sa.Column("secret", sa.String(32), nullable=False, server_default=""))
        table.add_column(
            sa.Column("valid_if_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        table.add_column(sa.Column("payment_provider", sa.String(32), nullable=True))
        table.add_column(_at("paid_at", nullable=True))
        table.add_column(_at("modified_at", nullable=True))
        table.add_column(sa.Column("request_key", sa.String(64), nullable=True))
        table.create_index("ix_ticket_orders_modified_at", ["modified_at"])
        # The unique (event_id, code) constraint serves lookups by event; one index fewer to
        # write per sale.
        table.drop_index("ix_ticket_orders_event_id")
        table.create_unique_constraint(
            "uq_ticket_orders_event_request_key", ["event_id", "request_key"]
        )
    with op.batch_alter_table("ticket_cart_positions") as table:
        table.add_column(
            sa.Column(
                "addon_to_id",
                sa.String(32),
                sa.ForeignKey("ticket_cart_positions.id", name="fk_ticket_cart_positions_addon_to"),
                nullable=True,
            )
        )
    with op.batch_alter_table("ticket_order_positions") as table:
        table.add_column(sa.Column("pseudonymization_id", sa.String(16), nullable=True))
        table.drop_index("ix_ticket_order_positions_order_id")  # (order_id, position) serves it
        table.create_unique_constraint(
            "uq_ticket_order_positions_pseudonymization_id", ["pseudonymization_id"]
        )
    op.create_table(
        "ticket_payments",
        _id(),
        _fk("order_id", "ticket_orders.id", index=True),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _money("amount"),
        sa.Column("info", sa.JSON(), nullable=False),
        _at("created_at"),
        _at("payment_date", nullable=True),
        sa.UniqueConstraint("order_id", "local_id", name="uq_ticket_payments_order_local"),
    )
    op.create_table(
        "ticket_refunds",
        _id(),
        _fk("order_id", "ticket_orders.id", index=True),
        _fk("payment_id", "ticket_payments.id", nullable=True),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        _money("amount"),
        sa.Column("comment", sa.Text(), nullable=False),
        _at("created_at"),
        _at("execution_date", nullable=True),
        sa.UniqueConstraint("order_id", "local_id", name="uq_ticket_refunds_order_local"),
    )
    op.create_table(
        "ticket_checkin_lists",
        _id(),
        _fk("event_id", "ticket_events.id", index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("all_products", sa.Boolean(), nullable=False),
        sa.Column("include_pending", sa.Boolean(), nullable=False),
        sa.Column("allow_multiple_entries", sa.Boolean(), nullable=False),
        sa.Column("allow_entry_after_exit", sa.Boolean(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "ticket_checkin_list_products",
        sa.Column(
            "list_id", sa.String(32), sa.ForeignKey("ticket_checkin_lists.id"), primary_key=True
        ),
        sa.Column(
            "product_id", sa.String(32), sa.ForeignKey("ticket_products.id"), primary_key=True
        ),
    )
    op.create_table(
        "ticket_checkins",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _fk("list_id", "ticket_checkin_lists.id"),
        _fk("position_id", "ticket_order_positions.id"),
        sa.Column("type", sa.String(8), nullable=False),
        _at("at"),
        sa.Column("nonce", sa.String(190), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.UniqueConstraint(
            "list_id", "position_id", "type", "nonce", name="uq_ticket_checkins_nonce"
        ),
    )
    op.create_index(
        "ix_ticket_checkins_list_position", "ticket_checkins", ["list_id", "position_id"]
    )
    op.create_table(
        "ticket_accounts",
        _id(),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.UniqueConstraint("email", name="uq_ticket_accounts_email"),
    )
    op.create_table(
        "ticket_account_sessions",
        _id(),
        _fk("account_id", "ticket_accounts.id", index=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _at("created_at"),
        _at("expires_at"),
        sa.UniqueConstraint("token_hash", name="uq_ticket_account_sessions_token_hash"),
    )
    op.create_table(
        "ticket_teams",
        _id(),
        _fk("organizer_id", "ticket_organizers.id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("all_events", sa.Boolean(), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "ticket_team_events",
        sa.Column("team_id", sa.String(32), sa.ForeignKey("ticket_teams.id"), primary_key=True),
        sa.Column("event_id", sa.String(32), sa.ForeignKey("ticket_events.id"), primary_key=True),
    )
    op.create_table(
        "ticket_team_members",
        sa.Column("team_id", sa.String(32), sa.ForeignKey("ticket_teams.id"), primary_key=True),
        sa.Column(
            "account_id", sa.String(32), sa.ForeignKey("ticket_accounts.id"), primary_key=True
        ),
    )
    op.create_table(
        "ticket_api_tokens",
        _id(),
        _fk("team_id", "ticket_teams.id", index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.UniqueConstraint("token_hash", name="uq_ticket_api_tokens_token_hash"),
    )
    op.create_table(
        "ticket_idempotency_keys",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        _at("created_at"),
    )
    op.create_table(
        "ticket_webhooks",
        _id(),
        _fk("organizer_id", "ticket_organizers.id"),
        sa.Column("target_url", sa.String(1000), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("all_events", sa.Boolean(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("action_types", sa.JSON(), nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "ticket_webhook_calls",
        _id(),
        _fk("webhook_id", "ticket_webhooks.id", index=True),
        sa.Column("action_type", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_response", sa.Text(), nullable=True),
        *_delivery_state(),
    )
    op.create_index(
        "ix_ticket_webhook_calls_due", "ticket_webhook_calls", ["state", "next_attempt_at"]
    )
    op.create_table(
        "ticket_emails",
        _id(),
        _fk("event_id", "ticket_events.id", nullable=True),
        _fk("order_id", "ticket_orders.id", nullable=True, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_delivery_state(),
    )
    op.create_index("ix_ticket_emails_due", "ticket_emails", ["state", "next_attempt_at"])


def downgrade() -> None:
    for name in (
        "ticket_emails",
        "ticket_webhook_calls",
        "ticket_webhooks",
        "ticket_idempotency_keys",
        "ticket_api_tokens",
        "ticket_team_members",
        "ticket_team_events",
        "ticket_teams",
        "ticket_account_sessions",
        "ticket_accounts",
        "ticket_checkins",
        "ticket_checkin_list_products",
        "ticket_checkin_lists",
        "ticket_refunds",
        "ticket_payments",
    ):
        op.drop_table(name)
    with op.batch_alter_table("ticket_order_positions") as table:
        table.create_index("ix_ticket_order_positions_order_id", ["order_id"])
        table.drop_constraint("uq_ticket_order_positions_pseudonymization_id")
        table.drop_column("pseudonymization_id")
    with op.batch_alter_table("ticket_cart_positions") as table:
        table.drop_constraint("fk_ticket_cart_positions_addon_to")
        table.drop_column("addon_to_id")
    with op.batch_alter_table("ticket_orders") as table:
        table.create_index("ix_ticket_orders_event_id", ["event_id"])
        table.drop_constraint("uq_ticket_orders_event_request_key")
        table.drop_index("ix_ticket_orders_modified_at")
        for column in (
            "request_key",
            "modified_at",
            "paid_at",
            "payment_provider",
            "valid_if_pending",
            "secret",
        ):
            table.drop_column(column)
    with op.batch_alter_table("ticket_events") as table:
        for column in ("accept_late_payments", "payment_term_days", "reservation_minutes"):
            table.drop_column(column)

"""Live core: events, rooms, users, grants, chat channels and events, announcements, audit log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("slug", sa.String(101), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=True),
        sa.Column("trait_grants", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _created(),
        sa.UniqueConstraint("slug", name="uq_events_slug"),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False, index=True
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.Column("modules", sa.JSON(), nullable=False),
        sa.Column("trait_grants", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        _created(),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("token_uid", sa.String(200), nullable=True),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("traits", sa.JSON(), nullable=False),
        sa.Column("moderation", sa.String(16), nullable=False),
        _created(),
        sa.Column("last_login", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("event_id", "token_uid", name="uq_users_event_token_uid"),
        sa.UniqueConstraint("event_id", "client_id", name="uq_users_event_client_id"),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("room_id", sa.String(32), sa.ForeignKey("rooms.id"), nullable=True),
        sa.Column("role", sa.String(64), nullable=False),
    )
    op.create_table(
        "channels",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False),
        sa.Column("room_id", sa.String(32), sa.ForeignKey("rooms.id"), nullable=True),
        _created(),
        sa.UniqueConstraint("room_id", name="uq_channels_room_id"),
    )
    op.create_table(
        "channel_members",
        sa.Column("channel_id", sa.String(32), sa.ForeignKey("channels.id"), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "chat_events",
        sa.Column("channel_id", sa.String(32), sa.ForeignKey("channels.id"), primary_key=True),
        sa.Column("event_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("sender_id", sa.String(32), nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("replaces", sa.BigInteger(), nullable=True),
    )
    op.create_table(
        "read_pointers",
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("channel_id", sa.String(32), sa.ForeignKey("channels.id"), primary_key=True),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False, index=True
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("show_until", sa.DateTime(timezone=True), nullable=True),
        _created(),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "event_id", sa.String(32), sa.ForeignKey("events.id"), nullable=False, index=True
        ),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "announcements",
        "read_pointers",
        "chat_events",
        "channel_members",
        "channels",
        "grants",
        "users",
        "rooms",
        "events",
    ):
        op.drop_table(table)

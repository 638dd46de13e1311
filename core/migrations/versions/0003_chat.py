"""Chat: edit times, reactions, mention and direct-message notifications, user blocks, and a
member-set key that makes one direct channel per set of users.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chat_events", sa.Column("edited", sa.DateTime(timezone=True), nullable=True))
    op.add_column("channels", sa.Column("direct_key", sa.String(64), nullable=True))
    op.create_index(
        "ix_channels_event_direct_key", "channels", ["event_id", "direct_key"], unique=True
    )
    op.create_index("ix_channel_members_user_id", "channel_members", ["user_id"])
    op.create_table(
        "chat_reactions",
        sa.Column("channel_id", sa.String(32), sa.ForeignKey("channels.id"), primary_key=True),
        sa.Column("event_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("reaction", sa.String(32), primary_key=True),
    )
    op.create_table(
        "chat_notifications",
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("channel_id", sa.String(32), sa.ForeignKey("channels.id"), primary_key=True),
        sa.Column("event_id", sa.BigInteger(), primary_key=True, autoincrement=False),
    )
    op.create_table(
        "user_blocks",
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("blocked_id", sa.String(32), sa.ForeignKey("users.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("user_blocks")
    op.drop_table("chat_notifications")
    op.drop_table("chat_reactions")
    op.drop_index("ix_channel_members_user_id", table_name="channel_members")
    op.drop_index("ix_channels_event_direct_key", table_name="channels")
    with op.batch_alter_table("channels") as batch:
        batch.drop_column("direct_key")
    with op.batch_alter_table("chat_events") as batch:
        batch.drop_column("edited")

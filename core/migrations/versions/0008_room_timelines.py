"""Room timelines: what a published schedule runs in each live room; a talk slot's own stream.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_timelines",
        sa.Column("room_id", sa.String(32), sa.ForeignKey("rooms.id"), primary_key=True),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("version", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("talk_slots") as table:
        table.add_column(sa.Column("stream", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("talk_slots") as table:
        table.drop_column("stream")
    op.drop_table("room_timelines")

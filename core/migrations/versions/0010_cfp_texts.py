"""The call for papers' headline and text; a submission type's own deadline.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talk_cfps") as table:
        table.add_column(sa.Column("headline", sa.String(300), nullable=False, server_default=""))
        table.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("talk_submission_types") as table:
        table.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("talk_submission_types") as table:
        table.drop_column("deadline")
    with op.batch_alter_table("talk_cfps") as table:
        table.drop_column("text")
        table.drop_column("headline")

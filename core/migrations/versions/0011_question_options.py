"""A choice question's options in a column of their own (they were an answer row of the
question that belonged to no submission and no speaker).

Revision ID: 0011
Revises: 0010
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_questions = sa.table("talk_questions", sa.column("id", sa.String), sa.column("options", sa.JSON))
_answers = sa.table(
    "talk_answers",
    sa.column("question_id", sa.String),
    sa.column("submission_id", sa.String),
    sa.column("speaker_id", sa.String),
    sa.column("value", sa.Text),
)
_OWNERLESS = (_answers.c.submission_id.is_(None), _answers.c.speaker_id.is_(None))


def upgrade() -> None:
    with op.batch_alter_table("talk_questions") as table:
        table.add_column(sa.Column("options", sa.JSON(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(_answers.c.question_id, _answers.c.value).where(*_OWNERLESS))
    for question_id, value in list(rows):
        bind.execute(
            sa.update(_questions)
            .where(_questions.c.id == question_id)
            .values(options=json.loads(value))
        )
    bind.execute(sa.delete(_answers).where(*_OWNERLESS))


def downgrade() -> None:
    with op.batch_alter_table("talk_questions") as table:
        table.drop_column("options")

"""Talk: events, CfP, submission types, tracks, questions, speakers, submissions and their
speakers, answers, review phases, score categories, reviews, rooms, schedules and slots.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = (
    "talk_slots",
    "talk_schedules",
    "talk_rooms",
    "talk_review_scores",
    "talk_reviews",
    "talk_score_categories",
    "talk_review_phases",
    "talk_answers",
    "talk_submission_speakers",
    "talk_submissions",
    "talk_speakers",
    "talk_questions",
    "talk_tracks",
    "talk_submission_types",
    "talk_cfps",
    "talk_events",
)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.String(32), primary_key=True)


def _fk(name: str, target: str, *, nullable: bool = False, index: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(32), sa.ForeignKey(target), nullable=nullable, index=index)


def _event_fk() -> sa.Column[object]:
    return _fk("event_id", "talk_events.id")


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _name() -> sa.Column[object]:
    return sa.Column("name", sa.String(200), nullable=False)


def _flag(name: str, default: bool) -> sa.Column[object]:
    return sa.Column(
        name, sa.Boolean(), nullable=False, server_default=sa.true() if default else sa.false()
    )


def _cfp_tables() -> None:
    op.create_table(
        "talk_events",
        _id(),
        sa.Column("slug", sa.String(101), nullable=False),
        _name(),
        sa.Column("timezone", sa.String(64), nullable=False),
        _at("created_at"),
        sa.UniqueConstraint("slug", name="uq_talk_events_slug"),
    )
    op.create_table(
        "talk_cfps",
        sa.Column("event_id", sa.String(32), sa.ForeignKey("talk_events.id"), primary_key=True),
        _flag("is_open", False),
        _at("deadline", nullable=True),
    )
    op.create_table(
        "talk_submission_types",
        _id(),
        _event_fk(),
        _name(),
        sa.Column("default_duration_minutes", sa.Integer(), nullable=False),
    )
    op.create_table(
        "talk_tracks",
        _id(),
        _event_fk(),
        _name(),
        sa.Column("color", sa.String(7), nullable=False),
    )
    op.create_table(
        "talk_questions",
        _id(),
        _event_fk(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
    )


def _submission_tables() -> None:
    op.create_table(
        "talk_speakers",
        _id(),
        _event_fk(),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=True),
        sa.Column("email", sa.String(254), nullable=False),
        _name(),
        sa.Column("biography", sa.Text(), nullable=False),
        sa.Column("avatar_url", sa.String(500), nullable=True),
        _at("created_at"),
        sa.UniqueConstraint("event_id", "code", name="uq_talk_speakers_event_code"),
        sa.UniqueConstraint("event_id", "email", name="uq_talk_speakers_event_email"),
    )
    op.create_table(
        "talk_submissions",
        _id(),
        _event_fk(),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _fk("submission_type_id", "talk_submission_types.id", index=False),
        _fk("track_id", "talk_tracks.id", nullable=True, index=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        _flag("do_not_record", False),
        _at("created_at"),
        _at("updated_at"),
        sa.UniqueConstraint("event_id", "code", name="uq_talk_submissions_event_code"),
    )
    op.create_table(
        "talk_submission_speakers",
        _id(),
        _fk("submission_id", "talk_submissions.id", index=False),
        _fk("speaker_id", "talk_speakers.id", nullable=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("invite_token_hash", sa.String(64), nullable=True),
        _at("invited_at"),
        _at("accepted_at", nullable=True),
        sa.UniqueConstraint("submission_id", "email", name="uq_talk_submission_speakers_email"),
        sa.UniqueConstraint("invite_token_hash", name="uq_talk_submission_speakers_token"),
    )
    op.create_table(
        "talk_answers",
        _id(),
        _fk("question_id", "talk_questions.id"),
        _fk("submission_id", "talk_submissions.id", nullable=True),
        _fk("speaker_id", "talk_speakers.id", nullable=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def _review_tables() -> None:
    op.create_table(
        "talk_review_phases",
        _id(),
        _event_fk(),
        _name(),
        _at("starts_at", nullable=True),
        _at("ends_at", nullable=True),
        _flag("can_review", True),
        _flag("can_see_other_reviews", False),
        _flag("can_change_submission_state", False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
    )
    op.create_table(
        "talk_score_categories",
        _id(),
        _event_fk(),
        _name(),
        sa.Column("weight", sa.Numeric(6, 2), nullable=False),
        sa.Column("min_score", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
    )
    op.create_table(
        "talk_reviews",
        _id(),
        _fk("submission_id", "talk_submissions.id", index=False),
        sa.Column("reviewer_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("score", sa.Numeric(9, 4), nullable=True),
        _at("created_at"),
        _at("updated_at"),
        sa.UniqueConstraint(
            "submission_id", "reviewer_id", name="uq_talk_reviews_submission_reviewer"
        ),
    )
    op.create_table(
        "talk_review_scores",
        sa.Column("review_id", sa.String(32), sa.ForeignKey("talk_reviews.id"), primary_key=True),
        sa.Column(
            "category_id",
            sa.String(32),
            sa.ForeignKey("talk_score_categories.id"),
            primary_key=True,
        ),
        sa.Column("value", sa.Integer(), nullable=False),
    )


def _schedule_tables() -> None:
    op.create_table(
        "talk_rooms",
        _id(),
        _event_fk(),
        sa.Column("guid", sa.String(36), nullable=False),
        _name(),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.Column("live_room_id", sa.String(32), nullable=True),
        sa.UniqueConstraint("guid", name="uq_talk_rooms_guid"),
    )
    op.create_table(
        "talk_schedules",
        _id(),
        _event_fk(),
        sa.Column("version", sa.String(100), nullable=True),
        _at("released_at", nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("changelog", sa.JSON(), nullable=True),
        _at("created_at"),
        sa.UniqueConstraint("event_id", "version", name="uq_talk_schedules_event_version"),
    )
    # Exactly one work-in-progress schedule per event.
    op.create_index(
        "uq_talk_schedules_wip",
        "talk_schedules",
        ["event_id"],
        unique=True,
        sqlite_where=sa.text("version IS NULL"),
        postgresql_where=sa.text("version IS NULL"),
    )
    op.create_table(
        "talk_slots",
        _id(),
        _fk("schedule_id", "talk_schedules.id"),
        _fk("submission_id", "talk_submissions.id", nullable=True),
        _fk("room_id", "talk_rooms.id", nullable=True, index=False),
        sa.Column("guid", sa.String(36), nullable=False),
        _at("starts_at", nullable=True),
        _at("ends_at", nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.UniqueConstraint("schedule_id", "guid", name="uq_talk_slots_schedule_guid"),
    )


def upgrade() -> None:
    _cfp_tables()
    _submission_tables()
    _review_tables()
    _schedule_tables()


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)

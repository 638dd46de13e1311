"""Tables of the talk catalog (CfP, speakers, submissions, reviews, rooms, schedule versions); they
mirror migration 0007. Queries live in the modules that own each concern, never here.
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
    text,
    true,
)

from core.database import Base, UtcDateTime

metadata = Base.metadata


def _id() -> Column[object]:
    return Column("id", String(32), primary_key=True)


def _fk(name: str, target: str, *, nullable: bool = False, index: bool = True) -> Column[object]:
    return Column(name, String(32), ForeignKey(target), nullable=nullable, index=index)


def _event_fk() -> Column[object]:
    return _fk("event_id", "talk_events.id")


def _at(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, UtcDateTime(), nullable=nullable)


# ``slug`` is ``<organizer slug>/<event slug>``, the key shared with the ticket and live events.
talk_events = Table(
    "talk_events",
    metadata,
    _id(),
    Column("slug", String(101), nullable=False),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    _at("created_at"),
    UniqueConstraint("slug", name="uq_talk_events_slug"),
)

# One row per event; the CfP takes submissions while open and, with a deadline, until then.
# ``headline`` and ``text`` (plain text, paragraphs split by blank lines) introduce the CfP page.
talk_cfps = Table(
    "talk_cfps",
    metadata,
    Column("event_id", String(32), ForeignKey("talk_events.id"), primary_key=True),
    Column("is_open", Boolean, nullable=False, server_default=false()),
    _at("deadline", nullable=True),
    Column("headline", String(300), nullable=False, server_default=""),
    Column("text", Text, nullable=False, server_default=""),
)

# ``deadline``, when set, replaces the CfP's deadline for submissions of this type (earlier or
# later, as in pretalx).
talk_submission_types = Table(
    "talk_submission_types",
    metadata,
    _id(),
    _event_fk(),
    Column("name", String(200), nullable=False),
    Column("default_duration_minutes", Integer, nullable=False),
    _at("deadline", nullable=True),
)

talk_tracks = Table(
    "talk_tracks",
    metadata,
    _id(),
    _event_fk(),
    Column("name", String(200), nullable=False),
    Column("color", String(7), nullable=False),
)

# ``kind``: string, text, number, boolean, url, choice; ``target``: submission or speaker;
# ``options``: a choice question's options (a JSON list), else null.
talk_questions = Table(
    "talk_questions",
    metadata,
    _id(),
    _event_fk(),
    Column("text", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", String(16), nullable=False),
    Column("required", Boolean, nullable=False),
    Column("sort_key", Integer, nullable=False),
    Column("options", JSON, nullable=True),
)

# A speaker's profile in one event; ``account_id`` links a platform account once there is one.
talk_speakers = Table(
    "talk_speakers",
    metadata,
    _id(),
    _event_fk(),
    Column("code", String(16), nullable=False),
    Column("account_id", String(32), nullable=True),
    Column("email", String(254), nullable=False),
    Column("name", String(200), nullable=False),
    Column("biography", Text, nullable=False),
    Column("avatar_url", String(500), nullable=True),
    _at("created_at"),
    UniqueConstraint("event_id", "code", name="uq_talk_speakers_event_code"),
    UniqueConstraint("event_id", "email", name="uq_talk_speakers_event_email"),
)

# ``code`` is the short, stable public id; ``duration_minutes`` None means the type's default.
talk_submissions = Table(
    "talk_submissions",
    metadata,
    _id(),
    _event_fk(),
    Column("code", String(16), nullable=False),
    Column("title", String(300), nullable=False),
    Column("abstract", Text, nullable=False),
    Column("description", Text, nullable=False),
    _fk("submission_type_id", "talk_submission_types.id", index=False),
    _fk("track_id", "talk_tracks.id", nullable=True, index=False),
    Column("language", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("duration_minutes", Integer, nullable=True),
    Column("do_not_record", Boolean, nullable=False, server_default=false()),
    _at("created_at"),
    _at("updated_at"),
    UniqueConstraint("event_id", "code", name="uq_talk_submissions_event_code"),
)

# Speakers of a submission. A co-speaker is first ``invited`` by email (only the SHA-256 of the
# invitation token is kept) and becomes ``accepted`` with a speaker profile.
talk_submission_speakers = Table(
    "talk_submission_speakers",
    metadata,
    _id(),
    _fk("submission_id", "talk_submissions.id", index=False),
    _fk("speaker_id", "talk_speakers.id", nullable=True),
    Column("email", String(254), nullable=False),
    Column("state", String(16), nullable=False),
    Column("invite_token_hash", String(64), nullable=True),
    _at("invited_at"),
    _at("accepted_at", nullable=True),
    UniqueConstraint("submission_id", "email", name="uq_talk_submission_speakers_email"),
    UniqueConstraint("invite_token_hash", name="uq_talk_submission_speakers_token"),
)

# An answer belongs to a submission or a speaker, as its question's ``target`` says.
talk_answers = Table(
    "talk_answers",
    metadata,
    _id(),
    _fk("question_id", "talk_questions.id"),
    _fk("submission_id", "talk_submissions.id", nullable=True),
    _fk("speaker_id", "talk_speakers.id", nullable=True),
    Column("value", Text, nullable=False),
)

# A phase is current between ``starts_at`` and ``ends_at`` (None: open on that side).
talk_review_phases = Table(
    "talk_review_phases",
    metadata,
    _id(),
    _event_fk(),
    Column("name", String(200), nullable=False),
    _at("starts_at", nullable=True),
    _at("ends_at", nullable=True),
    Column("can_review", Boolean, nullable=False, server_default=true()),
    Column("can_see_other_reviews", Boolean, nullable=False, server_default=false()),
    Column("can_change_submission_state", Boolean, nullable=False, server_default=false()),
    Column("sort_key", Integer, nullable=False),
)

talk_score_categories = Table(
    "talk_score_categories",
    metadata,
    _id(),
    _event_fk(),
    Column("name", String(200), nullable=False),
    Column("weight", Numeric(6, 2), nullable=False),
    Column("min_score", Integer, nullable=False),
    Column("max_score", Integer, nullable=False),
    Column("sort_key", Integer, nullable=False),
)

# ``score`` is the review's weighted total, kept so ranking needs no recomputation.
talk_reviews = Table(
    "talk_reviews",
    metadata,
    _id(),
    _fk("submission_id", "talk_submissions.id", index=False),
    Column("reviewer_id", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("score", Numeric(9, 4), nullable=True),
    _at("created_at"),
    _at("updated_at"),
    UniqueConstraint("submission_id", "reviewer_id", name="uq_talk_reviews_submission_reviewer"),
)

talk_review_scores = Table(
    "talk_review_scores",
    metadata,
    Column("review_id", String(32), ForeignKey("talk_reviews.id"), primary_key=True),
    Column("category_id", String(32), ForeignKey("talk_score_categories.id"), primary_key=True),
    Column("value", Integer, nullable=False),
)

# ``guid`` is the room's stable public id; ``live_room_id`` the live room it maps to, if any
# (no foreign key: the catalog does not depend on the live core's tables).
talk_rooms = Table(
    "talk_rooms",
    metadata,
    _id(),
    _event_fk(),
    Column("guid", String(36), nullable=False),
    Column("name", String(200), nullable=False),
    Column("capacity", Integer, nullable=True),
    Column("sort_key", Integer, nullable=False),
    Column("live_room_id", String(32), nullable=True),
    UniqueConstraint("guid", name="uq_talk_rooms_guid"),
)

# ``version`` None is the event's one work-in-progress schedule; released versions have a name,
# ``released_at`` and the changelog against the version before.
talk_schedules = Table(
    "talk_schedules",
    metadata,
    _id(),
    _event_fk(),
    Column("version", String(100), nullable=True),
    _at("released_at", nullable=True),
    Column("comment", Text, nullable=False),
    Column("changelog", JSON, nullable=True),
    _at("created_at"),
    UniqueConstraint("event_id", "version", name="uq_talk_schedules_event_version"),
    Index(
        "uq_talk_schedules_wip",
        "event_id",
        unique=True,
        sqlite_where=text("version IS NULL"),
        postgresql_where=text("version IS NULL"),
    ),
)

# ``submission_id`` None is a break. ``guid`` is the slot's identity across versions: derived from
# the submission's code for talks, kept from the WIP slot for breaks.
talk_slots = Table(
    "talk_slots",
    metadata,
    _id(),
    _fk("schedule_id", "talk_schedules.id"),
    _fk("submission_id", "talk_submissions.id", nullable=True),
    _fk("room_id", "talk_rooms.id", nullable=True, index=False),
    Column("guid", String(36), nullable=False),
    _at("starts_at", nullable=True),
    _at("ends_at", nullable=True),
    Column("description", Text, nullable=False),
    # A different stream for this slot (e.g. {"hls_url": ...}); None: the room's own.
    Column("stream", JSON, nullable=True),
    UniqueConstraint("schedule_id", "guid", name="uq_talk_slots_schedule_guid"),
)

"""Organizers creating and editing a talk event's submissions and speaker profiles over
``…/submissions/`` and ``…/speakers/``: the payloads are checked here, the changes are made by
``catalog.talk`` (``create_speaker``, ``create_submission``, ``add_speaker``,
``update_submission``, ``update_speaker``, ``save_answers``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from catalog.talk import (
    QuestionTarget,
    add_speaker,
    create_speaker,
    create_submission,
    save_answers,
    update_speaker,
    update_submission,
)
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.registry import api
from web.api.resources.talk_patches import patch_changes
from web.api.resources.talk_submissions import (
    SPEAKER,
    SUBMISSION,
    SUBMISSIONS,
    TAG,
    Speaker,
    Submission,
    speaker_row,
    speakers_out,
    submission_row,
    submissions_out,
)

Title = Annotated[str, Field(min_length=1, max_length=300)]
Text = Annotated[str, Field(max_length=100_000)]
Language = Annotated[str, Field(min_length=1, max_length=16)]
Minutes = Annotated[int, Field(ge=1, le=10_000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
AvatarUrl = Annotated[str, Field(max_length=500, pattern=r"^https?://\S+$")]
Answers = Annotated[
    dict[str, str],
    Field(
        description="answers to the event's submission questions: question id → value; "
        "422 ``talk.invalid_answers`` lists every faulty one"
    ),
]


class NewSpeaker(BaseModel):
    """The event's speaker profile with this email is reused (name and biography unchanged)."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    name: Name
    biography: Text = ""


class SubmissionCreate(BaseModel):
    """An organizer's entry: the CfP need not be open; ``draft`` false means ``submitted``.
    Required questions need answers unless it is a draft."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    submission_type: str = Field(description="the submission type's id")
    speakers: list[NewSpeaker] = Field(min_length=1, max_length=20)
    abstract: Text = ""
    description: Text = ""
    track: str | None = Field(None, description="the track's id")
    language: Language = "en"
    duration_minutes: Minutes | None = Field(None, description="None: the type's default")
    do_not_record: bool = False
    draft: bool = False
    answers: Answers = Field(default_factory=dict)


class SubmissionPatch(BaseModel):
    """Only the fields sent change; ``track`` or ``duration_minutes`` null clear them. A new
    duration refits the talk's work-in-progress slot. ``answers`` replace all stored answers.
    States change through the actions."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    abstract: Text | None = None
    description: Text | None = None
    track: str | None = Field(None, description="the track's id")
    submission_type: str | None = Field(None, description="the submission type's id")
    language: Language | None = None
    duration_minutes: Minutes | None = None
    do_not_record: bool | None = None
    answers: Answers | None = None


class SpeakerPatch(BaseModel):
    """Only the fields sent change; ``avatar_url`` null removes the avatar."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    biography: Text | None = None
    avatar_url: AvatarUrl | None = None


# Body field → ``update_submission`` keyword, where they differ.
_COLUMNS = {"track": "track_id", "submission_type": "submission_type_id"}


@api.operation(
    "POST", SUBMISSIONS, summary="Create a submission for its speakers", tag=TAG,
    response=Submission, body=SubmissionCreate, permission=Permission.SUBMISSIONS_CHANGE,
    status=201, talk=True,
)  # fmt: skip
async def create_talk_submission(call: ApiCall) -> Submission:
    """Speakers are found by email in the event or get a profile; 404 ``talk.not_found`` for a
    type or track of another event."""
    body = call.body_as(SubmissionCreate)
    speaker_ids = [
        await create_speaker(
            call.session,
            call.event.id,
            email=speaker.email,
            name=speaker.name,
            biography=speaker.biography,
            now=call.now,
        )
        for speaker in body.speakers
    ]
    made = await create_submission(
        call.session,
        call.event.id,
        speaker_id=speaker_ids[0],
        title=body.title,
        submission_type_id=body.submission_type,
        now=call.now,
        abstract=body.abstract,
        description=body.description,
        track_id=body.track,
        language=body.language,
        duration_minutes=body.duration_minutes,
        do_not_record=body.do_not_record,
        draft=body.draft,
    )
    for speaker_id in speaker_ids[1:]:
        await add_speaker(call.session, made.id, speaker_id, now=call.now)
    await _save_answers(call, made.id, body.answers, partial=body.draft)
    return (await submissions_out(call, [await submission_row(call, made.code)]))[0]


@api.operation(
    "PATCH", SUBMISSION, summary="Change a submission's content", tag=TAG, response=Submission,
    body=SubmissionPatch, permission=Permission.SUBMISSIONS_CHANGE, talk=True,
)  # fmt: skip
async def patch_talk_submission(call: ApiCall) -> Submission:
    row = await submission_row(call)
    changes = patch_changes(
        call.body_as(SubmissionPatch),
        nullable={"track", "duration_minutes"},
        names=_COLUMNS,
    )
    answers = changes.pop("answers", None)
    await update_submission(call.session, row.id, now=call.now, **changes)
    if answers is not None:
        await _save_answers(call, row.id, answers, partial=row.state == "draft")
    return (await submissions_out(call, [await submission_row(call)]))[0]


async def _save_answers(
    call: ApiCall, submission_id: str, answers: dict[str, str], *, partial: bool
) -> None:
    await save_answers(
        call.session,
        call.event.id,
        QuestionTarget.SUBMISSION,
        submission_id,
        answers,
        partial=partial,
    )


@api.operation(
    "PATCH", SPEAKER, summary="Change a speaker's profile", tag=TAG, response=Speaker,
    body=SpeakerPatch, permission=Permission.SUBMISSIONS_CHANGE, talk=True,
)  # fmt: skip
async def patch_talk_speaker(call: ApiCall) -> Speaker:
    row = await speaker_row(call)
    changes = patch_changes(call.body_as(SpeakerPatch), nullable={"avatar_url"})
    await update_speaker(call.session, row.id, **changes)
    return (await speakers_out(call, [await speaker_row(call)]))[0]

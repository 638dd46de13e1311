"""``…/events/{event}/submissions/`` and ``…/speakers/`` of a talk event: reading submissions (with
their speakers and answers) and speakers, and the organizers' state changes, which go through
``catalog.talk.change_state``. Creating and editing is in ``talk_submission_edits``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row, or_, select

from catalog.talk import SubmissionState, UnknownTalkObjectError, change_state
from catalog.talk.tables import (
    talk_answers,
    talk_speakers,
    talk_submission_speakers,
    talk_submission_types,
    talk_submissions,
)
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.listing import fetch_page
from web.api.pages import Page
from web.api.registry import Handler, api
from web.services import Services

TAG = "talk"
SUBMISSIONS = "/organizers/{organizer}/events/{event}/submissions/"
SUBMISSION = SUBMISSIONS + "{code}/"
SPEAKERS = "/organizers/{organizer}/events/{event}/speakers/"
SPEAKER = SPEAKERS + "{code}/"
StateName = Literal[
    "draft", "submitted", "accepted", "rejected", "confirmed", "canceled", "withdrawn"
]  # fmt: skip
# The organizers' actions, as pretalx names them, and the state each leads to.
ACTIONS: dict[str, SubmissionState] = {
    "accept": SubmissionState.ACCEPTED,
    "reject": SubmissionState.REJECTED,
    "confirm": SubmissionState.CONFIRMED,
    "cancel": SubmissionState.CANCELED,
    "withdraw": SubmissionState.WITHDRAWN,
    "make_submitted": SubmissionState.SUBMITTED,
}


class SubmissionSpeaker(BaseModel):
    code: str
    name: str
    email: str


class Submission(BaseModel):
    code: str
    title: str
    abstract: str
    description: str
    state: str = Field(examples=[state.value for state in SubmissionState])
    submission_type: str = Field(description="the submission type's name")
    track: str | None = Field(description="the track's id")
    language: str
    duration_minutes: int | None = Field(description="None: the type's default")
    do_not_record: bool
    created_at: Timestamp
    updated_at: Timestamp
    speakers: list[SubmissionSpeaker]
    answers: dict[str, str] = Field(
        description="the answers to the event's submission questions: question id → value"
    )


class SubmissionFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    state: StateName | None = None
    track: str | None = Field(None, description="a track's id")
    type: str | None = Field(None, description="a submission type's id")
    search: str | None = Field(None, description="part of the title or the code")


class Speaker(BaseModel):
    code: str
    name: str
    email: str
    biography: str
    avatar_url: str | None
    submissions: list[str] = Field(description="codes of the speaker's submissions")


@api.operation(
    "GET", SUBMISSIONS, summary="List submissions", tag=TAG, response=Submission,
    query=SubmissionFilters, permission=Permission.SUBMISSIONS_VIEW, paginated=True, talk=True,
)  # fmt: skip
async def list_submissions(call: ApiCall) -> Page:
    filters = call.query_as(SubmissionFilters)
    statement = _submissions_of(call.event.id)
    if filters.state is not None:
        statement = statement.where(talk_submissions.c.state == filters.state)
    if filters.track is not None:
        statement = statement.where(talk_submissions.c.track_id == filters.track)
    if filters.type is not None:
        statement = statement.where(talk_submissions.c.submission_type_id == filters.type)
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        statement = statement.where(
            or_(
                talk_submissions.c.title.ilike(pattern),
                talk_submissions.c.code.ilike(pattern),
            )
        )
    count, rows = await fetch_page(
        call.session, statement.order_by(talk_submissions.c.code), call.page
    )
    return Page(count, await submissions_out(call, rows))


@api.operation(
    "GET", SUBMISSION, summary="Show a submission with its speakers", tag=TAG,
    response=Submission, permission=Permission.SUBMISSIONS_VIEW, talk=True,
)  # fmt: skip
async def get_submission(call: ApiCall) -> Submission:
    return (await submissions_out(call, [await submission_row(call)]))[0]


def _action_handler(action: str, target: SubmissionState) -> Handler:
    async def handler(call: ApiCall) -> Submission:
        row = await submission_row(call)
        await change_state(call.session, row.id, target, now=call.now, notify=True)
        services: Services = call.request.app.state.services
        if services.talk_mail is not None:
            call.after_commit(services.talk_mail.wake)
        return (await submissions_out(call, [await submission_row(call)]))[0]

    handler.__name__ = f"{action}_submission"
    handler.__doc__ = (
        f"Move the submission to ``{target.value}`` (409 ``talk.invalid_transition``)."
    )
    return handler


for _action, _target in ACTIONS.items():
    api.operation(
        "POST", SUBMISSION + f"{_action}/", summary=f"Move a submission to {_target.value}",
        tag=TAG, response=Submission, permission=Permission.SUBMISSIONS_CHANGE, talk=True,
    )(_action_handler(_action, _target))  # fmt: skip


@api.operation(
    "GET", SPEAKERS, summary="List speakers", tag=TAG, response=Speaker,
    permission=Permission.SUBMISSIONS_VIEW, paginated=True, talk=True,
)  # fmt: skip
async def list_speakers(call: ApiCall) -> Page:
    statement = (
        select(talk_speakers)
        .where(talk_speakers.c.event_id == call.event.id)
        .order_by(talk_speakers.c.code)
    )
    count, rows = await fetch_page(call.session, statement, call.page)
    return Page(count, await speakers_out(call, rows))


@api.operation(
    "GET", SPEAKER, summary="Show a speaker", tag=TAG, response=Speaker,
    permission=Permission.SUBMISSIONS_VIEW, talk=True,
)  # fmt: skip
async def get_speaker(call: ApiCall) -> Speaker:
    return (await speakers_out(call, [await speaker_row(call)]))[0]


async def speaker_row(call: ApiCall) -> Row[Any]:
    """The event's speaker with the path's code."""
    code = call.path_param("code")
    row = (
        await call.session.execute(
            select(talk_speakers).where(
                talk_speakers.c.event_id == call.event.id, talk_speakers.c.code == code
            )
        )
    ).first()
    if row is None:
        raise UnknownTalkObjectError(kind="speaker", code=code)
    return row


def _submissions_of(event_id: str) -> Any:
    return (
        select(talk_submissions, talk_submission_types.c.name.label("type_name"))
        .join(
            talk_submission_types,
            talk_submission_types.c.id == talk_submissions.c.submission_type_id,
        )
        .where(talk_submissions.c.event_id == event_id)
    )


async def submission_row(call: ApiCall, code: str | None = None) -> Row[Any]:
    """The event's submission with ``code`` (default: the path's), with its type's name."""
    code = code or call.path_param("code")
    row = (
        await call.session.execute(
            _submissions_of(call.event.id).where(talk_submissions.c.code == code)
        )
    ).first()
    if row is None:
        raise UnknownTalkObjectError(kind="submission", code=code)
    return row


async def submissions_out(call: ApiCall, rows: Sequence[Row[Any]]) -> list[Submission]:
    speakers: dict[str, list[SubmissionSpeaker]] = {row.id: [] for row in rows}
    found = await call.session.execute(
        select(
            talk_submission_speakers.c.submission_id,
            talk_speakers.c.code,
            talk_speakers.c.name,
            talk_speakers.c.email,
        )
        .join(talk_speakers, talk_speakers.c.id == talk_submission_speakers.c.speaker_id)
        .where(
            talk_submission_speakers.c.submission_id.in_(list(speakers)),
            talk_submission_speakers.c.state == "accepted",
        )
        .order_by(talk_submission_speakers.c.invited_at, talk_speakers.c.code)
    )
    for item in found:
        speakers[item.submission_id].append(
            SubmissionSpeaker(code=item.code, name=item.name, email=item.email)
        )
    answers: dict[str, dict[str, str]] = {row.id: {} for row in rows}
    for answer in await call.session.execute(
        select(talk_answers.c.submission_id, talk_answers.c.question_id, talk_answers.c.value)
        .where(talk_answers.c.submission_id.in_(list(answers)))
        .order_by(talk_answers.c.question_id)
    ):
        answers[answer.submission_id][answer.question_id] = answer.value
    return [_submission(row, speakers[row.id], answers[row.id]) for row in rows]


def _submission(
    row: Row[Any], speakers: list[SubmissionSpeaker], answers: dict[str, str]
) -> Submission:
    return Submission(
        code=row.code,
        title=row.title,
        abstract=row.abstract,
        description=row.description,
        state=row.state,
        submission_type=row.type_name,
        track=row.track_id,
        language=row.language,
        duration_minutes=row.duration_minutes,
        do_not_record=row.do_not_record,
        created_at=row.created_at,
        updated_at=row.updated_at,
        speakers=speakers,
        answers=answers,
    )


async def speakers_out(call: ApiCall, rows: Sequence[Row[Any]]) -> list[Speaker]:
    codes: dict[str, list[str]] = {row.id: [] for row in rows}
    found = await call.session.execute(
        select(talk_submission_speakers.c.speaker_id, talk_submissions.c.code)
        .join(talk_submissions, talk_submissions.c.id == talk_submission_speakers.c.submission_id)
        .where(talk_submission_speakers.c.speaker_id.in_(list(codes)))
        .order_by(talk_submissions.c.code)
    )
    for item in found:
        codes[item.speaker_id].append(item.code)
    return [
        Speaker(
            code=row.code,
            name=row.name,
            email=row.email,
            biography=row.biography,
            avatar_url=row.avatar_url,
            submissions=codes[row.id],
        )
        for row in rows
    ]

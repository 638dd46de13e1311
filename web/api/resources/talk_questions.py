"""``…/events/{event}/questions/`` of a talk event: its custom CfP questions, made, changed and
deleted through ``catalog.talk.questions``. Changing them is CfP configuration (``events.change``);
the answers show in the submissions' output."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from catalog.talk import (
    Question,
    QuestionKind,
    QuestionTarget,
    create_question,
    delete_question,
    event_questions,
    get_question,
    update_question,
)
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.pages import Page
from web.api.registry import api
from web.api.resources.talk_patches import patch_changes

TAG = "talk"
QUESTIONS = "/organizers/{organizer}/events/{event}/questions/"
QUESTION = QUESTIONS + "{question}/"
Text = Annotated[str, Field(min_length=1, max_length=10_000)]
Options = Annotated[list[Annotated[str, Field(max_length=300)]], Field(max_length=50)]


class QuestionOut(BaseModel):
    id: str
    text: str
    kind: QuestionKind
    target: QuestionTarget
    required: bool
    sort_key: int
    options: list[str] = Field(description="a choice question's options")


class QuestionFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    target: QuestionTarget | None = None


class QuestionCreate(BaseModel):
    """A ``choice`` question needs ``options``, other kinds have none (422
    ``talk.invalid_question`` with ``details.reason``). Default order: after the others."""

    model_config = ConfigDict(extra="forbid")

    text: Text
    kind: QuestionKind
    target: QuestionTarget
    required: bool = False
    sort_key: int | None = None
    options: Options = Field(default_factory=list)


class QuestionPatch(BaseModel):
    """Only the fields sent change; answers given stay. A question with answers keeps its
    ``target`` (``talk.invalid_question``, ``target_has_answers``)."""

    model_config = ConfigDict(extra="forbid")

    text: Text | None = None
    kind: QuestionKind | None = None
    target: QuestionTarget | None = None
    required: bool | None = None
    sort_key: int | None = None
    options: Options | None = None


def _question(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.id,
        text=question.text,
        kind=question.kind,
        target=question.target,
        required=question.required,
        sort_key=question.sort_key,
        options=list(question.options),
    )


@api.operation(
    "GET", QUESTIONS, summary="List the CfP questions", tag=TAG, response=QuestionOut,
    query=QuestionFilters, permission=Permission.SUBMISSIONS_VIEW, paginated=True, talk=True,
)  # fmt: skip
async def list_questions(call: ApiCall) -> Page:
    target = call.query_as(QuestionFilters).target
    questions = await event_questions(call.session, call.event.id, target)
    shown = questions[call.page.offset : call.page.offset + call.page.page_size]
    return Page(len(questions), [_question(question) for question in shown])


@api.operation(
    "POST", QUESTIONS, summary="Create a CfP question", tag=TAG, response=QuestionOut,
    body=QuestionCreate, permission=Permission.EVENTS_CHANGE, status=201, talk=True,
)  # fmt: skip
async def create_talk_question(call: ApiCall) -> QuestionOut:
    body = call.body_as(QuestionCreate)
    question = await create_question(
        call.session, call.event.id, text=body.text, kind=body.kind, target=body.target,
        required=body.required, sort_key=body.sort_key, options=body.options,
    )  # fmt: skip
    return _question(question)


@api.operation(
    "GET", QUESTION, summary="Show a CfP question", tag=TAG, response=QuestionOut,
    permission=Permission.SUBMISSIONS_VIEW, talk=True,
)  # fmt: skip
async def get_talk_question(call: ApiCall) -> QuestionOut:
    return _question(await get_question(call.session, call.event.id, call.path_param("question")))


@api.operation(
    "PATCH", QUESTION, summary="Change a CfP question", tag=TAG, response=QuestionOut,
    body=QuestionPatch, permission=Permission.EVENTS_CHANGE, talk=True,
)  # fmt: skip
async def patch_talk_question(call: ApiCall) -> QuestionOut:
    sent = patch_changes(call.body_as(QuestionPatch))
    question = await update_question(
        call.session, call.event.id, call.path_param("question"), **sent
    )
    return _question(question)


@api.operation(
    "DELETE", QUESTION, summary="Delete a CfP question with its answers", tag=TAG,
    permission=Permission.EVENTS_CHANGE, status=204, talk=True,
)  # fmt: skip
async def delete_talk_question(call: ApiCall) -> None:
    await delete_question(call.session, call.event.id, call.path_param("question"))

"""An event's custom CfP questions (pretalx kinds string, text, number, boolean, url, choice; for
submissions or speakers), checking a set of answers against them (one problem code per faulty
answer, naming the question) and storing and reading answers. The caller owns the transaction;
no permissions are decided here. Over 400 lines: checking and storing share the question model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.talk.errors import UnknownTalkObjectError
from catalog.talk.tables import talk_answers, talk_questions
from core.errors import ProtocolError
from core.ids import new_id

MAX_STRING_CHARS = 300
MAX_TEXT_CHARS = 10_000
MAX_OPTIONS = 50
_TRUE = frozenset({"true", "on", "yes", "1"})
_FALSE = frozenset({"false", "off", "no", "0"})


class QuestionKind(StrEnum):
    STRING = "string"
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    URL = "url"
    CHOICE = "choice"


class QuestionTarget(StrEnum):
    SUBMISSION = "submission"
    SPEAKER = "speaker"


class AnswerCode(StrEnum):
    """What is wrong with one answer (``talk.answer_*``)."""

    REQUIRED = "talk.answer_required"
    TOO_LONG = "talk.answer_too_long"
    NOT_NUMBER = "talk.answer_not_number"
    NOT_BOOLEAN = "talk.answer_not_boolean"
    NOT_URL = "talk.answer_not_url"
    NOT_OPTION = "talk.answer_not_option"
    UNKNOWN_QUESTION = "talk.answer_unknown_question"


_MESSAGES = {
    AnswerCode.REQUIRED: "This question must be answered",
    AnswerCode.TOO_LONG: "The answer is too long",
    AnswerCode.NOT_NUMBER: "The answer must be a number",
    AnswerCode.NOT_BOOLEAN: "The answer must be yes or no",
    AnswerCode.NOT_URL: "The answer must be an http or https address",
    AnswerCode.NOT_OPTION: "The answer must be one of the options",
    AnswerCode.UNKNOWN_QUESTION: "There is no such question for this form",
}


class InvalidQuestionError(ProtocolError):
    """A question cannot be saved so (``details.reason``: ``empty_text``, ``options_missing``,
    ``options_unexpected``, ``options_too_long``, ``target_has_answers``)."""

    code = "talk.invalid_question"
    status = 422
    default_message = "The question cannot be saved so"


class InvalidAnswersError(ProtocolError):
    """Some answers do not fit their questions; ``details.problems`` lists one
    ``{question_id, question, code, message}`` per faulty answer."""

    code = "talk.invalid_answers"
    status = 422
    default_message = "Some answers are missing or invalid"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    event_id: str
    text: str
    kind: QuestionKind
    target: QuestionTarget
    required: bool
    sort_key: int
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    question_id: str
    question: str
    code: AnswerCode

    @property
    def message(self) -> str:
        return _MESSAGES[self.code]

    def to_json(self) -> dict[str, str]:
        return {
            "question_id": self.question_id,
            "question": self.question,
            "code": self.code.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    question_id: str
    submission_id: str | None
    speaker_id: str | None
    value: str


def _answer_value(question: Question, raw: str) -> str | AnswerCode:
    """The stored form of a non-empty answer, or what is wrong with it."""
    kind = question.kind
    if kind is QuestionKind.NUMBER:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return AnswerCode.NOT_NUMBER
        return str(number) if number.is_finite() else AnswerCode.NOT_NUMBER
    if kind is QuestionKind.BOOLEAN:
        lowered = raw.lower()
        if lowered not in _TRUE | _FALSE:
            return AnswerCode.NOT_BOOLEAN
        if question.required and lowered in _FALSE:
            return AnswerCode.REQUIRED  # pretalx: a required yes/no question must be ticked
        return "true" if lowered in _TRUE else "false"
    if kind is QuestionKind.CHOICE:
        return raw if raw in question.options else AnswerCode.NOT_OPTION
    limit = MAX_TEXT_CHARS if kind is QuestionKind.TEXT else MAX_STRING_CHARS
    if len(raw) > limit:
        return AnswerCode.TOO_LONG
    if kind is QuestionKind.URL:
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in raw:
            return AnswerCode.NOT_URL
    return raw


def check_answers(
    questions: Iterable[Question], answers: Mapping[str, str], *, partial: bool = False
) -> tuple[dict[str, str], list[AnswerProblem]]:
    """The answers in stored form (question id → value; empty answers left out) and the
    problems, in question order. ``partial`` (a draft) lets required questions stay empty;
    answers to questions not in ``questions`` are problems (``question`` is then empty)."""
    values: dict[str, str] = {}
    problems: list[AnswerProblem] = []
    known = set()
    for question in sorted(questions, key=lambda q: (q.sort_key, q.id)):
        known.add(question.id)
        raw = answers.get(question.id, "").strip()
        if not raw:
            if question.required and not partial:
                problems.append(AnswerProblem(question.id, question.text, AnswerCode.REQUIRED))
            continue
        value = _answer_value(question, raw)
        if isinstance(value, AnswerCode):
            if not (value is AnswerCode.REQUIRED and partial):
                problems.append(AnswerProblem(question.id, question.text, value))
            continue
        values[question.id] = value
    for question_id in sorted(set(answers) - known):
        problems.append(AnswerProblem(question_id, "", AnswerCode.UNKNOWN_QUESTION))
    return values, problems


def validate_answers(
    questions: Iterable[Question], answers: Mapping[str, str], *, partial: bool = False
) -> dict[str, str]:
    """:func:`check_answers` for callers that stop at the first faulty set.

    Raises:
        InvalidAnswersError: any problem; ``details.problems`` lists them all.
    """
    values, problems = check_answers(questions, answers, partial=partial)
    if problems:
        raise InvalidAnswersError(problems=[problem.to_json() for problem in problems])
    return values


def _clean_options(kind: QuestionKind, options: Iterable[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(option.strip() for option in options if option.strip()))
    if kind is QuestionKind.CHOICE and not cleaned:
        msg = "A choice question needs options"
        raise InvalidQuestionError(msg, reason="options_missing")
    if kind is not QuestionKind.CHOICE and cleaned:
        msg = "Only choice questions have options"
        raise InvalidQuestionError(msg, reason="options_unexpected")
    if len(cleaned) > MAX_OPTIONS or any(len(o) > MAX_STRING_CHARS for o in cleaned):
        msg = f"At most {MAX_OPTIONS} options of at most {MAX_STRING_CHARS} characters"
        raise InvalidQuestionError(msg, reason="options_too_long")
    return cleaned


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        msg = "A question needs a text"
        raise InvalidQuestionError(msg, reason="empty_text")
    return text


async def event_questions(
    session: AsyncSession, event_id: str, target: QuestionTarget | None = None
) -> list[Question]:
    """The event's questions (of ``target`` only, when given) in their order."""
    query = select(talk_questions).where(talk_questions.c.event_id == event_id)
    if target is not None:
        query = query.where(talk_questions.c.target == target.value)
    rows = (
        await session.execute(query.order_by(talk_questions.c.sort_key, talk_questions.c.id))
    ).all()
    return [
        Question(
            id=row.id,
            event_id=row.event_id,
            text=row.text,
            kind=QuestionKind(row.kind),
            target=QuestionTarget(row.target),
            required=row.required,
            sort_key=row.sort_key,
            options=tuple(row.options or ()),
        )
        for row in rows
    ]


async def get_question(session: AsyncSession, event_id: str, question_id: str) -> Question:
    """The event's question.

    Raises:
        UnknownTalkObjectError: no such question in this event.
    """
    for question in await event_questions(session, event_id):
        if question.id == question_id:
            return question
    raise UnknownTalkObjectError(kind="question", id=question_id)


async def create_question(
    session: AsyncSession,
    event_id: str,
    *,
    text: str,
    kind: QuestionKind,
    target: QuestionTarget,
    required: bool = False,
    sort_key: int | None = None,
    options: Iterable[str] = (),
) -> Question:
    """A new question, after the event's others unless ``sort_key`` is given.

    Raises:
        InvalidQuestionError: empty text, a choice without options or options on another kind.
    """
    text = _clean_text(text)
    cleaned = _clean_options(kind, options)
    if sort_key is None:
        last = await session.scalar(
            select(func.max(talk_questions.c.sort_key)).where(talk_questions.c.event_id == event_id)
        )
        sort_key = 0 if last is None else last + 1
    question_id = new_id()
    await session.execute(
        insert(talk_questions).values(
            id=question_id,
            event_id=event_id,
            text=text,
            kind=kind.value,
            target=target.value,
            required=required,
            sort_key=sort_key,
            options=list(cleaned) or None,
        )
    )
    return await get_question(session, event_id, question_id)


async def update_question(
    session: AsyncSession,
    event_id: str,
    question_id: str,
    *,
    text: str | None = None,
    kind: QuestionKind | None = None,
    target: QuestionTarget | None = None,
    required: bool | None = None,
    sort_key: int | None = None,
    options: Iterable[str] | None = None,
) -> Question:
    """Change the given fields (None: unchanged). Answers already given stay as they are.

    Raises:
        UnknownTalkObjectError: no such question in this event.
        InvalidQuestionError: as for :func:`create_question`, or a new ``target`` while the
            question has answers (``target_has_answers``).
    """
    current = await get_question(session, event_id, question_id)
    new_kind = kind or current.kind
    cleaned = _clean_options(new_kind, current.options if options is None else options)
    values: dict[str, Any] = {"kind": new_kind.value, "options": list(cleaned) or None}
    if text is not None:
        values["text"] = _clean_text(text)
    if target is not None and target is not current.target:
        if await _has_answers(session, question_id):
            msg = "A question with answers cannot change its target"
            raise InvalidQuestionError(msg, reason="target_has_answers")
        values["target"] = target.value
    if required is not None:
        values["required"] = required
    if sort_key is not None:
        values["sort_key"] = sort_key
    await session.execute(
        update(talk_questions).where(talk_questions.c.id == question_id).values(**values)
    )
    return await get_question(session, event_id, question_id)


async def _has_answers(session: AsyncSession, question_id: str) -> bool:
    found = await session.scalar(
        select(talk_answers.c.id).where(talk_answers.c.question_id == question_id).limit(1)
    )
    return found is not None


async def delete_question(session: AsyncSession, event_id: str, question_id: str) -> None:
    """Delete the question with all its answers.

    Raises:
        UnknownTalkObjectError: no such question in this event.
    """
    await get_question(session, event_id, question_id)
    await session.execute(delete(talk_answers).where(talk_answers.c.question_id == question_id))
    await session.execute(delete(talk_questions).where(talk_questions.c.id == question_id))


def _owner(target: QuestionTarget, owner_id: str) -> Any:
    column = (
        talk_answers.c.submission_id
        if target is QuestionTarget.SUBMISSION
        else (talk_answers.c.speaker_id)
    )
    return column == owner_id


async def save_answers(
    session: AsyncSession,
    event_id: str,
    target: QuestionTarget,
    owner_id: str,
    answers: Mapping[str, str],
    *,
    partial: bool = False,
) -> dict[str, str]:
    """Check ``answers`` (question id → raw value) against the event's ``target`` questions and
    make them the stored answers of the submission or speaker ``owner_id``: empty answers
    remove stored ones. Returns the stored values.

    Raises:
        InvalidAnswersError: any problem (nothing is stored then).
    """
    questions = await event_questions(session, event_id, target)
    values = validate_answers(questions, answers, partial=partial)
    question_ids = [question.id for question in questions]
    if question_ids:
        await session.execute(
            delete(talk_answers).where(
                _owner(target, owner_id), talk_answers.c.question_id.in_(question_ids)
            )
        )
    owner_column = "submission_id" if target is QuestionTarget.SUBMISSION else "speaker_id"
    if values:
        await session.execute(
            insert(talk_answers),
            [
                {"id": new_id(), "question_id": qid, owner_column: owner_id, "value": value}
                for qid, value in values.items()
            ],
        )
    return values


async def answers_of(
    session: AsyncSession, target: QuestionTarget, owner_id: str
) -> dict[str, str]:
    """The stored answers of a submission or speaker: question id → value."""
    rows = await session.execute(
        select(talk_answers.c.question_id, talk_answers.c.value).where(_owner(target, owner_id))
    )
    return {row.question_id: row.value for row in rows}


async def event_answers(
    session: AsyncSession, event_id: str, question_id: str | None = None
) -> list[Answer]:
    """Every answer given in the event (to one question, when given), in question order."""
    query = (
        select(talk_answers)
        .join(talk_questions, talk_questions.c.id == talk_answers.c.question_id)
        .where(talk_questions.c.event_id == event_id)
        .order_by(talk_questions.c.sort_key, talk_questions.c.id, talk_answers.c.id)
    )
    if question_id is not None:
        query = query.where(talk_answers.c.question_id == question_id)
    return [
        Answer(row.id, row.question_id, row.submission_id, row.speaker_id, row.value)
        for row in await session.execute(query)
    ]

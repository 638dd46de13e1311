"""Custom CfP questions: created, changed and deleted per event; answers checked with one problem
code per faulty answer and stored per submission or speaker, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from catalog.talk.errors import UnknownTalkObjectError
from catalog.talk.questions import (
    AnswerCode,
    InvalidAnswersError,
    InvalidQuestionError,
    Question,
    QuestionKind,
    QuestionTarget,
    answers_of,
    check_answers,
    create_question,
    delete_question,
    event_answers,
    event_questions,
    get_question,
    save_answers,
    update_question,
)
from core.database import Database
from tests.catalog.talk.talk_rows import make_event, make_speaker, make_submission

K = QuestionKind
T = QuestionTarget
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)


@pytest.fixture(params=["sqlite", POSTGRES])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


def question(
    kind: QuestionKind, *, required: bool = False, options: tuple[str, ...] = ()
) -> Question:
    return Question(
        id=f"q-{kind.value}",
        event_id="event",
        text=f"The {kind.value} question",
        kind=kind,
        target=T.SUBMISSION,
        required=required,
        sort_key=0,
        options=options,
    )


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        (K.STRING, "  Berlin ", "Berlin"),
        (K.TEXT, "line one\nline two", "line one\nline two"),
        (K.NUMBER, "42.50", "42.50"),
        (K.BOOLEAN, "on", "true"),
        (K.BOOLEAN, "No", "false"),
        (K.URL, "https://example.org/slides", "https://example.org/slides"),
    ],
)
def test_a_fitting_answer_is_stored_in_its_kinds_form(
    kind: QuestionKind, raw: str, stored: str
) -> None:
    q = question(kind)
    assert check_answers([q], {q.id: raw}) == ({q.id: stored}, [])


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        (K.STRING, "x" * 301, AnswerCode.TOO_LONG),
        (K.TEXT, "x" * 10_001, AnswerCode.TOO_LONG),
        (K.NUMBER, "twelve", AnswerCode.NOT_NUMBER),
        (K.NUMBER, "NaN", AnswerCode.NOT_NUMBER),
        (K.BOOLEAN, "maybe", AnswerCode.NOT_BOOLEAN),
        (K.URL, "javascript:alert(1)", AnswerCode.NOT_URL),
        (K.URL, "example.org", AnswerCode.NOT_URL),
        (K.CHOICE, "Purple", AnswerCode.NOT_OPTION),
    ],
)
def test_a_faulty_answer_gets_one_code_naming_its_question(
    kind: QuestionKind, raw: str, code: AnswerCode
) -> None:
    q = question(kind, options=("Red", "Blue") if kind is K.CHOICE else ())
    values, problems = check_answers([q], {q.id: raw})
    assert values == {}
    assert [p.to_json() for p in problems] == [
        {
            "question_id": q.id,
            "question": q.text,
            "code": code.value,
            "message": problems[0].message,
        }
    ]


def test_required_questions_must_be_answered_except_in_a_draft() -> None:
    text = question(K.STRING, required=True)
    agree = Question("q-agree", "event", "I agree", K.BOOLEAN, T.SUBMISSION, True, 1)
    answers = {text.id: "  ", agree.id: "false"}
    _, problems = check_answers([agree, text], answers)
    assert [(p.question_id, p.code) for p in problems] == [
        (text.id, AnswerCode.REQUIRED),
        (agree.id, AnswerCode.REQUIRED),
    ]
    assert check_answers([agree, text], answers, partial=True) == ({}, [])


def test_an_answer_to_a_question_not_asked_is_a_problem() -> None:
    _, problems = check_answers([question(K.STRING)], {"elsewhere": "x"})
    assert [(p.question_id, p.code) for p in problems] == [
        ("elsewhere", AnswerCode.UNKNOWN_QUESTION)
    ]


async def test_questions_are_listed_in_order_with_their_options(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        other = await make_event(session)
        first = await create_question(
            session,
            event_id,
            text=" Shirt size ",
            kind=K.CHOICE,
            target=T.SPEAKER,
            options=["S", " M ", "M", ""],
        )
        second = await create_question(
            session, event_id, text="Slides", kind=K.URL, target=T.SUBMISSION, required=True
        )
        await create_question(session, other, text="Elsewhere", kind=K.TEXT, target=T.SPEAKER)
    async with database.transaction() as session:
        listed = await event_questions(session, event_id)
        speakers_only = await event_questions(session, event_id, T.SPEAKER)
    assert listed == [first, second]
    assert (first.text, first.options, first.sort_key) == ("Shirt size", ("S", "M"), 0)
    assert (second.required, second.sort_key, second.options) == (True, 1, ())
    assert speakers_only == [first]


@pytest.mark.parametrize(
    ("text", "kind", "options", "reason"),
    [
        ("  ", K.STRING, (), "empty_text"),
        ("Colour?", K.CHOICE, (" ",), "options_missing"),
        ("Name?", K.STRING, ("a",), "options_unexpected"),
    ],
)
async def test_a_question_that_cannot_be_asked_is_refused(
    database: Database, text: str, kind: QuestionKind, options: tuple[str, ...], reason: str
) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        with pytest.raises(InvalidQuestionError) as caught:
            await create_question(
                session, event_id, text=text, kind=kind, target=T.SUBMISSION, options=options
            )
        assert await event_questions(session, event_id) == []
    assert caught.value.code == "talk.invalid_question"
    assert caught.value.details == {"reason": reason}


async def test_answers_are_stored_replaced_and_read_per_owner(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        colour = await create_question(
            session,
            event_id,
            text="Colour",
            kind=K.CHOICE,
            target=T.SUBMISSION,
            options=["Red", "Blue"],
        )
        notes = await create_question(
            session, event_id, text="Notes", kind=K.TEXT, target=T.SUBMISSION
        )
        bio = await create_question(
            session, event_id, text="Company", kind=K.STRING, target=T.SPEAKER, required=True
        )
        submission = await make_submission(session, event_id)
        speaker = await make_speaker(session, event_id)
        await save_answers(
            session, event_id, T.SUBMISSION, submission.id, {colour.id: "Red", notes.id: "Hi"}
        )
        await save_answers(session, event_id, T.SPEAKER, speaker, {bio.id: "ACME"})
    async with database.transaction() as session:
        stored = await save_answers(
            session, event_id, T.SUBMISSION, submission.id, {colour.id: "Blue", notes.id: ""}
        )
        assert stored == {colour.id: "Blue"}
    async with database.transaction() as session:
        assert await answers_of(session, T.SUBMISSION, submission.id) == {colour.id: "Blue"}
        assert await answers_of(session, T.SPEAKER, speaker) == {bio.id: "ACME"}
        everything = await event_answers(session, event_id)
        # The choice's options are not answers.
        assert [(a.question_id, a.value) for a in everything] == [
            (colour.id, "Blue"),
            (bio.id, "ACME"),
        ]
        assert (everything[0].submission_id, everything[1].speaker_id) == (submission.id, speaker)


async def test_faulty_answers_store_nothing(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        size = await create_question(
            session, event_id, text="Audience size", kind=K.NUMBER, target=T.SUBMISSION
        )
        await create_question(
            session, event_id, text="Slides", kind=K.URL, target=T.SUBMISSION, required=True
        )
        speaker_q = await create_question(
            session, event_id, text="Company", kind=K.STRING, target=T.SPEAKER
        )
        submission = await make_submission(session, event_id)
        with pytest.raises(InvalidAnswersError) as caught:
            await save_answers(
                session,
                event_id,
                T.SUBMISSION,
                submission.id,
                {size.id: "many", speaker_q.id: "ACME"},
            )
        assert await answers_of(session, T.SUBMISSION, submission.id) == {}
    assert caught.value.code == "talk.invalid_answers"
    assert [(p["question"], p["code"]) for p in caught.value.details["problems"]] == [
        ("Audience size", "talk.answer_not_number"),
        ("Slides", "talk.answer_required"),
        ("", "talk.answer_unknown_question"),
    ]


async def test_a_question_is_changed_and_keeps_its_answers(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        q = await create_question(
            session, event_id, text="Level", kind=K.STRING, target=T.SUBMISSION
        )
        submission = await make_submission(session, event_id)
        await save_answers(session, event_id, T.SUBMISSION, submission.id, {q.id: "Beginner"})
        changed = await update_question(
            session,
            event_id,
            q.id,
            text="Audience level",
            kind=K.CHOICE,
            required=True,
            sort_key=7,
            options=["Beginner", "Expert"],
        )
        with pytest.raises(InvalidQuestionError) as caught:
            await update_question(session, event_id, q.id, target=T.SPEAKER)
        assert await answers_of(session, T.SUBMISSION, submission.id) == {q.id: "Beginner"}
    assert caught.value.details == {"reason": "target_has_answers"}
    assert changed == Question(
        q.id, event_id, "Audience level", K.CHOICE, T.SUBMISSION, True, 7, ("Beginner", "Expert")
    )


async def test_a_deleted_question_takes_its_answers_along(database: Database) -> None:
    async with database.transaction() as session:
        event_id = await make_event(session)
        other = await make_event(session)
        q = await create_question(
            session, event_id, text="Colour", kind=K.CHOICE, target=T.SUBMISSION, options=["A"]
        )
        submission = await make_submission(session, event_id)
        await save_answers(session, event_id, T.SUBMISSION, submission.id, {q.id: "A"})
        with pytest.raises(UnknownTalkObjectError):
            await delete_question(session, other, q.id)
        await delete_question(session, event_id, q.id)
        assert await answers_of(session, T.SUBMISSION, submission.id) == {}
        assert await event_answers(session, event_id) == []
        with pytest.raises(UnknownTalkObjectError) as caught:
            await get_question(session, event_id, q.id)
    assert caught.value.details == {"kind": "question", "id": q.id}

"""The proposal form of the call for papers and of the speaker area: reading its fields, checking
them (answers through ``catalog.talk.questions``) into values for the catalog's services and one
message per faulty field, keeping what was entered for a re-rendered form. No data access here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from catalog.talk import Question, QuestionTarget, check_answers
from web.talk_pages.talk_page import field as form_field

# The languages a talk may be held in (the tables have no per-event list yet).
LANGUAGES = (("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish"))
MAX_TITLE_CHARS = 300
MAX_ABSTRACT_CHARS = 2_000
MAX_DESCRIPTION_CHARS = 10_000
MAX_NAME_CHARS = 200
MAX_BIOGRAPHY_CHARS = 5_000
MAX_DURATION_MINUTES = 24 * 60
MAX_CO_SPEAKERS = 5
QUESTION_PREFIX = "q:"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(slots=True)
class Proposal:
    """A read form: ``values`` to render it again, ``errors`` by field name, and the checked
    content (meaningful only without errors)."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    content: dict[str, Any] = field(default_factory=dict)
    submission_answers: dict[str, str] = field(default_factory=dict)
    speaker_answers: dict[str, str] = field(default_factory=dict)
    co_speakers: list[str] = field(default_factory=list)


def question_field(question: Question) -> str:
    return f"{QUESTION_PREFIX}{question.id}"


def answer_values(answers: dict[str, str]) -> dict[str, str]:
    """Stored answers (question id → value) as form values."""
    return {f"{QUESTION_PREFIX}{qid}": value for qid, value in answers.items()}


def _text(proposal: Proposal, form: FormData, name: str, limit: int, *, required: bool) -> str:
    value = form_field(form, name)
    proposal.values[name] = value
    if required and not value:
        proposal.errors[name] = "Please fill in this field."
    elif len(value) > limit:
        proposal.errors[name] = f"Please use at most {limit} characters."
    return value


def _choice(proposal: Proposal, form: FormData, name: str, allowed: Sequence[str]) -> str:
    value = form_field(form, name)
    proposal.values[name] = value
    if value not in allowed:
        proposal.errors[name] = "Please choose one of the options."
    return value


def _duration(proposal: Proposal, form: FormData) -> int | None:
    raw = form_field(form, "duration")
    proposal.values["duration"] = raw
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_DURATION_MINUTES:
        proposal.errors["duration"] = "Please enter a number of minutes, or leave it empty."
        return None
    return int(raw)


def _answers(
    proposal: Proposal, form: FormData, questions: Sequence[Question], *, draft: bool
) -> dict[str, str]:
    raw = {q.id: form_field(form, question_field(q)) for q in questions}
    proposal.values.update({question_field(q): raw[q.id] for q in questions})
    values, problems = check_answers(questions, raw, partial=draft)
    for problem in problems:
        proposal.errors[f"{QUESTION_PREFIX}{problem.question_id}"] = problem.message + "."
    return values


def read_submission(
    form: FormData,
    *,
    type_ids: Sequence[str],
    track_ids: Sequence[str],
    questions: Sequence[Question],
    draft: bool,
    proposal: Proposal | None = None,
) -> Proposal:
    """The submission's own fields (of the types ``type_ids`` that take proposals) and its
    answers to the submission questions."""
    proposal = proposal or Proposal(values={})
    content = proposal.content
    content["title"] = _text(proposal, form, "title", MAX_TITLE_CHARS, required=True)
    content["submission_type_id"] = _choice(proposal, form, "submission_type", type_ids)
    track = _choice(proposal, form, "track", ["", *track_ids])
    content["track_id"] = track or None
    content["abstract"] = _text(proposal, form, "abstract", MAX_ABSTRACT_CHARS, required=not draft)
    content["description"] = _text(
        proposal, form, "description", MAX_DESCRIPTION_CHARS, required=False
    )
    content["language"] = _choice(proposal, form, "language", [code for code, _ in LANGUAGES])
    content["duration_minutes"] = _duration(proposal, form)
    targets = [q for q in questions if q.target is QuestionTarget.SUBMISSION]
    proposal.submission_answers = _answers(proposal, form, targets, draft=draft)
    return proposal


def read_speaker(
    form: FormData,
    *,
    questions: Sequence[Question],
    draft: bool,
    proposal: Proposal | None = None,
) -> Proposal:
    """The speaker profile's fields (name, biography) and the speaker questions' answers."""
    proposal = proposal or Proposal(values={})
    proposal.content["name"] = _text(proposal, form, "name", MAX_NAME_CHARS, required=True)
    proposal.content["biography"] = _text(
        proposal, form, "biography", MAX_BIOGRAPHY_CHARS, required=False
    )
    targets = [q for q in questions if q.target is QuestionTarget.SPEAKER]
    proposal.speaker_answers = _answers(proposal, form, targets, draft=draft)
    return proposal


def read_co_speakers(proposal: Proposal, form: FormData, own_email: str) -> None:
    """Co-speaker emails, one per line or separated by commas (at most five, not one's own)."""
    raw = form_field(form, "co_speakers")
    proposal.values["co_speakers"] = raw
    emails = list(dict.fromkeys(e.lower() for e in re.split(r"[\s,;]+", raw) if e))
    if any(not _EMAIL.match(email) for email in emails):
        proposal.errors["co_speakers"] = "Please enter valid email addresses."
    elif len(emails) > MAX_CO_SPEAKERS:
        proposal.errors["co_speakers"] = f"Please invite at most {MAX_CO_SPEAKERS} co-speakers."
    elif own_email.lower() in emails:
        proposal.errors["co_speakers"] = (
            "You are a speaker already; please leave out your own address."
        )
    proposal.co_speakers = emails


def valid_email(email: str) -> bool:
    return bool(_EMAIL.match(email))

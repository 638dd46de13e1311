"""The review form: its fields (a score per category, the text) read from a POST or filled from
the reviewer's review, and the messages of what went wrong, by field. Whether scores are in
range is the catalog's decision (``submit_review``); this module only reads whole numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from catalog.talk import InvalidScoreError, OwnSubmissionError, PhaseDeniedError, Review
from web.talk_pages.review_submission import Category
from web.talk_pages.talk_page import field as form_field

TEXT = "text"
MAX_TEXT_CHARS = 20_000
# What ``submit_review`` refuses for the reviewer to mend; other errors are not the form's.
REFUSALS = (OwnSubmissionError, PhaseDeniedError, InvalidScoreError)
Refused = OwnSubmissionError | PhaseDeniedError | InvalidScoreError


def score_field(category_id: str) -> str:
    return f"score-{category_id}"


@dataclass(frozen=True, slots=True)
class ReviewForm:
    """What the form shows: ``values`` by field name, and ``errors`` by field name ("" for
    the form as a whole)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, review: Review | None) -> ReviewForm:
        if review is None:
            return cls()
        values = {score_field(c): str(v) for c, v in review.scores.items()}
        return cls({**values, TEXT: review.text})

    @classmethod
    def posted(cls, form: FormData, categories: Sequence[Category]) -> ReviewForm:
        """The posted values, with an error for each score that is not a whole number."""
        values = {TEXT: form_field(form, TEXT)}
        errors = {}
        for category in categories:
            name = score_field(category.id)
            value = form_field(form, name)
            values[name] = value
            if value and not _whole_number(value):
                errors[name] = "Enter a whole number."
        if len(values[TEXT]) > MAX_TEXT_CHARS:
            errors[TEXT] = f"Keep the text under {MAX_TEXT_CHARS} characters."
        return cls(values, errors)

    def scores(self, categories: Sequence[Category]) -> dict[str, int]:
        """The scores given (blank fields are categories left unscored)."""
        return {
            category.id: int(self.values[score_field(category.id)])
            for category in categories
            if self.values.get(score_field(category.id))
        }

    @property
    def text(self) -> str:
        return self.values.get(TEXT, "")

    def refused(self, error: Refused) -> ReviewForm:
        """This form with the catalog's refusal to store it."""
        return ReviewForm(self.values, {**self.errors, **_messages(error)})


def _whole_number(value: str) -> bool:
    digits = value.removeprefix("-")
    return digits.isascii() and digits.isdigit() and len(digits) <= 9


def _messages(error: Refused) -> dict[str, str]:
    if isinstance(error, OwnSubmissionError):
        return {"": "You are a speaker of this submission: reviewers cannot review their own."}
    if isinstance(error, PhaseDeniedError):
        if error.details.get("phase") is None:
            return {"": "Reviewing is closed: no review phase is running."}
        return {"": f"The review phase “{error.details['phase']}” does not allow reviewing."}
    low, high = error.details.get("min"), error.details.get("max")
    category_id = str(error.details.get("category_id", ""))
    if low is None or high is None:
        return {"": "A score names a category this event does not have."}
    return {score_field(category_id): f"Choose a score from {low} to {high}."}

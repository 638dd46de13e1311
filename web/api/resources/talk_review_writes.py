"""Writing reviews of a talk event's submissions over ``…/reviews/`` and
``…/submissions/{code}/review/``, through ``catalog.talk.submit_review``: the current review phase
must allow reviewing, and nobody reviews a submission they are a speaker of. Drafts are not up
for review: they are unknown here, as in the reviewer pages.

The reviewer is the API principal: an API token reviews as itself (``reviewer`` is the token's
id), so each token of a team is its own reviewer and keeps one review per submission; it is never
a speaker, so only an account principal can meet ``talk.own_submission``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from catalog.talk import SubmissionState, UnknownTalkObjectError, submit_review
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.registry import api
from web.api.resources.talk_reviews import REVIEWS, TAG, ReviewOut, reviews_of
from web.api.resources.talk_submissions import SUBMISSION, submission_row


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(description="the score category's id")
    value: int


class ReviewBody(BaseModel):
    """Scores per category (each category at most once, within its range: 422
    ``talk.invalid_score``); categories left out are not scored."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(max_length=100_000)] = ""
    scores: Annotated[list[ScoreIn], Field(max_length=100)] = Field(default_factory=list)

    @field_validator("scores")
    @classmethod
    def _one_score_per_category(cls, scores: list[ScoreIn]) -> list[ScoreIn]:
        categories = [score.category for score in scores]
        if len(set(categories)) != len(categories):
            msg = "each category may be scored once"
            raise ValueError(msg)
        return scores


class ReviewCreate(ReviewBody):
    submission: str = Field(description="the submission's code")


class OwnReview(ReviewOut):
    submission: str = Field(description="the submission's code")


@api.operation(
    "POST", REVIEWS, summary="Review a submission (replacing your earlier review)", tag=TAG,
    response=OwnReview, body=ReviewCreate, permission=Permission.REVIEWS_VIEW, status=201,
    talk=True,
)  # fmt: skip
async def create_review(call: ApiCall) -> OwnReview:
    """403 ``talk.phase_denied`` outside a phase that allows reviewing, 403
    ``talk.own_submission`` for a speaker of the submission."""
    body = call.body_as(ReviewCreate)
    return await _review(call, body.submission, body)


@api.operation(
    "PUT", SUBMISSION + "review/", summary="Write your review of a submission", tag=TAG,
    response=OwnReview, body=ReviewBody, permission=Permission.REVIEWS_VIEW, talk=True,
)  # fmt: skip
async def put_review(call: ApiCall) -> OwnReview:
    """Creates or replaces the principal's review; errors as for ``POST …/reviews/``."""
    return await _review(call, call.path_param("code"), call.body_as(ReviewBody))


async def _review(call: ApiCall, code: str, body: ReviewBody) -> OwnReview:
    assert call.principal is not None, "review endpoints are authenticated"
    submission = await submission_row(call, code)
    if submission.state == SubmissionState.DRAFT:  # drafts are not up for review yet
        raise UnknownTalkObjectError(kind="submission", code=code)
    review = await submit_review(
        call.session,
        submission.id,
        reviewer_id=call.principal.id,
        scores={score.category: score.value for score in body.scores},
        text=body.text,
        now=call.now,
    )
    stored = await reviews_of(call, [submission.id])
    written = next(item for item in stored[submission.id] if item.id == review.id)
    return OwnReview(**written.model_dump(), submission=submission.code)

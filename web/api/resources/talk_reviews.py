"""``…/events/{event}/reviews/`` of a talk event: every submission (drafts left out) with its
aggregate score and its reviews with their per-category scores. Organizers with ``reviews.view``
see them all, whatever the review phase lets reviewers see; writing reviews is in
``talk_review_writes``."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import select

from catalog.talk import ranked_submissions
from catalog.talk.tables import talk_review_scores, talk_reviews
from catalog.tickets import Permission
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.pages import Page
from web.api.registry import api

TAG = "talk"
REVIEWS = "/organizers/{organizer}/events/{event}/reviews/"


class CategoryScore(BaseModel):
    category: str = Field(description="the score category's id")
    value: int


class ReviewOut(BaseModel):
    id: str
    reviewer: str = Field(
        description="the reviewer: an account id, or the id of the API token that wrote it"
    )
    text: str
    score: str | None = Field(description="the review's weighted total, as a decimal string")
    scores: list[CategoryScore]
    created_at: Timestamp
    updated_at: Timestamp


class SubmissionReviews(BaseModel):
    submission: str = Field(description="the submission's code")
    title: str
    state: str
    score: str | None = Field(description="the mean of the reviews' totals (aggregate)")
    review_count: int
    reviews: list[ReviewOut]


@api.operation(
    "GET", REVIEWS, summary="Submissions by aggregate score, with their reviews", tag=TAG,
    response=SubmissionReviews, permission=Permission.REVIEWS_VIEW, paginated=True, talk=True,
)  # fmt: skip
async def list_reviews(call: ApiCall) -> Page:
    ranked = await ranked_submissions(call.session, call.event.id)
    shown = ranked[call.page.offset : call.page.offset + call.page.page_size]
    reviews = await reviews_of(call, [item.submission_id for item in shown])
    return Page(
        len(ranked),
        [
            SubmissionReviews(
                submission=item.code,
                title=item.title,
                state=item.state.value,
                score=_decimal(item.score),
                review_count=item.review_count,
                reviews=reviews[item.submission_id],
            )
            for item in shown
        ],
    )


async def reviews_of(call: ApiCall, submission_ids: list[str]) -> dict[str, list[ReviewOut]]:
    rows = list(
        await call.session.execute(
            select(talk_reviews)
            .where(talk_reviews.c.submission_id.in_(submission_ids))
            .order_by(talk_reviews.c.created_at, talk_reviews.c.reviewer_id)
        )
    )
    scores: dict[str, list[CategoryScore]] = defaultdict(list)
    if rows:
        for score in await call.session.execute(
            select(talk_review_scores)
            .where(talk_review_scores.c.review_id.in_([row.id for row in rows]))
            .order_by(talk_review_scores.c.category_id)
        ):
            scores[score.review_id].append(
                CategoryScore(category=score.category_id, value=score.value)
            )
    found: dict[str, list[ReviewOut]] = defaultdict(list)
    for row in rows:
        found[row.submission_id].append(
            ReviewOut(
                id=row.id,
                reviewer=row.reviewer_id,
                text=row.text,
                score=None if row.score is None else _decimal(Decimal(row.score)),
                scores=scores[row.id],
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
    return found


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"

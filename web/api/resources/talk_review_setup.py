"""``…/events/{event}/review-phases/`` and ``…/score-categories/`` of a talk event: when reviewers
may do what, and what they score, set up through ``catalog.talk``. Reading needs access to the
event, changing it ``events.change``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from catalog.talk import (
    ReviewPhaseDefinition,
    ScoreCategory,
    create_review_phase,
    create_score_category,
    delete_review_phase,
    delete_score_category,
    get_review_phase,
    get_score_category,
    review_phases,
    score_categories,
    update_review_phase,
    update_score_category,
)
from web.api.call import ApiCall
from web.api.fields import Timestamp
from web.api.pages import Page
from web.api.registry import api
from web.api.resources.talk_patches import patch_changes
from web.api.resources.talk_setup import CHANGE, EVENT, TAG, Name, listed

PHASES = EVENT + "review-phases/"
PHASE = PHASES + "{phase}/"
CATEGORIES = EVENT + "score-categories/"
CATEGORY = CATEGORIES + "{category}/"
WEIGHT_PATTERN = r"^\d{1,4}(\.\d{1,2})?$"  # the column is Numeric(6, 2)
_WEIGHT = re.compile(WEIGHT_PATTERN)
Score = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


def _parse_weight(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str) or not _WEIGHT.fullmatch(value):
        msg = 'a weight is a string with at most two decimals, such as "1.50"'
        raise ValueError(msg)
    return Decimal(value)


def _format_weight(weight: Decimal) -> str:
    return f"{weight.quantize(Decimal('0.01')):f}"


Weight = Annotated[
    Decimal,
    BeforeValidator(_parse_weight),
    PlainSerializer(_format_weight, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": WEIGHT_PATTERN, "examples": ["1.00"]}),
]


class ReviewPhaseOut(BaseModel):
    id: str
    name: str
    starts_at: Timestamp | None = Field(description="null: open at the start")
    ends_at: Timestamp | None = Field(description="null: open at the end")
    can_review: bool
    can_see_other_reviews: bool
    can_change_submission_state: bool
    sort_key: int = Field(description="the first phase (by sort_key) holding a moment is current")


class ReviewPhaseCreate(BaseModel):
    """Without ``sort_key`` the phase comes after the others."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    can_review: bool = True
    can_see_other_reviews: bool = False
    can_change_submission_state: bool = False
    sort_key: int | None = None


class ReviewPhasePatch(BaseModel):
    """Only the fields sent change; ``starts_at`` or ``ends_at`` null opens that side."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    can_review: bool | None = None
    can_see_other_reviews: bool | None = None
    can_change_submission_state: bool | None = None
    sort_key: int | None = None


class ScoreCategoryOut(BaseModel):
    id: str
    name: str
    weight: Weight
    min_score: int
    max_score: int
    sort_key: int


class ScoreCategoryCreate(BaseModel):
    """Scores run from ``min_score`` to ``max_score``; without ``sort_key`` the category comes
    after the others."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    weight: Weight = Decimal(1)
    min_score: Score
    max_score: Score
    sort_key: int | None = None


class ScoreCategoryPatch(BaseModel):
    """Only the fields sent change. A new weight re-totals the reviews; a range that given
    scores fall outside is ``409 talk.in_use``."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    weight: Weight | None = None
    min_score: Score | None = None
    max_score: Score | None = None
    sort_key: int | None = None


def _phase(phase: ReviewPhaseDefinition) -> ReviewPhaseOut:
    return ReviewPhaseOut(
        id=phase.id,
        name=phase.name,
        starts_at=phase.starts_at,
        ends_at=phase.ends_at,
        can_review=phase.can_review,
        can_see_other_reviews=phase.can_see_other_reviews,
        can_change_submission_state=phase.can_change_submission_state,
        sort_key=phase.sort_key,
    )


def _category(category: ScoreCategory) -> ScoreCategoryOut:
    return ScoreCategoryOut(
        id=category.id,
        name=category.name,
        weight=category.weight,
        min_score=category.min_score,
        max_score=category.max_score,
        sort_key=category.sort_key,
    )


@api.operation(
    "GET", PHASES, summary="List review phases", tag=TAG, response=ReviewPhaseOut,
    paginated=True, talk=True,
)  # fmt: skip
async def list_review_phases(call: ApiCall) -> Page:
    return listed(
        call, [_phase(phase) for phase in await review_phases(call.session, call.event.id)]
    )


@api.operation(
    "POST", PHASES, summary="Create a review phase", tag=TAG, response=ReviewPhaseOut,
    body=ReviewPhaseCreate, permission=CHANGE, status=201, talk=True,
)  # fmt: skip
async def create_talk_review_phase(call: ApiCall) -> ReviewPhaseOut:
    body = call.body_as(ReviewPhaseCreate)
    return _phase(await create_review_phase(call.session, call.event.id, **body.model_dump()))


@api.operation(
    "GET", PHASE, summary="Show a review phase", tag=TAG, response=ReviewPhaseOut, talk=True,
)  # fmt: skip
async def get_talk_review_phase(call: ApiCall) -> ReviewPhaseOut:
    return _phase(await get_review_phase(call.session, call.event.id, call.path_param("phase")))


@api.operation(
    "PATCH", PHASE, summary="Change a review phase", tag=TAG, response=ReviewPhaseOut,
    body=ReviewPhasePatch, permission=CHANGE, talk=True,
)  # fmt: skip
async def patch_talk_review_phase(call: ApiCall) -> ReviewPhaseOut:
    sent = patch_changes(call.body_as(ReviewPhasePatch), nullable=("starts_at", "ends_at"))
    phase_id = call.path_param("phase")
    return _phase(await update_review_phase(call.session, call.event.id, phase_id, **sent))


@api.operation(
    "DELETE", PHASE, summary="Delete a review phase", tag=TAG, permission=CHANGE, status=204,
    talk=True,
)  # fmt: skip
async def delete_talk_review_phase(call: ApiCall) -> None:
    await delete_review_phase(call.session, call.event.id, call.path_param("phase"))


@api.operation(
    "GET", CATEGORIES, summary="List score categories", tag=TAG, response=ScoreCategoryOut,
    paginated=True, talk=True,
)  # fmt: skip
async def list_score_categories(call: ApiCall) -> Page:
    categories = await score_categories(call.session, call.event.id)
    return listed(call, [_category(category) for category in categories])


@api.operation(
    "POST", CATEGORIES, summary="Create a score category", tag=TAG, response=ScoreCategoryOut,
    body=ScoreCategoryCreate, permission=CHANGE, status=201, talk=True,
)  # fmt: skip
async def create_talk_score_category(call: ApiCall) -> ScoreCategoryOut:
    body = call.body_as(ScoreCategoryCreate)
    return _category(await create_score_category(call.session, call.event.id, **body.model_dump()))


@api.operation(
    "GET", CATEGORY, summary="Show a score category", tag=TAG, response=ScoreCategoryOut,
    talk=True,
)  # fmt: skip
async def get_talk_score_category(call: ApiCall) -> ScoreCategoryOut:
    category_id = call.path_param("category")
    return _category(await get_score_category(call.session, call.event.id, category_id))


@api.operation(
    "PATCH", CATEGORY, summary="Change a score category", tag=TAG, response=ScoreCategoryOut,
    body=ScoreCategoryPatch, permission=CHANGE, talk=True,
)  # fmt: skip
async def patch_talk_score_category(call: ApiCall) -> ScoreCategoryOut:
    sent = patch_changes(call.body_as(ScoreCategoryPatch))
    category_id = call.path_param("category")
    category = await update_score_category(call.session, call.event.id, category_id, **sent)
    return _category(category)


@api.operation(
    "DELETE", CATEGORY, summary="Delete a score category no review scores", tag=TAG,
    permission=CHANGE, status=204, talk=True,
)  # fmt: skip
async def delete_talk_score_category(call: ApiCall) -> None:
    """A category with scores is ``409 talk.in_use``."""
    await delete_score_category(call.session, call.event.id, call.path_param("category"))

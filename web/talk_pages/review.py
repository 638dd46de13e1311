"""The reviewer pages: the list of submissions to review (``/<org>/<event>/reviews/``) and one
submission's review page with the review form and, when the phase and the account allow it,
accept and reject (``/<org>/<event>/reviews/<code>/``). Reviews, phases and decisions are the
talk catalog's (``catalog.talk.reviews``); who is a reviewer is ``review_access``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from catalog.talk import (
    ALLOWED_TRANSITIONS,
    InvalidTransitionError,
    PhaseDeniedError,
    SubmissionState,
    change_state_as_reviewer,
    current_phase,
    submit_review,
    visible_reviews,
)
from web.services import Services
from web.talk_pages.review_access import Refusal, Reviewer, reviewer
from web.talk_pages.review_form import REFUSALS, ReviewForm
from web.talk_pages.review_listing import SORTS, ListFilters, listed_submissions
from web.talk_pages.review_submission import account_names, score_categories, submission_content
from web.talk_pages.speaker_records import tracks
from web.talk_pages.talk_page import (
    checked_form,
    login_redirect,
    message_page,
    not_found,
    see_other,
    talk_page,
)

# The decisions a reviewer may take here (pretalx's reviewers accept and reject; confirming
# and canceling stay with speakers and organizers).
DECISIONS = {"accept": SubmissionState.ACCEPTED, "reject": SubmissionState.REJECTED}
REVIEWABLE_STATES = [state.value for state in SubmissionState if state != SubmissionState.DRAFT]


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _now(request: Request) -> datetime:
    return _services(request).clock.now()


def score(value: Decimal | None) -> str:
    """``2.50``; an en dash for no score."""
    return "\u2013" if value is None else f"{value.quantize(Decimal('0.01')):f}"


async def _render(
    request: Request,
    who: Reviewer,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    return await talk_page(
        request,
        template,
        {"score": score, **context},
        event=who.event,
        account_name=who.name,
        status_code=status_code,
    )


async def _refused(request: Request, refusal: Refusal) -> Response:
    """To the login page (and back here afterwards), or the 404 or 403 page."""
    if refusal.reason == "login":
        return login_redirect(request)
    if refusal.reason == "no_event":
        return await not_found(request, "This event", account_name=refusal.account_name)
    return await message_page(
        request,
        "Not a reviewer of this event",
        "Your account is not in a team that may review this event's submissions. "
        "Ask the organizers to add you to their review team.",
        status_code=403,
        event=refusal.event,
        account_name=refusal.account_name,
    )


async def review_list(request: Request) -> Response:
    who = await reviewer(request)
    if not isinstance(who, Reviewer):
        return await _refused(request, who)
    filters = ListFilters.from_query(request.query_params)
    async with _services(request).database.transaction() as session:
        phase = await current_phase(session, who.event.id, _now(request))
        aggregate = phase is not None and phase.can_see_other_reviews
        rows = await listed_submissions(
            session, who.event.id, who.account_id, show_aggregate=aggregate
        )
        event_tracks = await tracks(session, who.event.id)
    shown = filters.apply(rows, by_aggregate=aggregate)
    context = {
        "phase": phase,
        "aggregate": aggregate,
        "rows": shown,
        "total": len(rows),
        "filters": filters,
        "states": REVIEWABLE_STATES,
        "tracks": event_tracks,
        "sorts": SORTS,
    }
    return await _render(request, who, "review_list.html", context)


@dataclass(frozen=True, slots=True)
class Feedback:
    """What a POST left to say on the review page."""

    form: ReviewForm | None = None  # None: the reviewer's stored review
    decision_error: str = ""
    notice: str = ""


async def review_page(request: Request) -> Response:
    who = await reviewer(request)
    if not isinstance(who, Reviewer):
        return await _refused(request, who)
    notices = {"saved": "Your review was saved.", "decided": "The submission's state changed."}
    done = next((text for key, text in notices.items() if key in request.query_params), "")
    return await _review_page(request, who, Feedback(notice=done))


async def _review_page(
    request: Request, who: Reviewer, feedback: Feedback, *, status_code: int = 200
) -> Response:
    code = request.path_params["code"]
    async with _services(request).database.transaction() as session:
        content = await submission_content(session, who.event.id, code)
        if content is None:
            return await _no_submission(request, who)
        phase = await current_phase(session, who.event.id, _now(request))
        categories = await score_categories(session, who.event.id)
        reviews = await visible_reviews(
            session, content.id, reviewer_id=who.account_id, now=_now(request)
        )
        names = await account_names(session, {review.reviewer_id for review in reviews})
    own = next((review for review in reviews if review.reviewer_id == who.account_id), None)
    mine = content.is_by(who.account_id)
    may_decide = (
        who.may_decide and not mine and phase is not None and phase.can_change_submission_state
    )
    decisions = [
        (action, target)
        for action, target in DECISIONS.items()
        if may_decide and target in ALLOWED_TRANSITIONS[content.state]
    ]
    context = {
        "submission": content,
        "phase": phase,
        "mine": mine,
        "categories": {category.id: category for category in categories},
        "form": feedback.form or ReviewForm.of(own),
        "own": own,
        "others": [review for review in reviews if review.reviewer_id != who.account_id],
        "names": names,
        "decisions": decisions,
        "decision_error": feedback.decision_error,
        "notice": feedback.notice,
    }
    return await _render(request, who, "review_page.html", context, status_code=status_code)


async def _no_submission(request: Request, who: Reviewer) -> Response:
    return await not_found(request, "This submission", event=who.event, account_name=who.name)


def _back(who: Reviewer, code: str, flag: str) -> Response:
    return see_other(f"{who.event.base}/reviews/{code}/?{flag}=1")


async def _posted(request: Request) -> tuple[Reviewer, FormData] | Response:
    """The reviewer and their POSTed form, or the answer refusing either."""
    who = await reviewer(request)
    if not isinstance(who, Reviewer):
        return await _refused(request, who)
    posted = await checked_form(request, event=who.event, account_name=who.name)
    if isinstance(posted, Response):
        return posted
    return who, posted


async def save_review(request: Request) -> Response:
    sent = await _posted(request)
    if isinstance(sent, Response):
        return sent
    who, posted = sent
    code = request.path_params["code"]
    database = _services(request).database
    async with database.transaction() as session:
        content = await submission_content(session, who.event.id, code)
        categories = await score_categories(session, who.event.id)
    if content is None:
        return await _no_submission(request, who)
    form = ReviewForm.posted(posted, categories)
    if form.errors:
        return await _review_page(request, who, Feedback(form), status_code=422)
    try:
        async with database.transaction() as session:
            await submit_review(
                session,
                content.id,
                reviewer_id=who.account_id,
                scores=form.scores(categories),
                text=form.text,
                now=_now(request),
            )
    except REFUSALS as exc:
        refusal = Feedback(form.refused(exc))
        return await _review_page(request, who, refusal, status_code=exc.status)
    return _back(who, code, "saved")


async def decide(request: Request) -> Response:
    sent = await _posted(request)
    if isinstance(sent, Response):
        return sent
    who, posted = sent
    if not who.may_decide:
        text = "Your account's teams may not change the state of this event's submissions."
        return await message_page(
            request, "Not allowed", text, status_code=403, event=who.event, account_name=who.name
        )
    code = request.path_params["code"]
    target = DECISIONS.get(str(posted.get("decision", "")))
    if target is None:
        return await _review_page(
            request, who, Feedback(decision_error="Choose a decision."), status_code=422
        )
    database = _services(request).database
    async with database.transaction() as session:
        content = await submission_content(session, who.event.id, code)
    if content is None:
        return await _no_submission(request, who)
    if content.is_by(who.account_id):
        mine = Feedback(decision_error="You cannot decide on your own submission.")
        return await _review_page(request, who, mine, status_code=403)
    try:
        async with database.transaction() as session:
            await change_state_as_reviewer(session, content.id, target, now=_now(request))
    except (PhaseDeniedError, InvalidTransitionError) as exc:
        why = Feedback(decision_error=_decision_message(exc))
        return await _review_page(request, who, why, status_code=exc.status)
    return _back(who, code, "decided")


def _decision_message(error: PhaseDeniedError | InvalidTransitionError) -> str:
    if isinstance(error, PhaseDeniedError):
        return "The current review phase does not let reviewers accept or reject."
    return f"The submission is {error.details['from']} and cannot become {error.details['to']}."


_BASE = "/{organizer}/{event}/reviews"
routes: list[BaseRoute] = [
    Route(f"{_BASE}/", review_list, methods=["GET"]),
    Route(f"{_BASE}/{{code}}/", review_page, methods=["GET"]),
    Route(f"{_BASE}/{{code}}/", save_review, methods=["POST"]),
    Route(f"{_BASE}/{{code}}/decision", decide, methods=["POST"]),
]

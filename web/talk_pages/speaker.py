"""The speaker area of an event: the account's submissions with their states, one submission
(shown, edited while its state allows, submitted, withdrawn or confirmed through
``change_state``, co-speakers invited) and the speaker profile. A submission the account is not
a speaker of does not exist here (404).

Editing, decided after pretalx: a draft's content can always be edited; a submitted proposal's
while the CfP takes proposals (afterwards reviewers are reading it); accepted and confirmed talks
keep their content (the organizers change it), but their speakers still edit their profiles;
rejected, withdrawn and canceled ones are read-only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from catalog.talk import (
    CfpClosedError,
    InvalidInvitationError,
    InvalidTransitionError,
    QuestionTarget,
    SubmissionState,
    answers_of,
    change_state,
    check_answers,
    check_cfp_open,
    event_questions,
    get_speaker,
    save_answers,
    update_submission,
)
from web.services import Services
from web.talk_pages import invitation, speaker_profile
from web.talk_pages import speaker_records as records
from web.talk_pages.cfp import cfp_terms, closed_page, form_context, open_type_ids
from web.talk_pages.co_speakers import invite_co_speakers
from web.talk_pages.proposal_form import Proposal, answer_values, read_submission, valid_email
from web.talk_pages.speaker_area import SpeakerArea, speaker_area
from web.talk_pages.speaker_records import SubmissionView
from web.talk_pages.talk_page import field, see_other

S = SubmissionState
# The speaker's buttons and the state each asks ``change_state`` for.
ACTIONS = {"submit": S.SUBMITTED, "withdraw": S.WITHDRAWN, "confirm": S.CONFIRMED}
OFFERED = {S.DRAFT: "submit", S.SUBMITTED: "withdraw", S.ACCEPTED: "confirm"}
INVITING_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.CONFIRMED})
SAVED = {
    "draft": "Your draft is saved.",
    "submitted": "Thank you, your proposal is submitted.",
    "changed": "Your changes are saved.",
    "withdrawn": "Your proposal is withdrawn.",
    "confirmed": "Thank you for confirming your talk.",
    "invited": "The invitation is sent by email.",
    "joined": "You are a speaker of this proposal now.",
}


def a_state(state: str) -> str:
    """``A submitted`` / ``An accepted``: a sentence's start naming a proposal's state."""
    return f"An {state}" if state[:1] in ("a", "e", "i", "o", "u") else f"A {state}"


def content_editable(state: SubmissionState, cfp_open: bool) -> bool:
    return state is S.DRAFT or (state is S.SUBMITTED and cfp_open)


async def _editing_terms(
    request: Request, area: SpeakerArea, submission: SubmissionView
) -> tuple[set[str], bool]:
    """The types an edit may choose (those taking proposals, and the submission's own) and
    whether the CfP takes proposals of the submission's type."""
    services: Services = request.app.state.services
    now = services.clock.now()
    cfp = await cfp_terms(request, area.event)
    type_ids = open_type_ids(cfp, now) | {submission.submission_type_id}
    return type_ids, cfp.accepts(now, submission.submission_type_id)


async def my_submissions(request: Request) -> Response:
    area = await speaker_area(request)
    if isinstance(area, Response):
        return area
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        rows = await records.account_submissions(session, area.event.id, area.account.id)
    return await area.page("me.html", {"submissions": rows})


async def _own(request: Request, area: SpeakerArea) -> SubmissionView | None:
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        return await records.own_submission(
            session, area.event.id, request.path_params["code"], area.account.id
        )


async def _submission_page(
    request: Request,
    area: SpeakerArea,
    submission: SubmissionView,
    *,
    proposal: Proposal | None = None,
    status_code: int = 200,
    message: str = "",
) -> Response:
    services: Services = request.app.state.services
    state = S(submission.state)
    type_ids, cfp_open = await _editing_terms(request, area, submission)
    async with services.database.transaction() as session:
        stored = await answers_of(session, QuestionTarget.SUBMISSION, submission.id)
    context: dict[str, Any] = await form_context(request, area.event, type_ids)
    if proposal is None:
        values = {
            "title": submission.title,
            "submission_type": submission.submission_type_id,
            "track": submission.track_id or "",
            "abstract": submission.abstract,
            "description": submission.description,
            "language": submission.language,
            "duration": str(submission.duration_minutes or ""),
            **answer_values(stored),
        }
        proposal = Proposal(values=values)
    saved = request.query_params.get("saved", "")
    context.update(
        submission=submission,
        values=proposal.values,
        errors=proposal.errors,
        editable=content_editable(state, cfp_open),
        state_phrase=a_state(state.value),
        action=OFFERED.get(state),
        may_invite=state in INVITING_STATES,
        message=message or SAVED.get(saved, ""),
        answers=stored,
        failed=status_code >= 400,
    )
    return await area.page("submission.html", context, status_code=status_code)


async def submission_page(request: Request) -> Response:
    area = await speaker_area(request)
    if isinstance(area, Response):
        return area
    submission = await _own(request, area)
    if submission is None:
        return await area.not_found("This submission")
    if request.method == "GET":
        return await _submission_page(request, area, submission)
    form = await area.form()
    if isinstance(form, Response):
        return form
    services: Services = request.app.state.services
    type_ids, cfp_open = await _editing_terms(request, area, submission)
    state = S(submission.state)
    if not content_editable(state, cfp_open):
        return await area.message(
            "This proposal cannot be changed",
            f"{a_state(state)} proposal cannot be edited here. Please contact the organizers.",
            status_code=409,
            back=area.submission_path(submission.code),
        )
    context = await form_context(request, area.event, type_ids)
    proposal = read_submission(
        form,
        type_ids=context["type_ids"],
        track_ids=context["track_ids"],
        questions=context["submission_questions"],
        draft=state is S.DRAFT,
    )
    if proposal.errors:
        return await _submission_page(request, area, submission, proposal=proposal, status_code=400)
    async with services.database.transaction() as session:
        await update_submission(
            session, submission.id, now=services.clock.now(), **proposal.content
        )
        await save_answers(
            session,
            area.event.id,
            QuestionTarget.SUBMISSION,
            submission.id,
            proposal.submission_answers,
            partial=state is S.DRAFT,
        )
    return see_other(area.submission_path(submission.code) + "?saved=changed")


async def _missing(
    session: AsyncSession, area: SpeakerArea, submission: SubmissionView
) -> list[str]:
    """What a draft lacks to be submitted: the abstract, answers to required submission
    questions and to required speaker questions (in the account's profile), by question."""
    missing = [] if submission.abstract.strip() else ["Abstract"]
    profiles = await records.speaker_profile_ids(session, area.event.id, area.account.id)
    owners = [(QuestionTarget.SUBMISSION, submission.id)]
    owners += [(QuestionTarget.SPEAKER, profile) for profile in profiles[:1]]
    for target, owner_id in owners:
        questions = await event_questions(session, area.event.id, target)
        _, problems = check_answers(questions, await answers_of(session, target, owner_id))
        missing += [problem.question for problem in problems]
    return missing


async def _apply(
    session: AsyncSession,
    area: SpeakerArea,
    submission: SubmissionView,
    target: SubmissionState,
    now: datetime,
) -> list[str]:
    """Change the state; a draft is submitted only while the CfP is open and when complete.
    Returns what is missing (nothing changed then).

    Raises:
        CfpClosedError, InvalidTransitionError: from the talk catalog.
    """
    if target is S.SUBMITTED and S(submission.state) is S.DRAFT:
        await check_cfp_open(session, area.event.id, now, submission.submission_type_id)
        missing = await _missing(session, area, submission)
        if missing:
            return missing
    await change_state(session, submission.id, target, now=now)
    return []


async def state_action(request: Request) -> Response:
    area = await speaker_area(request)
    if isinstance(area, Response):
        return area
    submission = await _own(request, area)
    if submission is None:
        return await area.not_found("This submission")
    form = await area.form()
    if isinstance(form, Response):
        return form
    target = ACTIONS.get(field(form, "action"))
    if target is None:
        return await area.message(
            "Unknown action",
            "This action does not exist.",
            status_code=400,
            back=area.submission_path(submission.code),
        )
    services: Services = request.app.state.services
    now = services.clock.now()
    try:
        async with services.database.transaction() as session:
            missing = await _apply(session, area, submission, target, now)
    except CfpClosedError:
        return await closed_page(request, area.event, area.account)
    except InvalidTransitionError as error:
        message = f"{a_state(error.details['from'])} proposal cannot become {error.details['to']}."
        return await area.message(
            "This change is not possible",
            message,
            status_code=409,
            back=area.submission_path(submission.code),
        )
    if missing:
        message = f"Please complete the proposal before submitting it: {', '.join(missing)}."
        return await _submission_page(request, area, submission, status_code=400, message=message)
    return see_other(area.submission_path(submission.code) + f"?saved={target.value}")


async def invite(request: Request) -> Response:
    area = await speaker_area(request)
    if isinstance(area, Response):
        return area
    submission = await _own(request, area)
    if submission is None:
        return await area.not_found("This submission")
    form = await area.form()
    if isinstance(form, Response):
        return form
    email = field(form, "email").lower()
    problem = ""
    if not valid_email(email):
        problem = "Please enter a valid email address."
    elif S(submission.state) not in INVITING_STATES:
        problem = f"{a_state(submission.state)} proposal takes no more co-speakers."
    if not problem:
        problem = await _invite(request, area, submission, email)
    if problem:
        return await _submission_page(request, area, submission, status_code=400, message=problem)
    return see_other(area.submission_path(submission.code) + "?saved=invited")


async def _invite(
    request: Request, area: SpeakerArea, submission: SubmissionView, email: str
) -> str:
    """Invite ``email`` by mail; what went wrong, or "" when it is sent."""
    services: Services = request.app.state.services
    try:
        async with services.database.transaction() as session:
            profiles = await records.speaker_profile_ids(session, area.event.id, area.account.id)
            inviter = (await get_speaker(session, profiles[0])).name if profiles else ""
            await invite_co_speakers(
                session,
                area.event,
                submission_id=submission.id,
                code=submission.code,
                title=submission.title,
                inviter_name=inviter or area.account.name,
                emails=[email],
                now=services.clock.now(),
            )
    except InvalidInvitationError as error:
        return error.message + "."
    return ""


_ME = "/{organizer}/{event}/me"
routes: list[BaseRoute] = [
    Route(f"{_ME}/", my_submissions, methods=["GET"]),
    Route(f"{_ME}/submissions/{{code}}/", submission_page, methods=["GET", "POST"]),
    Route(f"{_ME}/submissions/{{code}}/state", state_action, methods=["POST"]),
    Route(f"{_ME}/submissions/{{code}}/invite", invite, methods=["POST"]),
    *speaker_profile.routes,
    *invitation.routes,
]

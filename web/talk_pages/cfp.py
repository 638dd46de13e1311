"""The public call for papers: its page (open or closed, the deadline in the event's timezone,
types and tracks) and the submission form of a logged-in account, which creates the speaker
profile, the submission (draft or submitted), the answers and the co-speaker invitations in one
transaction. Whether the CfP takes proposals (of a type) is ``check_cfp_open``'s decision."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from catalog.talk import (
    CallForPapers,
    CfpClosedError,
    QuestionTarget,
    SubmissionTypeTerms,
    answers_of,
    call_for_papers,
    check_cfp_open,
    create_speaker,
    create_submission,
    event_questions,
    get_speaker,
    save_answers,
    update_speaker,
)
from web.services import Services
from web.talk_pages import speaker_records as records
from web.talk_pages.account import signed_in
from web.talk_pages.co_speakers import invite_co_speakers
from web.talk_pages.proposal_form import (
    LANGUAGES,
    Proposal,
    answer_values,
    read_co_speakers,
    read_speaker,
    read_submission,
)
from web.talk_pages.speaker_records import Account
from web.talk_pages.talk_page import (
    PageEvent,
    checked_form,
    login_redirect,
    message_page,
    not_found,
    see_other,
    talk_page,
)


def deadline_text(deadline: datetime, timezone: str) -> str:
    """``Monday, 1 June 2026, 18:00 (Europe/Berlin)``: the deadline in the event's timezone."""
    local = deadline.astimezone(ZoneInfo(timezone))
    return f"{local:%A}, {local.day} {local:%B %Y}, {local:%H:%M} ({timezone})"


async def _event(request: Request) -> PageEvent | None:
    services: Services = request.app.state.services
    params = request.path_params
    async with services.database.transaction() as session:
        return await records.page_event(session, params["organizer"], params["event"])


async def cfp_terms(request: Request, event: PageEvent) -> CallForPapers:
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        return await call_for_papers(session, event.id)


def open_type_ids(cfp: CallForPapers, now: datetime) -> set[str]:
    """The submission types that take proposals now (each may have its own deadline)."""
    return {kind.id for kind in cfp.types if cfp.accepts(now, kind.id)}


def type_label(kind: SubmissionTypeTerms, timezone: str) -> str:
    """``Talk (45 minutes)``, with the type's own deadline when it has one."""
    label = f"{kind.name} ({kind.default_duration_minutes} minutes"
    own = f", until {deadline_text(kind.deadline, timezone)}" if kind.deadline else ""
    return f"{label}{own})"


def paragraphs(text: str) -> list[str]:
    """The CfP text's paragraphs (separated by blank lines); shown as plain text."""
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


async def cfp_page(request: Request) -> Response:
    event = await _event(request)
    if event is None:
        return await not_found(request, "This event")
    current = await signed_in(request)
    services: Services = request.app.state.services
    cfp = await cfp_terms(request, event)
    async with services.database.transaction() as session:
        tracks = await records.tracks(session, event.id)
    context = {
        "open": bool(open_type_ids(cfp, services.clock.now())),
        "deadline": deadline_text(cfp.deadline, event.timezone) if cfp.deadline else "",
        "headline": cfp.headline,
        "paragraphs": paragraphs(cfp.text),
        "types": [type_label(kind, event.timezone) for kind in cfp.types],
        "tracks": tracks,
    }
    name = current.name if current else ""
    return await talk_page(request, "cfp.html", context, event=event, account_name=name)


async def closed_page(request: Request, event: PageEvent, account: Account) -> Response:
    message = "The call for papers of this event does not take proposals now."
    return await message_page(
        request,
        "The call for papers is closed",
        message,
        status_code=409,
        event=event,
        account_name=account.name,
        back=f"{event.base}/cfp/",
    )


async def form_context(
    request: Request, event: PageEvent, type_ids: Collection[str]
) -> dict[str, Any]:
    """What the proposal form shows besides its values: the submission types of ``type_ids``,
    tracks, languages and questions."""
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        questions = await event_questions(session, event.id)
        cfp = await call_for_papers(session, event.id)
        tracks = await records.tracks(session, event.id)
        types = [kind for kind in cfp.types if kind.id in type_ids]
        return {
            "type_ids": [kind.id for kind in types],
            "track_ids": [track.id for track in tracks],
            "type_choices": [(kind.id, type_label(kind, event.timezone)) for kind in types],
            "track_choices": [(t.id, t.name) for t in tracks],
            "languages": LANGUAGES,
            "submission_questions": [q for q in questions if q.target is QuestionTarget.SUBMISSION],
            "speaker_questions": [q for q in questions if q.target is QuestionTarget.SPEAKER],
        }


async def _initial_values(request: Request, event: PageEvent, account: Account) -> dict[str, str]:
    """The form of a new proposal: the speaker's profile and answers as given before."""
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        profiles = await records.speaker_profile_ids(session, event.id, account.id)
        values = {"name": account.name, "biography": "", "language": "en"}
        if profiles:
            profile = await get_speaker(session, profiles[0])
            values.update(name=profile.name, biography=profile.biography)
            answers = await answers_of(session, QuestionTarget.SPEAKER, profiles[0])
            values.update(answer_values(answers))
    return values


async def _form_page(
    request: Request,
    event: PageEvent,
    account: Account,
    proposal: Proposal,
    *,
    type_ids: Collection[str],
    status_code: int = 200,
) -> Response:
    context = {**await form_context(request, event, type_ids), "values": proposal.values}
    context["errors"] = proposal.errors
    return await talk_page(
        request,
        "submit.html",
        context,
        event=event,
        account_name=account.name,
        status_code=status_code,
    )


async def submit_page(request: Request) -> Response:
    event = await _event(request)
    if event is None:
        return await not_found(request, "This event")
    account = await signed_in(request)
    if account is None:
        return login_redirect(request)
    services: Services = request.app.state.services
    type_ids = open_type_ids(await cfp_terms(request, event), services.clock.now())
    if not type_ids:
        return await closed_page(request, event, account)
    if request.method == "GET":
        values = await _initial_values(request, event, account)
        proposal = Proposal(values=values)
        return await _form_page(request, event, account, proposal, type_ids=type_ids)
    form = await checked_form(request, event=event, account_name=account.name)
    if isinstance(form, Response):
        return form
    return await _submit(request, event, account, form, type_ids)


async def _submit(
    request: Request, event: PageEvent, account: Account, form: FormData, type_ids: set[str]
) -> Response:
    draft = form.get("action") == "draft"
    context = await form_context(request, event, type_ids)
    questions = context["submission_questions"] + context["speaker_questions"]
    proposal = read_submission(
        form,
        type_ids=context["type_ids"],
        track_ids=context["track_ids"],
        questions=questions,
        draft=draft,
    )
    read_speaker(form, questions=questions, draft=draft, proposal=proposal)
    read_co_speakers(proposal, form, account.email)
    if proposal.errors:
        return await _form_page(
            request, event, account, proposal, type_ids=type_ids, status_code=400
        )
    try:
        code = await _store(request, event, account, proposal, draft=draft)
    except CfpClosedError:
        return await closed_page(request, event, account)
    saved = "draft" if draft else "submitted"
    return see_other(f"{event.base}/me/submissions/{code}/?saved={saved}")


async def _store(
    request: Request, event: PageEvent, account: Account, proposal: Proposal, *, draft: bool
) -> str:
    """Create everything in one transaction (co-speakers' mails included); returns the code."""
    services: Services = request.app.state.services
    now = services.clock.now()
    content = proposal.content
    async with services.database.transaction() as session:
        await check_cfp_open(session, event.id, now, content["submission_type_id"])
        profiles = await records.speaker_profile_ids(session, event.id, account.id)
        profile = {"name": content.pop("name"), "biography": content.pop("biography")}
        speaker_id = (
            profiles[0]
            if profiles
            else await create_speaker(
                session, event.id, email=account.email, now=now, account_id=account.id, **profile
            )
        )
        # An earlier profile (or one an organizer made for this email) takes the form's values.
        await update_speaker(session, speaker_id, **profile)
        submission = await create_submission(
            session, event.id, speaker_id=speaker_id, now=now, draft=draft, **content
        )
        await save_answers(
            session,
            event.id,
            QuestionTarget.SUBMISSION,
            submission.id,
            proposal.submission_answers,
            partial=draft,
        )
        await save_answers(
            session,
            event.id,
            QuestionTarget.SPEAKER,
            speaker_id,
            proposal.speaker_answers,
            partial=draft,
        )
        await invite_co_speakers(
            session,
            event,
            submission_id=submission.id,
            code=submission.code,
            title=submission.title,
            inviter_name=profile["name"],
            emails=proposal.co_speakers,
            now=now,
        )
    return submission.code


_CFP = "/{organizer}/{event}/cfp"
routes: list[BaseRoute] = [
    Route(f"{_CFP}/", cfp_page, methods=["GET"]),
    Route(f"{_CFP}/submit/", submit_page, methods=["GET", "POST"]),
]

"""The speaker profile page of an event (``/me/profile/``): name, biography and the answers to
the speaker questions, editable in every state of the speaker's submissions. An account whose
proposals were accepted through invitations to other addresses has several profiles; this page
edits the oldest one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from catalog.talk import (
    QuestionTarget,
    answers_of,
    event_questions,
    get_speaker,
    save_answers,
    update_speaker,
)
from web.services import Services
from web.talk_pages import speaker_records as records
from web.talk_pages.proposal_form import Proposal, answer_values, read_speaker
from web.talk_pages.speaker_area import SpeakerArea, speaker_area
from web.talk_pages.talk_page import see_other


async def _page(
    area: SpeakerArea, speaker_id: str | None, proposal: Proposal | None, *, status_code: int = 200
) -> Response:
    services: Services = area.request.app.state.services
    async with services.database.transaction() as session:
        questions = await event_questions(session, area.event.id, QuestionTarget.SPEAKER)
        if proposal is None and speaker_id is not None:
            profile = await get_speaker(session, speaker_id)
            answers = await answers_of(session, QuestionTarget.SPEAKER, speaker_id)
            values = {"name": profile.name, "biography": profile.biography}
            proposal = Proposal(values={**values, **answer_values(answers)})
    proposal = proposal or Proposal(values={})
    context = {
        "has_profile": speaker_id is not None,
        "speaker_questions": questions,
        "values": proposal.values,
        "errors": proposal.errors,
        "saved": area.request.query_params.get("saved") == "profile",
    }
    return await area.page("profile.html", context, status_code=status_code)


async def profile_page(request: Request) -> Response:
    area = await speaker_area(request)
    if isinstance(area, Response):
        return area
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        profiles = await records.speaker_profile_ids(session, area.event.id, area.account.id)
    speaker_id = profiles[0] if profiles else None
    if request.method == "GET" or speaker_id is None:
        return await _page(area, speaker_id, None, status_code=200 if profiles else 404)
    form = await area.form()
    if isinstance(form, Response):
        return form
    async with services.database.transaction() as session:
        questions = await event_questions(session, area.event.id, QuestionTarget.SPEAKER)
    proposal = read_speaker(form, questions=questions, draft=False)
    if proposal.errors:
        return await _page(area, speaker_id, proposal, status_code=400)
    async with services.database.transaction() as session:
        await update_speaker(session, speaker_id, **proposal.content)
        await save_answers(
            session, area.event.id, QuestionTarget.SPEAKER, speaker_id, proposal.speaker_answers
        )
    return see_other(f"{area.event.base}/me/profile/?saved=profile")


routes: list[BaseRoute] = [
    Route("/{organizer}/{event}/me/profile/", profile_page, methods=["GET", "POST"]),
]

"""The co-speaker invitation page ``/<organizer>/<event>/invitation/<code>/<token>/``: after
login, the invited person joins the submission with their name (``accept_invitation``); the
token is the only secret, whoever holds it may join."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from catalog.talk import InvalidInvitationError, accept_invitation
from web.services import Services
from web.talk_pages import speaker_records as records
from web.talk_pages.proposal_form import MAX_NAME_CHARS
from web.talk_pages.speaker_area import SpeakerArea, speaker_area
from web.talk_pages.talk_page import field, see_other


async def invitation_page(request: Request) -> Response:
    area = await speaker_area(request)
    if isinstance(area, Response):
        return area
    code = request.path_params["code"]
    services: Services = request.app.state.services
    async with services.database.transaction() as session:
        title = await records.submission_title(session, area.event.id, code)
    if title is None:
        return await area.not_found("This invitation")
    values, errors = {"name": area.account.name}, {}
    if request.method == "POST":
        form = await area.form()
        if isinstance(form, Response):
            return form
        values["name"] = name = field(form, "name")
        if not name or len(name) > MAX_NAME_CHARS:
            errors["name"] = f"Please enter your name (at most {MAX_NAME_CHARS} characters)."
        else:
            return await _accept(area, code, name)
    context = {"title": title, "values": values, "errors": errors}
    return await area.page("invitation.html", context, status_code=400 if errors else 200)


async def _accept(area: SpeakerArea, code: str, name: str) -> Response:
    services: Services = area.request.app.state.services
    try:
        async with services.database.transaction() as session:
            await accept_invitation(
                session,
                area.request.path_params["token"],
                name=name,
                now=services.clock.now(),
                account_id=area.account.id,
            )
    except InvalidInvitationError:
        message = "This invitation was used already or replaced by a newer one."
        return await area.message("Invitation not valid", message, status_code=404)
    return see_other(area.submission_path(code) + "?saved=joined")


routes: list[BaseRoute] = [
    Route(
        "/{organizer}/{event}/invitation/{code}/{token}/",
        invitation_page,
        methods=["GET", "POST"],
    ),
]

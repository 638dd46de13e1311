"""The public schedule exports of released versions: frab/c3voc ``schedule.json``, frab
``schedule.xml``, iCal and the widget JSON, for the latest release and for each named one.
Open to any origin (CORS ``*``), cached by ETag; the work-in-progress schedule never appears."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from catalog.talk.frab_json import export_frab_json
from catalog.talk.frab_xml import export_frab_xml
from catalog.talk.ical import export_ical
from catalog.talk.schedule_model import ScheduleSnapshot
from catalog.talk.snapshots import LATEST, released_snapshot
from catalog.talk.widget_json import export_widget_json
from core.errors import NotFoundError
from web.services import Services


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


Render = Callable[[ScheduleSnapshot], bytes]
# file name → (media type, render)
FORMATS: dict[str, tuple[str, Render]] = {
    "schedule.json": ("application/json", lambda s: _json(export_frab_json(s))),
    "schedule.xml": ("application/xml", export_frab_xml),
    "schedule.ics": ("text/calendar", export_ical),
    "widget.json": ("application/json", lambda s: _json(export_widget_json(s))),
}
_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"}


def _endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
    media_type, render = FORMATS[name]

    async def export(request: Request) -> Response:
        services: Services = request.app.state.services
        params = request.path_params
        slug = f"{params['organizer']}/{params['event']}"
        version = params.get("version", LATEST)
        async with services.database.transaction() as session:
            snapshot = await released_snapshot(
                session, slug, version, base_url=str(request.base_url)
            )
        if snapshot is None:
            raise NotFoundError(path=request.url.path, reason="no released schedule")
        body = render(snapshot)
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {**_HEADERS, "ETag": etag}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    return export


_LATEST = "/{organizer}/{event}"
_VERSION = "/{organizer}/{event}/schedule/v/{version}"
routes = [
    Route(f"{_LATEST}/schedule.json", _endpoint("schedule.json"), methods=["GET"]),
    Route(f"{_LATEST}/schedule.xml", _endpoint("schedule.xml"), methods=["GET"]),
    Route(f"{_LATEST}/schedule.ics", _endpoint("schedule.ics"), methods=["GET"]),
    Route(f"{_LATEST}/schedule/widget.json", _endpoint("widget.json"), methods=["GET"]),
    *(Route(f"{_VERSION}/{name}", _endpoint(name), methods=["GET"]) for name in FORMATS),
]

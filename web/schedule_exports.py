"""The public schedule exports of released versions: frab/c3voc ``schedule.json``, frab
``schedule.xml``, iCal and the widget JSON, for the latest release and for each named one.
Open to any origin (CORS ``*``), cached by ETag; the work-in-progress schedule never appears.

Each request resolves which released schedule it asks for (one query), so a new release shows on
``latest`` at once; the rendered bytes are kept per node for ``EXPORT_TTL_S`` seconds by schedule,
format and base URL, since talk titles and speaker names may change after a release."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from catalog.talk.frab_json import export_frab_json
from catalog.talk.frab_xml import export_frab_xml
from catalog.talk.ical import export_ical
from catalog.talk.schedule_model import ScheduleSnapshot
from catalog.talk.snapshots import LATEST, released_snapshot, released_version
from catalog.talk.widget_json import export_widget_json
from core.errors import NotFoundError
from web.render_cache import RenderCache, Rendered
from web.services import Services

# How stale a served export may be: content edited after a release shows within this time.
EXPORT_TTL_S = 5.0
# Rendered exports one node keeps (four formats of the versions polled now, per base URL); a
# large conference's export is a few hundred KiB, so this bounds the memory to some tens of MiB.
EXPORT_CACHE_ENTRIES = 64
_CACHE_STATE = "schedule_export_cache"


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


class _GoneError(Exception):
    """The resolved release could not be read any more."""


def use_export_cache(app: Starlette, cache: RenderCache | None) -> None:
    """Serve ``app``'s exports through ``cache``; None renders every request (a baseline)."""
    setattr(app.state, _CACHE_STATE, cache)


def export_cache(app: Starlette) -> RenderCache | None:
    """The cache ``app``'s exports go through: made on first use unless one was set."""
    try:
        cache: RenderCache | None = getattr(app.state, _CACHE_STATE)
    except AttributeError:
        cache = RenderCache(ttl_s=EXPORT_TTL_S, max_entries=EXPORT_CACHE_ENTRIES)
        use_export_cache(app, cache)
    return cache


def _endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
    media_type, render = FORMATS[name]

    async def export(request: Request) -> Response:
        services: Services = request.app.state.services
        params = request.path_params
        slug = f"{params['organizer']}/{params['event']}"
        base_url = str(request.base_url)
        # One read on a bare connection: no session and no commit, the cost of a cached answer.
        async with services.database.engine.connect() as connection:
            found = await released_version(connection, slug, params.get("version", LATEST))
        if found is None:
            raise NotFoundError(path=request.url.path, reason="no released schedule")

        async def render_bytes() -> bytes:
            async with services.database.transaction() as session:
                snapshot = await released_snapshot(session, slug, found.version, base_url=base_url)
            if snapshot is None:
                raise _GoneError  # the event went away since it was resolved
            return render(snapshot)

        cache = export_cache(request.app)
        try:
            if cache is None:
                rendered = Rendered.of(await render_bytes())
            else:
                rendered = await cache.get((found.schedule_id, name, base_url), render_bytes)
        except _GoneError:  # raised once, for every request sharing the render
            raise NotFoundError(path=request.url.path, reason="no released schedule") from None
        headers = {**_HEADERS, "ETag": rendered.etag}
        if rendered.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(rendered.body, media_type=media_type, headers=headers)

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

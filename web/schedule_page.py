"""The public schedule page ``/<organizer>/<event>/schedule/`` (and ``.../schedule/v/<version>/``):
a released snapshot as one accessible table per day, the running talks marked "now", links to
the live rooms and to the exports. Server-rendered, no JavaScript; never shows the WIP schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from catalog.talk.schedule_model import (
    Break,
    ScheduleSnapshot,
    Talk,
    day_bounds,
    schedule_day,
    schedule_days,
)
from catalog.talk.snapshots import LATEST, released_snapshot
from catalog.talk.tables import talk_events, talk_rooms
from web.services import Services
from web.templating import page_environment

EXPORTS = ("schedule.json", "schedule.xml", "schedule.ics")
_HEADERS = {"Cache-Control": "public, max-age=60", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One talk or break in one cell of the grid."""

    start: datetime
    end: datetime
    title: str
    is_break: bool
    running: bool
    speakers: tuple[str, ...] = ()
    track: str = ""


@dataclass(slots=True)
class Row:
    """The entries that start at one moment, by room id; ``now`` marks the "now" line."""

    start: datetime
    cells: dict[str, list[Entry]] = field(default_factory=dict)
    now: bool = False


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    rows: tuple[Row, ...]
    today: bool


def build_days(snapshot: ScheduleSnapshot, now: datetime) -> list[Day]:
    """The grid of every schedule day; today's grid gets a "now" row at the current time."""
    conference = snapshot.conference
    today = schedule_day(conference, now)
    entries = [_talk_entry(snapshot, talk, now) for talk in snapshot.talks]
    entries += [_break_entry(item, now) for item in snapshot.breaks]
    days = []
    for day in schedule_days(snapshot):
        start, end = day_bounds(conference, day)
        rows: dict[datetime, Row] = {}
        for room, entry in sorted(entries, key=lambda pair: pair[1].start):
            if start <= entry.start < end:
                row = rows.setdefault(entry.start, Row(entry.start))
                row.cells.setdefault(room, []).append(entry)
        ordered = sorted(rows.values(), key=lambda row: row.start)
        if day == today and start <= now < end:
            later = [i for i, row in enumerate(ordered) if row.start > now]
            ordered.insert(later[0] if later else len(ordered), Row(now, now=True))
        days.append(Day(day, tuple(ordered), today=day == today))
    return days


def _talk_entry(snapshot: ScheduleSnapshot, talk: Talk, now: datetime) -> tuple[str, Entry]:
    people = snapshot.speaker_by_code()
    track = snapshot.track_by_id().get(talk.track or "")
    return talk.room, Entry(
        start=talk.start,
        end=talk.end,
        title=talk.title,
        is_break=False,
        running=talk.start <= now < talk.end,
        speakers=tuple(people[code].name for code in talk.speakers),
        track=track.name if track else "",
    )


def _break_entry(item: Break, now: datetime) -> tuple[str, Entry]:
    running = item.start <= now < item.end
    return item.room, Entry(item.start, item.end, item.title, is_break=True, running=running)


async def live_rooms(session: AsyncSession, event_slug: str) -> set[str]:
    """The ids of the event's talk rooms that map to a live room."""
    rows = await session.execute(
        select(talk_rooms.c.id)
        .join(talk_events, talk_events.c.id == talk_rooms.c.event_id)
        .where(talk_events.c.slug == event_slug, talk_rooms.c.live_room_id.is_not(None))
    )
    return set(rows.scalars())


@cache
def environment() -> Environment:
    return page_environment({"hm": clock_time, "day_label": day_label})


def clock_time(moment: datetime, tz: tzinfo) -> str:
    """``09:30``: the moment's local time in the conference timezone."""
    return moment.astimezone(tz).strftime("%H:%M")


def day_label(day: date) -> str:
    """``Monday, 1 June 2026``."""
    return f"{day:%A}, {day.day} {day:%B %Y}"


def render(template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    html = environment().get_template(f"schedule/{template}").render(**context)
    return HTMLResponse(html, status_code=status_code, headers=_HEADERS)


async def schedule_page(request: Request) -> Response:
    services: Services = request.app.state.services
    params = request.path_params
    slug = f"{params['organizer']}/{params['event']}"
    version = params.get("version", LATEST)
    async with services.database.transaction() as session:
        snapshot = await released_snapshot(session, slug, version)
        live = await live_rooms(session, slug) if snapshot is not None else set()
    if snapshot is None:
        return render("missing.html", {"slug": slug, "version": version}, status_code=404)
    base = f"/{slug}/schedule" + ("" if version == LATEST else f"/v/{quote(version, safe='')}")
    exports = {
        name: f"/{slug}/{name}" if version == LATEST else f"{base}/{name}" for name in EXPORTS
    }
    now = services.clock.now()
    context = {
        "snapshot": snapshot,
        "conference": snapshot.conference,
        "tz": snapshot.conference.tz,
        "days": build_days(snapshot, now),
        "now": now,
        "live": live,
        "join_url": "/join#" + urlencode({"event": slug}, safe="/"),
        "exports": exports,
        "named": version != LATEST,
    }
    return render("page.html", context)


_PAGE = "/{organizer}/{event}/schedule"
routes: list[BaseRoute] = [
    Route(f"{_PAGE}/", schedule_page, methods=["GET"]),
    Route(f"{_PAGE}/v/{{version}}/", schedule_page, methods=["GET"]),
]

"""The public schedule page: a grid per day with rooms, talks, speakers, tracks and breaks, the
running talk marked "now", links to live rooms and exports, escaped text, 404 before a release."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from catalog.talk.schedule_model import Conference, schedule_day
from catalog.talk.schedules import add_break, release, schedule_talk
from catalog.talk.submissions import SubmissionState
from catalog.talk.tables import talk_rooms, talk_speakers, talk_submissions
from core.clock import ScaledClock, utc_now
from core.database import Database
from tests.catalog.talk.talk_rows import (
    event_slug,
    make_event,
    make_room,
    make_speaker,
    make_submission,
    make_track,
    make_type,
)
from tests.web.test_app import embedded_settings, running_client
from web.app import create_app
from web.schedule_page import day_label

HOSTILE = '<script>alert("x")</script> & Co'
TIMEZONE = "Europe/Berlin"


@dataclass(frozen=True)
class TalkEvent:
    slug: str
    event_id: str
    main_hall: str
    workshop: str


async def talk_event(database: Database, now: datetime) -> TalkEvent:
    """A talk event (WIP only): a two-hour talk running since an hour ago in the live-mapped
    main hall, a hostile talk with a track and a break tomorrow in the workshop room."""
    async with database.transaction() as session:
        event_id = await make_event(session, TIMEZONE)
        main_hall = await make_room(session, event_id, "Main hall", sort_key=0)
        workshop = await make_room(session, event_id, "Workshop <B>", sort_key=1)
        await session.execute(
            update(talk_rooms).where(talk_rooms.c.id == main_hall).values(live_room_id="stage")
        )
        long_type = await make_type(session, event_id, minutes=120)
        running = await make_submission(
            session, event_id, SubmissionState.CONFIRMED, type_id=long_type, title="Opening"
        )
        await schedule_talk(
            session, running.id, room_id=main_hall, starts_at=now - timedelta(hours=1), now=now
        )
        speaker = await make_speaker(session, event_id)
        await session.execute(
            update(talk_speakers).where(talk_speakers.c.id == speaker).values(name="Ada <i>L</i>")
        )
        hostile = await make_submission(
            session, event_id, SubmissionState.CONFIRMED, speaker_id=speaker, title=HOSTILE
        )
        track = await make_track(session, event_id)
        await session.execute(
            update(talk_submissions)
            .where(talk_submissions.c.id == hostile.id)
            .values(track_id=track)
        )
        tomorrow = now + timedelta(days=1)
        await schedule_talk(session, hostile.id, room_id=workshop, starts_at=tomorrow, now=now)
        await add_break(
            session,
            event_id,
            room_id=workshop,
            starts_at=tomorrow + timedelta(hours=1),
            ends_at=tomorrow + timedelta(hours=2),
            description="Lunch",
            now=now,
        )
    return TalkEvent(event_slug(event_id), event_id, main_hall, workshop)


async def released(database: Database, event: TalkEvent, version: str) -> None:
    async with database.transaction() as session:
        await release(session, event.event_id, version, comment="", now=utc_now())


def articles(html: str) -> dict[str, str]:
    """Each talk or break on the page: its title (as in the HTML) → its class attribute."""
    found = re.findall(
        r'<article class="([^"]*)"[^>]*>.*?<h3 class="title">(.*?)</h3>', html, re.DOTALL
    )
    return {title: classes for classes, title in found}


def day_of(moment: datetime) -> str:
    conference = Conference("s", "t", TIMEZONE, "v", moment.date(), moment.date())
    return day_label(schedule_day(conference, moment))


async def test_released_schedule_shows_days_rooms_talks_and_breaks(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    now = utc_now()
    async with running_client(app) as client:
        database = app.state.services.database
        event = await talk_event(database, now)
        await released(database, event, "v1")
        page = await client.get(f"/{event.slug}/schedule/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert day_of(now) in html
    assert day_of(now + timedelta(days=1)) in html
    assert '<th scope="col" class="room">' in html
    assert "Main hall" in html
    assert "Workshop &lt;B&gt;" in html
    assert articles(html) == {
        "Opening": "talk running",
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co": "talk",
        "Lunch": "break",
    }
    assert '<p class="speakers">Jane Doe</p>' in html
    assert '<p class="speakers">Ada &lt;i&gt;L&lt;/i&gt;</p>' in html
    assert '<p class="track">Track: Core</p>' in html
    assert "<script>" not in html
    assert "Current version: v1" in html


async def test_the_running_talk_and_the_current_time_are_marked_now(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    now = utc_now()
    async with running_client(app) as client:
        database = app.state.services.database
        event = await talk_event(database, now)
        await released(database, event, "v1")
        html = (await client.get(f"/{event.slug}/schedule/")).text

    assert html.count('<tr class="now-line" id="now">') == 1
    assert html.count('aria-current="time"') == 1
    assert re.search(
        r'<article class="talk running" aria-current="time">.*?'
        r'<strong class="now-badge">now</strong>.*?<h3 class="title">Opening</h3>',
        html,
        re.DOTALL,
    )


async def test_now_follows_the_injected_clock(tmp_path: Path) -> None:
    """A node started on a clock a day and an hour ahead marks tomorrow's lunch as running,
    not today's opening talk."""
    now = utc_now()
    ahead = ScaledClock(now + timedelta(days=1, hours=1, minutes=30), factor=1.0)
    app = create_app(embedded_settings(tmp_path), clock=ahead)
    async with running_client(app) as client:
        database = app.state.services.database
        event = await talk_event(database, now)
        await released(database, event, "v1")
        html = (await client.get(f"/{event.slug}/schedule/")).text

    assert articles(html) == {
        "Opening": "talk",
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co": "talk",
        "Lunch": "break running",
    }
    assert html.count('<tr class="now-line" id="now">') == 1


async def test_live_rooms_and_exports_are_linked(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        database = app.state.services.database
        event = await talk_event(database, utc_now())
        await released(database, event, "v1")
        html = (await client.get(f"/{event.slug}/schedule/")).text

    live = re.findall(r'<a class="live" href="([^"]*)">Watch live', html)
    # Only the main hall maps to a live room: one link in each day's header row.
    assert live == [f"/join#event={event.slug}"] * html.count("<table")
    for name in ("schedule.json", "schedule.xml", "schedule.ics"):
        assert f'href="/{event.slug}/{name}"' in html


async def test_a_named_version_shows_that_release(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    now = utc_now()
    async with running_client(app) as client:
        database = app.state.services.database
        event = await talk_event(database, now)
        await released(database, event, "v1")
        async with database.transaction() as session:
            late = await make_submission(
                session, event.event_id, SubmissionState.CONFIRMED, title="Late addition"
            )
            await schedule_talk(
                session,
                late.id,
                room_id=event.main_hall,
                starts_at=now + timedelta(hours=3),
                now=now,
            )
        await released(database, event, "v2")
        first = await client.get(f"/{event.slug}/schedule/v/v1/")
        latest = await client.get(f"/{event.slug}/schedule/")
        unknown = await client.get(f"/{event.slug}/schedule/v/v9/")

    assert first.status_code == latest.status_code == 200
    assert "Late addition" not in articles(first.text)
    assert "Late addition" in articles(latest.text)
    assert "Version v1" in first.text
    assert f'href="/{event.slug}/schedule/v/v1/schedule.json"' in first.text
    assert unknown.status_code == 404
    assert "no schedule version “v9”" in unknown.text


async def test_no_schedule_page_before_a_release(tmp_path: Path) -> None:
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app) as client:
        event = await talk_event(app.state.services.database, utc_now())
        before = await client.get(f"/{event.slug}/schedule/")
        nowhere = await client.get("/nobody/nothing/schedule/")

    assert before.status_code == nowhere.status_code == 404
    assert before.headers["content-type"].startswith("text/html")
    assert "no schedule released yet" in before.text
    assert "Opening" not in before.text  # the WIP schedule is never public
    assert "no schedule released yet" in nowhere.text

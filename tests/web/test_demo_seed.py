"""The demo event's catalog side: a released schedule with a talk running now that the live
stage follows, an open call for papers, a shop, and an organizer login; seeded once."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.talk.tables import talk_cfps, talk_events, talk_submissions
from catalog.tickets import check_login
from core.clock import ScaledClock
from live import DEMO_SLUG, EventService, TimelineActor
from tests.web.test_app import embedded_settings, running_client
from web.app import create_app
from web.demo_seed import ORGANIZER_EMAIL

NOW = datetime(2026, 12, 5, 10, 40, tzinfo=UTC)


async def test_the_demo_has_a_running_schedule_in_its_live_rooms(tmp_path: Path) -> None:
    clock = ScaledClock(NOW, 1.0)
    app = create_app(embedded_settings(tmp_path, live={"seed_demo": True}), clock=clock)
    async with running_client(app) as client:
        services = app.state.services
        page = await client.get(f"/{DEMO_SLUG}/schedule/")
        shop = await client.get(f"/shop/{DEMO_SLUG}/")
        event = await EventService(services.database).by_slug(DEMO_SLUG)
        stage = next(room.id for room in event.rooms if room.name == "Stage")
        view = await services.actors.ref(TimelineActor, stage).ask(TimelineActor.current)
        async with services.database.transaction() as session:
            cfp_open = await session.scalar(
                select(talk_cfps.c.is_open).join(talk_events).where(talk_events.c.slug == DEMO_SLUG)
            )
            waiting = await session.scalar(
                select(func.count())
                .select_from(talk_submissions)
                .where(talk_submissions.c.state == "submitted")
            )

    assert page.status_code == 200
    assert len(re.findall(r'<article class="talk running"', page.text)) >= 1
    assert shop.status_code == 200
    assert view["now"] is not None
    assert view["now"]["kind"] == "talk"
    assert cfp_open is True
    assert waiting == 3


async def test_the_logged_organizer_login_works_and_a_restart_seeds_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(2):
        app = create_app(embedded_settings(tmp_path, live={"seed_demo": True}))
        async with running_client(app):
            database = app.state.services.database
            async with database.transaction() as session:
                talk_event_count = await session.scalar(
                    select(func.count()).select_from(talk_events)
                )
        assert talk_event_count == 1
    logged = re.findall(rf"log in as {re.escape(ORGANIZER_EMAIL)}, password (\S+)\)", caplog.text)
    assert len(logged) == 1  # announced on the first start only
    app = create_app(embedded_settings(tmp_path))
    async with running_client(app), app.state.services.database.transaction() as session:
        assert await check_login(session, ORGANIZER_EMAIL, logged[0])

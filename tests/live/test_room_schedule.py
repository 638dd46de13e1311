"""Schedule-driven rooms: a simulated event day on a scaled clock. Two clients in a room get
``room.schedule`` at every slot boundary, at the right (virtual) time, and at once when a new
timeline is published mid-talk; ``room.enter`` answers with now/next; the timeline is durable."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from actors import running_actor_system
from core.clock import ScaledClock
from core.database import Database
from core.settings import ActorSettings
from live import ActorDeps, TimelineActor
from live.timeline import Timeline, TimelineSlot
from tests.conftest import make_settings
from tests.live.conftest import FAST_COMMANDS, LiveClient, running_node

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
FACTOR = 1800  # one virtual hour in two real seconds
LATE_S = 180  # a push may arrive this many virtual seconds after its boundary (100 ms real)
GUEST_STREAM = {"hls_url": "https://cdn.example.org/guest.m3u8"}


def at(base: datetime, minutes: float) -> datetime:
    return base + timedelta(minutes=minutes)


def day(base: datetime) -> list[dict[str, Any]]:
    """Talks from ten minutes after ``base`` (the node's start-up takes virtual minutes)."""
    return [
        TimelineSlot("talk-a", at(base, 10), at(base, 25), "Opening").wire(),
        TimelineSlot(
            "talk-b", at(base, 25), at(base, 40), "Actors", speakers=("Ada",), stream=GUEST_STREAM
        ).wire(),
        TimelineSlot("coffee", at(base, 40), at(base, 45), "Coffee", kind="break").wire(),
        TimelineSlot("talk-c", at(base, 45), at(base, 60), "Tickets").wire(),
    ]


def names(view: dict[str, Any]) -> tuple[str | None, str | None]:
    return (
        view["now"] and view["now"]["id"],
        view["next"] and view["next"]["id"],
    )


async def schedule_pushes(
    client: LiveClient, clock: ScaledClock, count: int, streams: list[Any] | None = None
) -> list[Any]:
    """``count`` pushes as (arrival, names); their streams go to ``streams``."""
    received = []
    for _ in range(count):
        view = await client.push("room.schedule", 5.0)
        received.append((clock.now(), names(view)))
        if streams is not None:
            streams.append(view["stream"])
    return received


async def test_two_clients_follow_a_whole_day_and_a_change_mid_talk(tmp_path: Path) -> None:
    clock = ScaledClock(START, FACTOR)
    settings = make_settings(data_dir=tmp_path, live=FAST_COMMANDS)
    async with (
        running_node(settings, clock) as node,
        node.attendee() as one,
        node.attendee() as two,
    ):
        stage = one.room_id("Stage")
        timeline = node.services.actors.ref(TimelineActor, stage)
        await timeline.ask(TimelineActor.publish, [], "empty")  # the demo's schedule goes
        entered = await one.call("room.enter", {"room": stage})
        await two.call("room.enter", {"room": stage})
        own_stream = {"hls_url": ""}  # the demo stage's livestream module
        assert entered["data"]["schedule"] == {
            "room": stage,
            "now": None,
            "next": None,
            "stream": own_stream,
        }

        base = clock.now()

        def minutes(value: float) -> datetime:
            return at(base, value)

        published = await timeline.ask(TimelineActor.publish, day(base), "v1")
        assert names(published) == (None, "talk-a")
        first = await asyncio.gather(*(schedule_pushes(c, clock, 1) for c in (one, two)))
        assert [views[0][1] for views in first] == [(None, "talk-a")] * 2

        # talk-a starts, talk-b starts (on its own stream), the coffee break starts.
        streams: list[list[Any]] = [[], []]
        pushes = await asyncio.gather(
            *(schedule_pushes(c, clock, 3, s) for c, s in zip((one, two), streams, strict=True))
        )
        assert streams == [[own_stream, GUEST_STREAM, own_stream]] * 2
        expected = [
            (minutes(10), ("talk-a", "talk-b")),
            (minutes(25), ("talk-b", "coffee")),
            (minutes(40), ("coffee", "talk-c")),
        ]
        for client_pushes in pushes:
            assert [seen for _, seen in client_pushes] == [seen for _, seen in expected]
            for (arrived, _), (boundary, _) in zip(client_pushes, expected, strict=True):
                assert boundary <= arrived <= boundary + timedelta(seconds=LATE_S)

        # During the break the organizers move talk-c earlier and add a late talk.
        changed = [
            *day(base)[:3],
            TimelineSlot("talk-c", minutes(43), minutes(58), "Tickets").wire(),
        ]
        changed.append(TimelineSlot("talk-d", minutes(58), minutes(70), "Late").wire())
        await timeline.ask(TimelineActor.publish, changed, "v2")
        at_once = await asyncio.gather(*(schedule_pushes(c, clock, 1) for c in (one, two)))
        assert [views[0][1] for views in at_once] == [("coffee", "talk-c")] * 2
        then = await asyncio.gather(*(schedule_pushes(c, clock, 1) for c in (one, two)))
        for views in then:
            arrived, seen = views[0]
            assert seen == ("talk-c", "talk-d")
            assert minutes(43) <= arrived <= minutes(43) + timedelta(seconds=LATE_S)

        late = await one.call("room.enter", {"room": stage})
        assert names(late["data"]["schedule"]) == ("talk-c", "talk-d")
        assert await timeline.ask(TimelineActor.running_session) == "talk-c"


async def test_a_timeline_survives_its_actor(sqlite_database: Database) -> None:
    clock = ScaledClock(START, 1)
    slots = Timeline.from_wire(day(START)).wire()
    room_id = await _room(sqlite_database)
    for attempt in range(2):
        async with running_actor_system(
            ActorSettings(ask_timeout_s=10),
            node_id=f"n{attempt}",
            database=sqlite_database,
            deps=ActorDeps(sqlite_database, clock),
        ) as system:
            system.register(TimelineActor)
            ref = system.ref(TimelineActor, room_id)
            if attempt == 0:
                await ref.ask(TimelineActor.publish, slots, "v1")
            view = await ref.ask(TimelineActor.current)
    assert names(view) == (None, "talk-a")


async def _room(database: Database) -> str:
    from live import EventService
    from live.models import Module

    events = EventService(database)
    event_id = await events.create_event("test/schedule", "Schedule")
    return await events.add_room(event_id, "Stage", [Module(type="chat.native")])

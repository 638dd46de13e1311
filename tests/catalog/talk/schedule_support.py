"""Factories for schedule snapshots and readers for the c3voc test data (copied from the c3voc
schedule validator, ``voc/schedule:validator/json/``, EUPL-1.2)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema

from catalog.talk.schedule_model import (
    Break,
    Conference,
    Link,
    Room,
    ScheduleSnapshot,
    Speaker,
    Talk,
    Track,
    room_guid,
    talk_guid,
)

DATA = Path(__file__).parent / "data"
BERLIN = ZoneInfo("Europe/Berlin")
HOSTILE = "He said \"hi\" & <b>left</b> 'quoted' \\ ; , \n second line: ünïcødé \u2013 会议 🎤 end"


def load_example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def c3voc_validator() -> jsonschema.protocols.Validator:
    """A validator of the draft the schema declares, with format checks (uuid, date-time) on."""
    schema = load_example("c3voc-schema.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Berlin in March 2026 (summer time starts on the 29th at 02:00)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


def small_snapshot(text: str = "") -> ScheduleSnapshot:
    """Two days, two rooms, four talks (one after midnight, one after the DST switch), one break.

    ``text`` is appended to every free-text field, to send hostile strings through the exports.
    Ids equal names and every room has a guid, so a frab round trip gives the snapshot back.
    """
    slug = "democon"
    room_a, room_b = f"Room A{text}", f"Room B{text}"
    track = f"Security{text}"
    conference = Conference(
        slug=slug,
        title=f"DemoCon{text}",
        timezone="Europe/Berlin",
        version="0.3",
        start=date(2026, 3, 28),
        end=date(2026, 3, 29),
        base_url="https://talk.example.org/democon/",
    )

    def talk(code: str, number: int, room: str, start: datetime, minutes: int, **kw: Any) -> Talk:
        return Talk(
            code=code,
            id=number,
            guid=talk_guid(slug, code),
            title=f"Talk {code}{text}",
            room=room,
            start=start,
            duration=timedelta(minutes=minutes),
            subtitle=f"sub{text}",
            abstract=f"Abstract{text}",
            description=f"Description{text}",
            language="en",
            url=f"https://talk.example.org/democon/talk/{code}/",
            **kw,
        )

    return ScheduleSnapshot(
        conference=conference,
        rooms=(
            Room(id=room_a, name=room_a, guid=room_guid(slug, "a")),
            Room(id=room_b, name=room_b, guid=room_guid(slug, "b")),
        ),
        tracks=(Track(id=track, name=track, color="#3aa57c"),),
        speakers=(
            Speaker(code="JANE01", name=f"Jane Doe{text}", biography=f"Bio{text}"),
            Speaker(code="ADA002", name="Ada", avatar_url="https://talk.example.org/a.png"),
        ),
        talks=(
            talk("AAA111", 1, room_a, berlin(28, 10), 30, track=track, speakers=("JANE01",)),
            talk("BBB222", 2, room_b, berlin(28, 11), 45, speakers=("JANE01", "ADA002")),
            talk("CCC333", 3, room_a, berlin(29, 1, 30), 60, do_not_record=True),
            talk(
                "DDD444",
                4,
                room_a,
                berlin(29, 10),
                90,
                links=(
                    Link(url="https://example.org/s.pdf", title=f"Slides{text}", kind="slides"),
                ),
            ),
        ),
        breaks=(Break(room=room_a, start=berlin(28, 12), duration=timedelta(hours=1)),),
    )

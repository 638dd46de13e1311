"""``eventyay schedule import``: refuses bad input with a clear message; imports and releases a
frab schedule; the live room of the same name answers with the imported timeline."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.talk.frab_json import export_frab_json
from catalog.talk.schedule_model import Conference, Room, ScheduleSnapshot, Speaker, Talk, talk_guid
from core.database import create_database
from core.migrate import migrate
from core.settings import DatabaseSettings
from live import EventService, own_issuer
from live.models import Module
from live.tokens import issue_token
from tests.conftest import make_settings
from tests.live.conftest import FAST_COMMANDS, LiveNode, running_node
from web.cli import main


def future_schedule(path: Path, start: datetime) -> Path:
    slug = "importcon"
    talks = tuple(
        Talk(
            code=code,
            id=number,
            guid=talk_guid(slug, code),
            title=f"Talk {code}",
            room="Imported Hall",
            start=start + timedelta(hours=number),
            duration=timedelta(minutes=45),
            speakers=("ada",),
        )
        for number, code in enumerate(("ONE", "TWO"), start=1)
    )
    snapshot = ScheduleSnapshot(
        conference=Conference(
            slug=slug,
            title="ImportCon",
            timezone="UTC",
            version="from-frab",
            start=start.date(),
            end=(start + timedelta(days=1)).date(),
        ),
        rooms=(Room("Imported Hall", "Imported Hall"),),
        speakers=(Speaker("ada", "Ada Lovelace"),),
        talks=talks,
    )
    path.write_text(json.dumps(export_frab_json(snapshot)))
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event", "not-a-slug"], "ORG/EVENT"),
        (["--event", "org/event"], "cannot read"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("EVENTYAY_DATA_DIR", str(tmp_path))
    assert main(["schedule", "import", *args, str(tmp_path / "missing.json")]) == 2
    assert message in capsys.readouterr().err


def test_an_invalid_schedule_names_the_faulty_spot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EVENTYAY_DATA_DIR", str(tmp_path))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schedule": {"version": "x", "conference": {"title": 5}}}))
    assert main(["schedule", "import", "--event", "org/event", str(bad)]) == 2
    assert "$.schedule" in capsys.readouterr().err


async def test_an_imported_schedule_reaches_the_live_room_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(data_dir=tmp_path, live=FAST_COMMANDS)
    database = create_database(settings.database_url, DatabaseSettings())
    await migrate(database)
    events = EventService(database)
    event_id = await events.create_event("demo/importcon", "ImportCon")
    room_id = await events.add_room(event_id, "Imported Hall", [Module(type="chat.native")])
    await database.close()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    schedule = future_schedule(tmp_path / "schedule.json", start)

    monkeypatch.setenv("EVENTYAY_DATA_DIR", str(tmp_path))
    status = await _run_main(["schedule", "import", "--event", "demo/importcon", str(schedule)])
    assert status == 0
    assert "released 'from-frab' of demo/importcon: 2 talks" in capsys.readouterr().out

    async with (
        running_node(settings) as node,
        node.client(event="demo/importcon", token=_token(node)) as client,
    ):
        entered = await client.call("room.enter", {"room": room_id})
    upcoming = entered["data"]["schedule"]["next"]
    assert (upcoming["title"], upcoming["speakers"]) == ("Talk ONE", ["Ada Lovelace"])


async def _run_main(argv: list[str]) -> int:
    # The command runs its own event loop.
    return await asyncio.to_thread(main, argv)


def _token(node: LiveNode) -> str:
    return issue_token(
        own_issuer(node.secret_key, "demo/importcon"),
        uid="importer",
        traits=["attendee"],
        valid_for=timedelta(hours=1),
    )

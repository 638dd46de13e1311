"""The ``eventyay schedule import`` command: read a frab ``schedule.json``, import it into an
event and release it; the event's live rooms follow the new schedule (through the running
cluster's actors in cluster mode; in the embedded mode a running node takes the stored
timelines up within a room sweep)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from actors import running_actor_system
from catalog.talk.frab_json_import import ScheduleImportError, import_frab_json
from catalog.talk.schedule_import import import_schedule
from core.clock import utc_now
from core.database import running_database
from core.errors import EventyayError
from core.migrate import prepare_schema
from core.settings import Settings
from live import ActorDeps, TimelineActor
from web.schedule_publishing import map_live_rooms, publish_through_actors, store_room_timelines
from web.token_command import EVENT_SLUG

USAGE_ERROR = 2
MAX_FILE_BYTES = 50 * 1024 * 1024


def add_schedule_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    importing = actions.add_parser("import", help="import and release a frab schedule.json")
    importing.add_argument("--event", required=True, metavar="ORG/EVENT", help="the event")
    importing.add_argument("--version", help="version name (default: the file's)")
    importing.add_argument("file", type=Path, help="the schedule.json to import")


async def schedule_command(settings: Settings, args: argparse.Namespace) -> int:
    """Import ``args.file``; on bad input print why on stderr and return 2."""
    if not EVENT_SLUG.fullmatch(args.event):
        return _error(f"--event {args.event!r} is not of the form ORG/EVENT")
    try:
        if args.file.stat().st_size > MAX_FILE_BYTES:
            return _error(f"{args.file} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        imported = import_frab_json(args.file.read_bytes())
    except OSError as exc:
        return _error(f"cannot read {args.file}: {exc.strerror}")
    except ScheduleImportError as exc:
        return _error(f"{args.file}: {exc.message} ({exc.details.get('path', '$')})")
    for note in imported.tolerated:
        print(f"note: {note}", file=sys.stderr)
    async with running_database(settings.database_url, settings.db) as database:
        await prepare_schema(database, settings.db.auto_migrate)
        try:
            async with database.transaction() as session:
                report = await import_schedule(
                    session, args.event, imported.snapshot, version=args.version, now=utc_now()
                )
        except EventyayError as exc:
            return _error(f"{exc.code}: {exc.message}")
        await map_live_rooms(database, args.event)
        version = report.version
        if settings.cluster_mode:
            async with running_actor_system(
                settings.actors,
                node_id=f"{settings.node_id}-cli",
                redis_url=settings.redis_url,
                redis_settings=settings.redis,
                database=database,
                deps=ActorDeps(database),
            ) as actors:
                actors.register(TimelineActor)
                rooms = await publish_through_actors(database, actors, version.id, version.version)
        else:
            rooms = await store_room_timelines(database, version.id, version.version)
    print(
        f"released {version.version!r} of {args.event}: {report.talks} talks, "
        f"{report.breaks} breaks, {report.speakers} speakers in {report.rooms} rooms; "
        f"{rooms} live rooms follow it"
    )
    return 0


def _error(message: str) -> int:
    print(f"eventyay schedule import: {message}", file=sys.stderr)
    return USAGE_ERROR

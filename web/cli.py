"""The ``eventyay`` command: ``run`` serves one node, ``migrate`` upgrades the database schema,
``token`` prints an access token for an event, ``api-token`` a REST API token of an organizer."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

import uvicorn

from core.database import running_database
from core.errors import SettingsError, UnavailableError
from core.gc_tuning import tune_for_serving
from core.logs import configure_logging
from core.migrate import current_revision, head_revision, migrate
from core.settings import Settings, load_settings
from web.api_token_command import add_api_token_arguments, api_token_command
from web.app import create_app
from web.schedule_command import add_schedule_arguments, schedule_command
from web.token_command import add_token_arguments, token_command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eventyay", description="eventyay-live platform")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve one node (embedded or cluster, by settings)")
    run.add_argument("--host", help="address to bind (default: EVENTYAY_WEB__HOST)")
    run.add_argument("--port", type=int, help="port to bind (default: EVENTYAY_WEB__PORT)")
    commands.add_parser("migrate", help="upgrade the database schema to this version")
    add_token_arguments(commands.add_parser("token", help="print an access token for an event"))
    add_api_token_arguments(
        commands.add_parser("api-token", help="print a new REST API token of an organizer")
    )
    add_schedule_arguments(commands.add_parser("schedule", help="import a talk schedule"))
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    configure_logging(settings.log)
    if args.command == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "token":
        return asyncio.run(token_command(settings, args))
    if args.command == "api-token":
        return asyncio.run(api_token_command(settings, args))
    if args.command == "schedule":
        return asyncio.run(schedule_command(settings, args))
    return _run(settings, args.host, args.port)


def _run(settings: Settings, host: str | None, port: int | None) -> int:
    # Command-line options win over the settings, also for what the app prints (join links).
    web = settings.web.model_copy(
        update={
            "host": host or settings.web.host,
            "port": settings.web.port if port is None else port,
        }
    )
    settings = settings.model_copy(update={"web": web})
    config = uvicorn.Config(
        create_app(settings, tune_gc=True),
        host=web.host,
        port=web.port,
        lifespan="on",
        log_config=None,
        timeout_graceful_shutdown=int(settings.web.graceful_timeout_s),
    )
    tune_for_serving()
    server = uvicorn.Server(config)
    # After a graceful stop uvicorn re-raises the signal that caused it, which would kill the
    # process (exit -15) instead of returning; handing it back to the server makes it a no-op.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, server.handle_exit)
    server.run()
    # A failed lifespan start-up makes uvicorn exit the process itself (status 3); a server that
    # returns without having started (for example, the port was taken) is a failure too.
    return 0 if server.started else 1


async def _migrate(settings: Settings) -> int:
    async with running_database(settings.database_url, settings.db) as database:
        try:
            await database.ping()
        except UnavailableError as exc:
            print(f"eventyay migrate: database unavailable: {exc.__cause__}", file=sys.stderr)
            return 1
        before = await current_revision(database)
        await migrate(database)
        print(f"database at {head_revision()} (was {before or 'empty'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

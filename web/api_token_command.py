"""The ``eventyay api-token`` command: print a new REST API token of an organizer's
"Administrators" team, creating the organizer and the team when missing (the first set-up path).

Prints only the token on stdout, so that scripts can capture it; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import re
import sys

from catalog.tickets.api_tokens import create_api_token
from catalog.tickets.teams import administrators_team, create_organizer, organizer_id_by_slug
from core.database import running_database
from core.errors import UnavailableError
from core.migrate import prepare_schema
from core.settings import Settings

ORGANIZER_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
USAGE_ERROR = 2
FAILURE = 1


def add_api_token_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``eventyay api-token``."""
    parser.add_argument("--organizer", required=True, metavar="ORG", help="the organizer's slug")
    parser.add_argument("--name", default="api", help="a name for the token (default: api)")


async def api_token_command(settings: Settings, args: argparse.Namespace) -> int:
    """Print a new token for ``args.organizer``; 2 on bad input, 1 if the database fails."""
    if not ORGANIZER_SLUG.fullmatch(args.organizer):
        return _fail(
            f"--organizer {args.organizer!r} is not a slug (letters, digits, '.', '_', '-'; "
            "at most 50, starting with a letter or digit)",
            USAGE_ERROR,
        )
    if not 1 <= len(args.name) <= 200:
        return _fail("--name must have 1 to 200 characters", USAGE_ERROR)
    try:
        async with running_database(settings.database_url, settings.db) as database:
            await prepare_schema(database, settings.db.auto_migrate)
            async with database.transaction() as session:
                organizer_id = await organizer_id_by_slug(session, args.organizer)
                if organizer_id is None:
                    organizer_id = await create_organizer(session, args.organizer, args.organizer)
                    print(f"created the organizer {args.organizer}", file=sys.stderr)
                team_id = await administrators_team(session, organizer_id)
                issued = await create_api_token(session, team_id, args.name)
    except UnavailableError as exc:
        return _fail(f"database unavailable: {exc.message}", FAILURE)
    print(issued.token)
    return 0


def _fail(message: str, status: int) -> int:
    print(f"eventyay api-token: {message}", file=sys.stderr)
    return status

"""The ``eventyay token`` command: print an access token the platform signs for one event.

Until events carry their issuers in the database, an event's issuer is derived from the
installation's secret key. Prints only the token on stdout, so that scripts can capture it.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import timedelta
from uuid import uuid4

from core.errors import SettingsError
from core.secrets import load_secret_key
from core.settings import Settings
from live import own_issuer
from live.tokens import TokenIssuer, issue_token, validate_traits

MAX_DAYS = 365
# Two pretix-style slugs of at most 50 characters (the events table holds 101).
EVENT_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}/[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
USAGE_ERROR = 2


async def event_issuer(settings: Settings, event_slug: str) -> TokenIssuer:
    """The issuer the platform signs its own tokens for ``event_slug`` (``ORG/EVENT``) with.

    Raises:
        SettingsError: no secret key is set and none can be read or created in the data dir.
    """
    secret_key = await asyncio.to_thread(load_secret_key, settings)
    return own_issuer(secret_key, event_slug)


def add_token_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``eventyay token``."""
    parser.add_argument("--event", required=True, metavar="ORG/EVENT", help="the event")
    parser.add_argument("--traits", required=True, metavar="T1,T2", help="comma-separated traits")
    parser.add_argument("--uid", help="user id (default: a new random one)")
    parser.add_argument("--name", help="display name (at most 100 characters)")
    parser.add_argument("--days", type=int, default=1, help=f"validity, 1-{MAX_DAYS} (default 1)")


async def token_command(settings: Settings, args: argparse.Namespace) -> int:
    """Print a token for ``args``; on bad input print why on stderr and return 2."""
    if not EVENT_SLUG.fullmatch(args.event):
        return _usage_error(f"--event {args.event!r} is not of the form ORG/EVENT")
    if not 1 <= args.days <= MAX_DAYS:
        return _usage_error(f"--days must be between 1 and {MAX_DAYS}")
    try:
        traits = validate_traits(args.traits.split(","))
    except ValueError as exc:
        return _usage_error(f"--traits: {exc}")
    try:
        issuer = await event_issuer(settings, args.event)
    except SettingsError as exc:
        return _usage_error(exc.message)
    try:
        token = issue_token(
            issuer,
            uid=uuid4().hex if args.uid is None else args.uid,
            traits=traits,
            display_name=args.name,
            valid_for=timedelta(days=args.days),
        )
    except ValueError as exc:  # --uid or --name
        return _usage_error(str(exc))
    print(token)
    return 0


def _usage_error(message: str) -> int:
    print(f"eventyay token: {message}", file=sys.stderr)
    return USAGE_ERROR

"""Random identifiers the tickets catalog hands out: order codes, ticket secrets (what a QR code
carries), customer link secrets and attendees' pseudonymous ids. Pure; no I/O.
"""

from __future__ import annotations

import secrets

# No 0/o, 1/i/l: codes are read aloud, typed from paper and printed in fonts that blur them.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ORDER_CODE_CHARS = 6  # 30^6 ≈ 7.3e8 per event; the inserting batch checks for collisions
TICKET_SECRET_CHARS = 32
LINK_SECRET_CHARS = 24
PSEUDONYM_CHARS = 12


def _random(length: int, alphabet: str = ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def order_code() -> str:
    """A short order code, upper case as printed on orders (``"K3XQ7P"``)."""
    return _random(ORDER_CODE_CHARS).upper()


def ticket_secret() -> str:
    """The secret in a ticket's QR code: unguessable, looked up on check-in."""
    return _random(TICKET_SECRET_CHARS)


def link_secret() -> str:
    """The secret in a customer's order link."""
    return _random(LINK_SECRET_CHARS)


def pseudonym() -> str:
    """An attendee's stable pseudonymous id, the ``uid`` of their live access token."""
    return _random(PSEUDONYM_CHARS)

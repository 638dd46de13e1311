"""Random identifiers the tickets catalog hands out: order codes, ticket secrets (what a QR code
carries), customer link secrets and attendees' pseudonymous ids. Pure; no I/O.
"""

from __future__ import annotations

from core.ids import random_bytes

# No 0/o, 1/i/l: codes are read aloud, typed from paper and printed in fonts that blur them.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ORDER_CODE_CHARS = 6  # 30^6 ≈ 7.3e8 per event; the inserting batch checks for collisions
TICKET_SECRET_CHARS = 32
LINK_SECRET_CHARS = 24
PSEUDONYM_CHARS = 12


# Random bytes map to characters through one table; bytes at or above a multiple of the alphabet's
# size are dropped, so every character is equally likely (no modulo bias).
_KEPT = 256 - 256 % len(ALPHABET)
_TABLE = bytes(ord(ALPHABET[byte % len(ALPHABET)]) for byte in range(256))
_DROPPED = bytes(range(_KEPT, 256))


def _random(length: int) -> str:
    """``length`` characters of ``ALPHABET`` from the OS's CSPRNG, mapped in C (choosing one
    character at a time made code generation the sale's main CPU cost)."""
    found = b""
    while len(found) < length:
        found += random_bytes(length + 8).translate(_TABLE, _DROPPED)
    return found[:length].decode("ascii")


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

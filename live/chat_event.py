"""One chat event as the live core keeps it, its wire form, the mention syntax of bodies and
what counts as a reaction.

Pure data and parsing: no I/O, no knowledge of actors or sockets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

EventType = Literal["message", "member"]

# ``@[<user id>]`` in a text body mentions that user (ids are 32 lowercase hex digits).
MENTION = re.compile(r"@\[([0-9a-f]{32})\]")
# Anti-abuse: only the first distinct mentions of a message count.
MAX_MENTIONS = 50
DELETED: dict[str, Any] = {"type": "deleted"}


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``; naive datetimes (SQLite) are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Parts of an emoji sequence besides its symbols: skin tones, variation selectors, joiners, keycaps.
_EMOJI_PARTS = frozenset({"So", "Sk", "Mn", "Me", "Cf"})
_KEYCAP = "\u20e3"


def is_emoji(text: str) -> bool:
    """Whether ``text`` looks like one emoji (sequence): symbols and their modifiers only."""
    if not 1 <= len(text) <= 16:
        return False
    keycap = text.endswith(_KEYCAP)
    symbols = 0
    for char in text:
        category = unicodedata.category(char)
        if category == "So":
            symbols += 1
        elif category not in _EMOJI_PARTS and not (keycap and char in "0123456789#*"):
            return False
    return symbols > 0 or keycap


def mentions(content: dict[str, Any]) -> list[str]:
    """The distinct user ids a text message mentions, in order of first mention."""
    body = content.get("body")
    if content.get("type") != "text" or not isinstance(body, str):
        return []
    found: dict[str, None] = {}
    for match in MENTION.finditer(body):
        found[match.group(1)] = None
        if len(found) == MAX_MENTIONS:
            break
    return list(found)


@dataclass(slots=True)
class ChatEvent:
    """A chat event. ``content`` is replaced, never changed in place, so wire forms may share it.

    ``replaces`` names the message an edit or deletion applies to; ``edited`` is when the message
    itself last changed (set on the original, not on the replacing event).
    """

    id: int
    channel: str
    sender: str | None
    timestamp: datetime
    type: EventType
    content: dict[str, Any]
    replaces: int | None = None
    edited: datetime | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def deleted(self) -> bool:
        return self.content.get("type") == "deleted"

    @property
    def is_original_message(self) -> bool:
        """A message that was sent as such (not an edit or deletion of another)."""
        return self.type == "message" and self.replaces is None

    def wire(self) -> dict[str, Any]:
        """A fresh JSON-safe dict; later changes of this object do not show through."""
        return {
            "id": self.id,
            "channel": self.channel,
            "sender": self.sender,
            "timestamp": iso(self.timestamp),
            "type": self.type,
            "content": self.content,
            "edited": iso(self.edited) if self.edited is not None else None,
            "replaces": self.replaces,
            "reactions": {emoji: list(users) for emoji, users in self.reactions.items()},
        }

    def row(self) -> dict[str, Any]:
        """The ``chat_events`` row (reactions live in their own table)."""
        return {
            "channel_id": self.channel,
            "event_id": self.id,
            "sender_id": self.sender,
            "timestamp": self.timestamp,
            "type": self.type,
            "content": self.content,
            "replaces": self.replaces,
            "edited": self.edited,
        }

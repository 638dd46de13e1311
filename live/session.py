"""One authenticated socket: who it is, in which event, what it may do, where it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from live.access import Access
from live.models import Event, User
from live.rate_limit import TokenBucket


@dataclass(slots=True)
class Session:
    """State of one socket; only its own gateway task and handlers touch it."""

    sid: str
    event: Event
    user: User
    access: Access
    bucket: TokenBucket
    rooms: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)

    @property
    def socket_ref(self) -> str:
        """The socket's address in actors' bookkeeping: unique across nodes."""
        return self.sid

    def refresh(self, event: Event, user: User | None = None) -> None:
        """Take a newer event (or user) version: permissions are recomputed."""
        self.event = event
        if user is not None:
            self.user = user
        self.access = Access(event, self.user)

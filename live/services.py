"""The services handlers reach through their context, wired once by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from actors import ActorSystem
from core.database import Database
from core.settings import LiveSettings
from live.event_service import EventService
from live.fanout import Fanout
from live.models import Event
from live.tokens import TokenIssuer
from live.user_service import UserService


@dataclass(frozen=True, slots=True)
class LiveServices:
    settings: LiveSettings
    database: Database
    actors: ActorSystem
    events: EventService
    users: UserService
    fanout: Fanout
    issuers: Callable[[Event], Sequence[TokenIssuer]]

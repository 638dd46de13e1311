"""The running services of one node, as the app's lifespan built them."""

from __future__ import annotations

from dataclasses import dataclass

from actors import ActorSystem
from core.database import Database
from core.settings import Settings
from live import LiveServices


@dataclass(frozen=True, slots=True)
class Services:
    """What request handlers may use; stored on ``app.state.services``."""

    settings: Settings
    database: Database
    actors: ActorSystem
    live: LiveServices

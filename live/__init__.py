"""The real-time domain: socket gateway, protocol dispatch, permissions and the room actors.

May import ``core``, ``actors`` and the public APIs of ``catalog`` and ``media``.
"""

from live.channel_actor import ActorDeps, ChannelActor
from live.demo import DEMO_SLUG, demo_tokens, seed_demo
from live.event_service import EventService
from live.fanout import Fanout
from live.gateway import LiveGateway
from live.issuers import event_issuers, own_issuer
from live.room_actor import RoomActor
from live.services import LiveServices
from live.timeline_actor import TimelineActor
from live.user_service import UserService

__all__ = [
    "DEMO_SLUG",
    "ActorDeps",
    "ChannelActor",
    "EventService",
    "Fanout",
    "LiveGateway",
    "LiveServices",
    "RoomActor",
    "TimelineActor",
    "UserService",
    "demo_tokens",
    "event_issuers",
    "own_issuer",
    "seed_demo",
]

"""The virtual-actor runtime: refs, ask/tell, mailboxes, timers, supervision, passivation,
placement with fenced leases, node transport and topics. Knows nothing of the domain.
"""

from actors.actor import Actor, ActorContext
from actors.codec import Codec
from actors.deferred import Deferred
from actors.errors import (
    ActorStoppedError,
    AskTimeoutError,
    FencedOutError,
    NodeUnavailableError,
    ReentrantAskError,
    UnknownActorMethodError,
)
from actors.fencing import Fence, FenceStore, actor_fences
from actors.group_commit import GroupCommit
from actors.ref import ActorRef
from actors.supervision import RestartPolicy
from actors.system import ActorSystem, running_actor_system
from actors.timers import Timers
from actors.topics import Subscription, Topics

__all__ = [
    "Actor",
    "ActorContext",
    "ActorRef",
    "ActorStoppedError",
    "ActorSystem",
    "AskTimeoutError",
    "Codec",
    "Deferred",
    "Fence",
    "FenceStore",
    "FencedOutError",
    "GroupCommit",
    "NodeUnavailableError",
    "ReentrantAskError",
    "RestartPolicy",
    "Subscription",
    "Timers",
    "Topics",
    "UnknownActorMethodError",
    "actor_fences",
    "running_actor_system",
]

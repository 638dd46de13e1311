"""Errors of the actor runtime; all are ``SystemFault``s with stable ``actor.*`` codes."""

from __future__ import annotations

from core.errors import SystemFault


class AskTimeoutError(SystemFault):
    """No reply within the ask's timeout; the message may or may not have been handled."""

    code = "actor.timeout"
    status = 504
    default_message = "The actor did not answer in time"


class ActorStoppedError(SystemFault):
    """The supervisor stopped the actor after repeated failures; it rejects messages for a while."""

    code = "actor.stopped"
    default_message = "The actor is stopped after repeated failures"


class NodeUnavailableError(SystemFault):
    """The message reached no owner of the actor, and no other node took over in time."""

    code = "actor.node_unavailable"
    default_message = "The node owning the actor is unavailable"


class FencedOutError(SystemFault):
    """A durable write carried an older fencing token than the store has: a newer owner exists."""

    code = "actor.fenced_out"
    status = 409
    default_message = "This activation was deposed by a newer owner"


class ReentrantAskError(SystemFault):
    """An actor asked itself and would wait for its own reply forever."""

    code = "actor.reentrant_ask"
    status = 500
    default_message = "An actor cannot ask itself"


class UnknownActorMethodError(SystemFault):
    """The actor kind or method named in a message is not known on the receiving node."""

    code = "actor.unknown_method"
    status = 500
    default_message = "Unknown actor kind or method"

"""Error codes of the ``chat.*`` commands (permission failures use the shared ``auth.denied``)."""

from __future__ import annotations

from core.errors import NotFoundError, ProtocolError


class UnknownChannelError(NotFoundError):
    code = "chat.unknown"
    default_message = "No such chat channel"


class UnknownChatEventError(NotFoundError):
    code = "chat.unknown_event"
    default_message = "No such message in this channel"


class InvalidReactionError(ProtocolError):
    code = "chat.invalid_reaction"
    default_message = "Reactions are single emoji"

"""Error codes of the live protocol beyond the shared ones in ``core.errors``."""

from __future__ import annotations

from core.errors import NotFoundError, ProtocolError, SystemFault


class UnknownEventError(NotFoundError):
    code = "event.not_found"
    default_message = "No such event"


class MissingCredentialsError(ProtocolError):
    code = "auth.missing_credentials"
    status = 401
    default_message = "Send a token, a client id or an invite"


class RevokedError(ProtocolError):
    code = "auth.revoked"
    status = 401
    default_message = "This access was revoked"


class UnsupportedVersionError(ProtocolError):
    code = "protocol.unsupported_version"
    default_message = "This protocol version is not supported"


class UnknownRoomError(NotFoundError):
    code = "room.unknown"
    default_message = "No such room"


class UnknownReactionError(ProtocolError):
    code = "room.unknown_reaction"
    default_message = "This reaction is not offered"


class CommandTimeoutError(SystemFault):
    code = "server.timeout"
    status = 504
    default_message = "The command took too long"


class UnknownAnnouncementError(NotFoundError):
    code = "announcement.not_found"
    default_message = "No such announcement"


class InvalidTransitionError(ProtocolError):
    code = "announcement.invalid_transition"
    status = 409
    default_message = "Announcements go from draft to active to archived only"


class UnknownUserError(NotFoundError):
    code = "user.not_found"
    default_message = "No such user"


class SelfModerationError(ProtocolError):
    code = "user.self_moderation"
    default_message = "Moderators cannot ban, silence or reactivate themselves"


class SelfBlockError(ProtocolError):
    code = "user.self_block"
    default_message = "You cannot block or unblock yourself"


class UnknownInviteError(NotFoundError):
    code = "invite.not_found"
    default_message = "No such invite for this room"

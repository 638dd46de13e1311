"""Errors of the talk domain (submissions, invitations, reviews, schedules) that every caller
(API, pages, live) may meet. Export and import errors live beside their formats."""

from __future__ import annotations

from core.errors import ProtocolError


class UnknownTalkObjectError(ProtocolError):
    """An event, submission, speaker, room, slot, category or schedule version named by the
    request does not exist in this event; ``details.kind`` says which kind."""

    code = "talk.not_found"
    status = 404
    default_message = "No such object in this event"


class InvalidTransitionError(ProtocolError):
    """The submission cannot go from its state to the requested one (``details.from``,
    ``details.to``, ``details.allowed``)."""

    code = "talk.invalid_transition"
    status = 409
    default_message = "The submission cannot change to this state"


class InvalidInvitationError(ProtocolError):
    """The invitation token is unknown or was used already."""

    code = "talk.invalid_invitation"
    status = 404
    default_message = "No open invitation for this token"


class OwnSubmissionError(ProtocolError):
    """A reviewer tried to review a submission they are a speaker of."""

    code = "talk.own_submission"
    status = 403
    default_message = "Reviewers cannot review their own submissions"


class PhaseDeniedError(ProtocolError):
    """The current review phase (``details.phase``, None when no phase is current) does not
    allow this; ``details.permission`` names the missing one."""

    code = "talk.phase_denied"
    status = 403
    default_message = "The current review phase does not allow this"


class InvalidScoreError(ProtocolError):
    """A score is outside its category's range or names an unknown category
    (``details.category_id``, ``details.min``, ``details.max``)."""

    code = "talk.invalid_score"
    status = 422
    default_message = "A score is outside its category's range"


class NotSchedulableError(ProtocolError):
    """Only accepted or confirmed submissions get slots (``details.state``)."""

    code = "talk.not_schedulable"
    status = 409
    default_message = "Only accepted or confirmed submissions can be scheduled"


class InvalidVersionError(ProtocolError):
    """A release needs a version name that is not empty, not reserved (``wip``, ``latest``) and
    not used by an earlier release of the event (``details.reason``: ``empty``, ``reserved``,
    ``taken``)."""

    code = "talk.invalid_version"
    status = 409
    default_message = "This version name cannot be used for a release"


class CfpClosedError(ProtocolError):
    """The call for papers is not open, or its deadline (``details.deadline``) has passed."""

    code = "talk.cfp_closed"
    status = 409
    default_message = "The call for papers is closed"


class TalkObjectInUseError(ProtocolError):
    """A submission type or track that submissions use, or a score category that review scores
    use (or that would no longer hold them), cannot be deleted or changed so: ``details.kind``,
    ``details.id``, ``details.used_by`` (``submissions`` or ``scores``) and ``details.count``."""

    code = "talk.in_use"
    status = 409
    default_message = "The object is in use and cannot be deleted or changed so"

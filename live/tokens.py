"""Access tokens of the live gateway: HS256 JWTs checked against the issuers an event accepts.

Owns the token format and its validation only; it must not look up events, users or secrets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import jwt

from core.clock import utc_now
from core.errors import ProtocolError

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("iss", "aud", "iat", "exp", "uid", "traits")
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key must be at least as long as the hash
MAX_TOKEN_CHARS = 16_384
MAX_UID_CHARS = 200
MAX_TRAIT_CHARS = 200
MAX_DISPLAY_NAME_CHARS = 100
_MAX_TIMESTAMP = 253_402_300_799  # 9999-12-31T23:59:59Z, the last instant datetime can hold
# Even if a short secret slipped through, PyJWT must refuse it rather than warn.
_JWT = jwt.PyJWT(options={"enforce_minimum_key_length": True})


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    """One accepted (issuer, audience, secret) triple; an event may accept several.

    A secret shorter than ``MIN_SECRET_BYTES`` is refused when used, not here, so that one bad
    entry in an event's configuration does not lock out the holders of the other issuers' tokens.
    """

    issuer: str
    audience: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified token says about its holder."""

    uid: str
    traits: frozenset[str]
    display_name: str | None
    profile_fields: Mapping[str, str] = field(hash=False)
    expires_at: datetime
    issuer: str


class InvalidTokenError(ProtocolError):
    """The token cannot be trusted or read; ``details.reason`` says why."""

    code = "auth.invalid_token"
    status = 401
    default_message = "The access token is not valid"


class ExpiredTokenError(ProtocolError):
    """The token was valid but has expired; ``details.expired_at`` says when."""

    code = "auth.expired_token"
    status = 401
    default_message = "The access token has expired"


def validate_traits(traits: Iterable[object]) -> frozenset[str]:
    """The traits as a set, or ValueError naming the first bad one.

    A trait is 1-200 characters without whitespace, commas or ``|``: those separate traits in
    command-line lists and permission rules.
    """
    if isinstance(traits, str | bytes):
        msg = "traits must be a list of strings, not a single string"
        raise ValueError(msg)
    valid: set[str] = set()
    for trait in traits:
        if not isinstance(trait, str):
            msg = f"trait {trait!r} is not a string"
            raise ValueError(msg)
        if not 1 <= len(trait) <= MAX_TRAIT_CHARS:
            msg = f"trait {trait[:40]!r} must be 1-{MAX_TRAIT_CHARS} characters long"
            raise ValueError(msg)
        if any(char.isspace() or char in ",|" for char in trait):
            msg = f"trait {trait[:40]!r} contains whitespace, a comma or '|'"
            raise ValueError(msg)
        valid.add(trait)
    return frozenset(valid)


def verify_token(
    token: str, issuers: Sequence[TokenIssuer], *, leeway_s: float = 30
) -> AccessClaims:
    """The claims of ``token`` if one of ``issuers`` signed it for its audience.

    Raises:
        ExpiredTokenError: the signature and claims are good but ``exp`` passed more than
            ``leeway_s`` ago.
        InvalidTokenError: for every other problem, with ``details.reason``.
    """
    try:
        payload, issuer = _verified_payload(token, issuers, leeway_s)
        claims = _claims(payload, issuer.issuer)
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(reason=str(exc)) from None
    except (ValueError, TypeError, RecursionError) as exc:
        # Malformed input PyJWT does not wrap, e.g. deeply nested JSON or undecodable bytes.
        raise InvalidTokenError(reason=f"malformed token ({type(exc).__name__})") from None
    if claims.expires_at.timestamp() <= utc_now().timestamp() - leeway_s:
        raise ExpiredTokenError(expired_at=claims.expires_at.isoformat())
    return claims


def issue_token(
    issuer: TokenIssuer,
    *,
    uid: str,
    traits: Iterable[str],
    display_name: str | None = None,
    fields: Mapping[str, str] | None = None,
    valid_for: timedelta,
    now: datetime | None = None,
) -> str:
    """A token ``verify_token`` accepts until ``now + valid_for``; ValueError for bad claims."""
    if len(issuer.secret.encode()) < MIN_SECRET_BYTES:
        msg = f"the issuer's secret is shorter than {MIN_SECRET_BYTES} bytes"
        raise ValueError(msg)
    issued_at = utc_now() if now is None else now
    if issued_at.tzinfo is None or valid_for <= timedelta(0):
        msg = "now must be timezone-aware and valid_for positive"
        raise ValueError(msg)
    payload: dict[str, Any] = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "iat": int(issued_at.timestamp()),
        "exp": int((issued_at + valid_for).timestamp()),
        "uid": uid,
        "traits": sorted(validate_traits(traits)),
    }
    profile: dict[str, Any] = {}
    if display_name:
        profile["display_name"] = display_name
    if fields:
        profile["fields"] = dict(fields)
    if profile:
        payload["profile"] = profile
    try:  # never sign what verify_token would refuse
        _claims(payload, issuer.issuer)
    except InvalidTokenError as exc:
        raise ValueError(exc.details["reason"]) from None
    return _JWT.encode(payload, issuer.secret, algorithm=ALGORITHM)


def _verified_payload(
    token: object, issuers: Sequence[TokenIssuer], leeway_s: float
) -> tuple[dict[str, Any], TokenIssuer]:
    """The payload and the issuer whose secret and audience it matches (expiry not checked)."""
    if not isinstance(token, str):
        raise InvalidTokenError(reason="the token is not a string")
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidTokenError(reason=f"the token is longer than {MAX_TOKEN_CHARS} characters")
    algorithm = jwt.get_unverified_header(token).get("alg")
    if algorithm != ALGORITHM:
        raise InvalidTokenError(
            reason=f"algorithm {str(algorithm)[:20]!r} is not accepted; only {ALGORITHM} is"
        )
    # Unverified, only to choose which secrets to try.
    claimed = _JWT.decode(token, options={"verify_signature": False}).get("iss")
    candidates = [each for each in issuers if isinstance(claimed, str) and each.issuer == claimed]
    if not candidates:
        raise InvalidTokenError(reason="the token's issuer is not accepted for this event")
    reasons: list[str] = []
    for candidate in candidates:
        try:
            payload: dict[str, Any] = _JWT.decode(
                token,
                candidate.secret,
                algorithms=[ALGORITHM],
                audience=candidate.audience,
                issuer=candidate.issuer,
                leeway=leeway_s,
                # Expiry is checked last, by the caller, so that a token that is wrong in any
                # other way is reported as invalid rather than expired.
                options={"require": list(REQUIRED_CLAIMS), "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            if str(exc) not in reasons:
                reasons.append(str(exc))
            continue
        return payload, candidate
    raise InvalidTokenError(reason="; ".join(reasons))


def _claims(payload: dict[str, Any], issuer: str) -> AccessClaims:
    uid = payload["uid"]
    if not isinstance(uid, str) or not 1 <= len(uid) <= MAX_UID_CHARS:
        raise InvalidTokenError(reason=f"uid must be a string of 1-{MAX_UID_CHARS} characters")
    if not isinstance(payload["traits"], list):
        raise InvalidTokenError(reason="traits must be a list of strings")
    try:
        traits = validate_traits(payload["traits"])
    except ValueError as exc:
        raise InvalidTokenError(reason=str(exc)) from None
    display_name, profile_fields = _profile(payload.get("profile"))
    return AccessClaims(
        uid=uid,
        traits=traits,
        display_name=display_name,
        profile_fields=profile_fields,
        expires_at=_expiry(payload["exp"]),
        issuer=issuer,
    )


def _profile(profile: object) -> tuple[str | None, Mapping[str, str]]:
    """The display name (an empty one means none) and the profile fields."""
    if profile is None:
        return None, MappingProxyType({})
    if not isinstance(profile, dict):
        raise InvalidTokenError(reason="profile must be an object")
    name = profile.get("display_name")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_DISPLAY_NAME_CHARS):
        raise InvalidTokenError(
            reason=f"profile display_name must be a string of 0-{MAX_DISPLAY_NAME_CHARS} characters"
        )
    fields = profile.get("fields")
    if fields is None:
        fields = {}
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise InvalidTokenError(reason="profile fields must be an object of strings")
    return name or None, MappingProxyType(dict(fields))


def _expiry(exp: object) -> datetime:
    # NaN and infinity fail the range comparison too.
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not 0 < exp <= _MAX_TIMESTAMP:
        raise InvalidTokenError(reason="exp must be a NumericDate")
    return datetime.fromtimestamp(exp, UTC)

"""Access tokens: issuing, verifying against several issuers, refusing every kind of bad token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from core.clock import utc_now
from core.errors import error_codes
from live.tokens import (
    REQUIRED_CLAIMS,
    AccessClaims,
    ExpiredTokenError,
    InvalidTokenError,
    TokenIssuer,
    issue_token,
    verify_token,
)

SIGNING_KEY = "a-test-secret-that-is-32-bytes-or-longer"
OTHER_SIGNING_KEY = "another-test-secret-of-32-bytes-or-more"


def make_issuer(
    issuer: str = "https://tickets.example", audience: str = "org/event", secret: str = SIGNING_KEY
) -> TokenIssuer:
    return TokenIssuer(issuer=issuer, audience=audience, secret=secret)


def make_payload(**overrides: Any) -> dict[str, Any]:
    """A valid payload for ``make_issuer()``; ``None`` as an override removes the claim."""
    now = int(utc_now().timestamp())
    payload: dict[str, Any] = {
        "iss": "https://tickets.example",
        "aud": "org/event",
        "iat": now,
        "exp": now + 3600,
        "uid": "user-1",
        "traits": ["attendee"],
    }
    payload.update(overrides)
    return {name: value for name, value in payload.items() if value is not None}


def sign(payload: dict[str, Any], secret: str = SIGNING_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret, algorithm=algorithm)


def segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(
    header: dict[str, Any], payload: object, signature: bytes | None = None, key: str = SIGNING_KEY
) -> str:
    """A token with any header, HMAC-SHA256-signed with ``key`` unless ``signature`` is given."""
    signing_input = (
        f"{segment(json.dumps(header).encode())}.{segment(json.dumps(payload).encode())}"
    )
    if signature is None:
        signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{segment(signature)}"


def invalid_reason(token: object, issuers: list[TokenIssuer] | None = None) -> str:
    """The reason ``verify_token`` gives for refusing ``token`` as invalid."""
    with pytest.raises(InvalidTokenError) as refused:
        verify_token(token, issuers or [make_issuer()])  # type: ignore[arg-type]
    reason = refused.value.details["reason"]
    assert isinstance(reason, str)
    assert reason
    return reason


def test_an_issued_token_verifies_to_its_claims() -> None:
    now = utc_now().replace(microsecond=0)
    token = issue_token(
        make_issuer(),
        uid="user-1",
        traits=["attendee", "org-event-conf"],
        display_name="Ada Lovelace",
        valid_for=timedelta(hours=2),
        now=now,
    )

    assert verify_token(token, [make_issuer()]) == AccessClaims(
        uid="user-1",
        traits=frozenset({"attendee", "org-event-conf"}),
        display_name="Ada Lovelace",
        profile_fields={},
        expires_at=now + timedelta(hours=2),
        issuer="https://tickets.example",
    )


def test_profile_display_name_and_fields_are_read() -> None:
    profile = {"display_name": "Grace", "fields": {"company": "Navy", "city": "Arlington"}}
    claims = verify_token(sign(make_payload(profile=profile)), [make_issuer()])

    assert claims.display_name == "Grace"
    assert dict(claims.profile_fields) == {"company": "Navy", "city": "Arlington"}


@pytest.mark.parametrize("profile", [None, {}, {"display_name": ""}, {"fields": None}])
def test_a_missing_or_empty_profile_means_no_name_and_no_fields(profile: Any) -> None:
    claims = verify_token(sign(make_payload(profile=profile)), [make_issuer()])

    assert (claims.display_name, dict(claims.profile_fields)) == (None, {})


@pytest.mark.parametrize(
    "profile",
    [
        ["Grace"],
        "Grace",
        {"display_name": "x" * 101},
        {"display_name": 7},
        {"fields": ["company"]},
        {"fields": {"age": 42}},
    ],
)
def test_a_malformed_profile_is_refused(profile: Any) -> None:
    assert "profile" in invalid_reason(sign(make_payload(profile=profile)))


def test_after_key_rotation_tokens_of_the_old_and_the_new_secret_are_accepted() -> None:
    issuers = [make_issuer(secret=SIGNING_KEY), make_issuer(secret=OTHER_SIGNING_KEY)]

    old = verify_token(sign(make_payload(uid="old")), issuers)
    new = verify_token(sign(make_payload(uid="new"), secret=OTHER_SIGNING_KEY), issuers)

    assert (old.uid, new.uid) == ("old", "new")


def test_each_issuer_of_an_event_is_checked_with_its_own_audience_and_secret() -> None:
    issuers = [
        make_issuer(),
        make_issuer(issuer="partner", audience="partner-aud", secret=OTHER_SIGNING_KEY),
    ]
    token = sign(make_payload(iss="partner", aud="partner-aud"), secret=OTHER_SIGNING_KEY)

    assert verify_token(token, issuers).issuer == "partner"
    assert "Signature verification failed" in invalid_reason(
        sign(make_payload(iss="partner", aud="partner-aud")), issuers
    )


def test_a_token_signed_with_another_secret_is_refused() -> None:
    assert invalid_reason(sign(make_payload(), secret=OTHER_SIGNING_KEY)) == (
        "Signature verification failed"
    )


def test_a_token_for_another_audience_is_refused() -> None:
    assert "audience" in invalid_reason(sign(make_payload(aud="org/other-event"))).lower()


@pytest.mark.parametrize("iss", ["https://evil.example", 42, None])
def test_a_token_from_an_unknown_issuer_is_refused(iss: Any) -> None:
    assert "issuer" in invalid_reason(forge({"alg": "HS256"}, make_payload(iss=iss)))


def test_no_issuers_accept_nothing() -> None:
    with pytest.raises(InvalidTokenError):
        verify_token(sign(make_payload()), [])


def test_a_token_expired_beyond_the_leeway_is_refused_as_expired() -> None:
    issued = utc_now() - timedelta(minutes=10)
    token = issue_token(
        make_issuer(), uid="u", traits=[], valid_for=timedelta(minutes=5), now=issued
    )

    with pytest.raises(ExpiredTokenError) as refused:
        verify_token(token, [make_issuer()])

    expired_at = datetime.fromtimestamp(int((issued + timedelta(minutes=5)).timestamp()), UTC)
    assert refused.value.details == {"expired_at": expired_at.isoformat()}


def test_a_token_expired_within_the_leeway_is_accepted() -> None:
    issued = utc_now() - timedelta(seconds=70)
    token = issue_token(
        make_issuer(), uid="u", traits=[], valid_for=timedelta(seconds=60), now=issued
    )

    assert verify_token(token, [make_issuer()]).uid == "u"
    with pytest.raises(ExpiredTokenError):
        verify_token(token, [make_issuer()], leeway_s=0)


def test_a_malformed_token_that_also_expired_is_reported_invalid() -> None:
    expired = int(utc_now().timestamp()) - 3600
    assert "traits" in invalid_reason(sign(make_payload(exp=expired, traits="attendee")))


def test_a_token_issued_in_the_future_is_refused() -> None:
    later = int(utc_now().timestamp()) + 600
    assert "not yet valid" in invalid_reason(sign(make_payload(iat=later, exp=later + 60)))


@pytest.mark.parametrize("exp", ["tomorrow", True, 1e300, [1]])
def test_an_exp_that_is_not_a_date_is_refused(exp: Any) -> None:
    invalid_reason(sign(make_payload(exp=exp)))


@pytest.mark.parametrize("signature", [b"", None], ids=["unsigned", "hmac-signed"])
def test_alg_none_is_refused(signature: bytes | None) -> None:
    token = forge({"alg": "none", "typ": "JWT"}, make_payload(), signature)

    assert "'none' is not accepted" in invalid_reason(token)


@pytest.mark.parametrize("algorithm", ["RS256", "HS512", "hs256", "ES256"])
def test_algorithms_other_than_hs256_are_refused(algorithm: str) -> None:
    # Signed with HMAC-SHA256 and the right secret: only the declared algorithm is wrong.
    assert "not accepted" in invalid_reason(forge({"alg": algorithm}, make_payload()))


def test_a_genuine_hs512_token_is_refused() -> None:
    token = sign(make_payload(), secret="k" * 64, algorithm="HS512")
    assert "'HS512' is not accepted" in invalid_reason(token, [make_issuer(secret="k" * 64)])


def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = sign(make_payload()).split(".")
    tampered = segment(json.dumps(make_payload(traits=["attendee", "admin"])).encode())

    assert invalid_reason(f"{header}.{tampered}.{signature}") == "Signature verification failed"


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_a_token_missing_a_required_claim_is_refused(claim: str) -> None:
    assert claim in invalid_reason(sign(make_payload(**{claim: None})))


@pytest.mark.parametrize(
    "traits",
    [
        ["has space"],
        ["tab\there"],
        ["a,b"],
        ["a|b"],
        ["x" * 201],
        [""],
        [42],
        "attendee",
        {"attendee": True},
    ],
)
def test_bad_traits_are_refused(traits: Any) -> None:
    assert "trait" in invalid_reason(sign(make_payload(traits=traits)))


def test_traits_of_200_characters_and_an_empty_list_are_accepted() -> None:
    assert verify_token(sign(make_payload(traits=["x" * 200])), [make_issuer()]).traits == {
        "x" * 200
    }
    assert verify_token(sign(make_payload(traits=[])), [make_issuer()]).traits == frozenset()


@pytest.mark.parametrize("uid", ["", "u" * 201, 42, ["u"]])
def test_a_bad_uid_is_refused(uid: Any) -> None:
    assert "uid" in invalid_reason(sign(make_payload(uid=uid)))


@pytest.mark.parametrize("token", [None, 42, b"a.b.c", ["a", "b"], {"token": "x"}])
def test_a_token_that_is_not_a_string_is_refused(token: Any) -> None:
    assert invalid_reason(token) == "the token is not a string"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not a jwt",
        "a.b.c",
        "a.b",
        "\ud800.x.y",
        forge({"alg": "HS256"}, [1, 2]),
        segment(b"[" * 5000) + ".e30.sig",
        "x" * 20_000,
    ],
    ids=["empty", "words", "three-parts", "two-parts", "surrogate", "list", "nested", "too-long"],
)
def test_something_that_is_not_a_jwt_is_refused(token: str) -> None:
    invalid_reason(token)


def test_issue_token_refuses_claims_that_verify_token_would_refuse() -> None:
    valid: dict[str, Any] = {"uid": "u", "traits": ["a"], "valid_for": timedelta(hours=1)}
    bad_arguments: list[dict[str, Any]] = [
        {"traits": ["has space"]},
        {"traits": "attendee"},
        {"uid": ""},
        {"uid": "u" * 201},
        {"display_name": "x" * 101},
        {"valid_for": timedelta(0)},
        {"now": datetime(2030, 1, 1)},  # naive
    ]
    for bad in bad_arguments:
        with pytest.raises(ValueError, match=r"."):
            issue_token(make_issuer(), **{**valid, **bad})


def test_a_secret_shorter_than_32_bytes_is_refused_when_used() -> None:
    weak = make_issuer(secret="k" * 31)
    token = forge({"alg": "HS256"}, make_payload(), key="k" * 31)

    assert "HMAC key is 31 bytes" in invalid_reason(token, [weak])
    assert verify_token(sign(make_payload()), [weak, make_issuer()]).uid == "user-1"
    with pytest.raises(ValueError, match="32 bytes"):
        issue_token(weak, uid="u", traits=[], valid_for=timedelta(hours=1))


def test_an_issuer_does_not_show_its_secret() -> None:
    assert SIGNING_KEY not in repr(make_issuer())


def test_token_errors_have_their_own_codes_and_status_401() -> None:
    assert error_codes()["auth.invalid_token"] is InvalidTokenError
    assert error_codes()["auth.expired_token"] is ExpiredTokenError
    assert InvalidTokenError(reason="bad").to_wire() == {
        "code": "auth.invalid_token",
        "message": "The access token is not valid",
        "details": {"reason": "bad"},
    }
    assert (InvalidTokenError.status, ExpiredTokenError.status) == (401, 401)

"""Which token issuers an event accepts: the platform's own, derived from the installation's
secret key, plus any the event lists in its ``jwt_issuers`` config (ticket shops, SSO)."""

from __future__ import annotations

import hashlib
import hmac

from live.models import Event
from live.tokens import TokenIssuer

OWN_ISSUER = "eventyay"
TICKETS_ISSUER = "eventyay-tickets"  # tokens of ticket holders, checked for revocation
_FIELDS = ("issuer", "audience", "secret")


def own_issuer(secret_key: str, event_slug: str) -> TokenIssuer:
    """The issuer the platform signs its own tokens for ``event_slug`` with."""
    secret = hmac.new(secret_key.encode(), event_slug.encode(), hashlib.sha256).hexdigest()
    return TokenIssuer(issuer=OWN_ISSUER, audience=event_slug, secret=secret)


def tickets_issuer(secret_key: str, event_slug: str) -> TokenIssuer:
    """The issuer of ticket holders' tokens for ``event_slug``: its own secret, so that a token
    from the shop is always known as one (and checked against the ticket at every connect)."""
    label = f"tickets:{event_slug}".encode()
    secret = hmac.new(secret_key.encode(), label, hashlib.sha256).hexdigest()
    return TokenIssuer(issuer=TICKETS_ISSUER, audience=event_slug, secret=secret)


def event_issuers(secret_key: str, event: Event) -> list[TokenIssuer]:
    """Every issuer ``event`` accepts; malformed config entries are skipped."""
    issuers = [own_issuer(secret_key, event.slug), tickets_issuer(secret_key, event.slug)]
    for entry in event.config.get("jwt_issuers", []):
        if isinstance(entry, dict) and all(
            isinstance(entry.get(k), str) for k in ("issuer", "audience", "secret")
        ):
            issuers.append(TokenIssuer(entry["issuer"], entry["audience"], entry["secret"]))
    return issuers

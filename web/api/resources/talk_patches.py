"""Reading a talk PATCH body: the fields sent (``exclude_unset``), where null means "clear" only
for the fields that may be cleared, renamed to the catalog's keywords. Registers no endpoints."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel

from core.errors import InvalidPayloadError


def patch_changes(
    body: BaseModel,
    *,
    nullable: Collection[str] = (),
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The sent fields of ``body`` under their ``names`` (default: their own).

    Raises:
        InvalidPayloadError: a field outside ``nullable`` was sent as null (one error each).
    """
    sent = body.model_dump(exclude_unset=True)
    nulled = sorted(key for key, value in sent.items() if value is None and key not in nullable)
    if nulled:
        errors = [{"field": key, "message": "may not be null", "in": "body"} for key in nulled]
        raise InvalidPayloadError(errors=errors)
    renamed = names or {}
    return {renamed.get(key, key): value for key, value in sent.items()}

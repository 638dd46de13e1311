"""Wire types of the REST API: money as strings with two decimals, timestamps with a timezone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    PlainSerializer,
    WithJsonSchema,
)

MONEY_PATTERN = r"^-?\d{1,8}(\.\d{1,2})?$"  # the tables hold Numeric(10, 2)
_MONEY = re.compile(MONEY_PATTERN)
_CENT = Decimal("0.01")


def _parse_money(value: object) -> Decimal:
    if isinstance(value, Decimal):  # read from the database
        return value.quantize(_CENT)
    if not isinstance(value, str) or not _MONEY.fullmatch(value):
        msg = 'money is a string with at most two decimals, such as "25.00"'
        raise ValueError(msg)
    return Decimal(value).quantize(_CENT)


def _format_money(value: Decimal) -> str:
    return f"{value.quantize(_CENT):f}"


Money = Annotated[
    Decimal,
    BeforeValidator(_parse_money),
    PlainSerializer(_format_money, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["25.00"]}),
]


def _assume_utc(value: object) -> object:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _in_utc(value: datetime) -> datetime:
    # SQLite stores the wall time without its offset: every time goes in (and out) as UTC.
    return value.astimezone(UTC)


# Output: always ISO 8601 in UTC. Input: an offset is required (AwareDatetime).
Timestamp = Annotated[AwareDatetime, BeforeValidator(_assume_utc), AfterValidator(_in_utc)]

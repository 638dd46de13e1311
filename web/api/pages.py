"""Page envelopes of list endpoints: ``{count, next, previous, results}`` with absolute links,
``?page=`` (from 1) and ``?page_size=`` (default 50, at most 200)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import URL

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageQuery(BaseModel):
    """The query parameters every list endpoint takes besides its filters."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    page: int = Field(1, ge=1, description="page number, from 1")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="results per page"
    )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True, slots=True)
class Page:
    """What a list handler returns: the total count and the results of the asked page."""

    count: int
    results: Sequence[BaseModel]


def page_body(url: URL, query: PageQuery, page: Page) -> dict[str, Any]:
    """The envelope, linking the neighbouring pages with the request's own URL and filters."""
    has_next = query.offset + len(page.results) < page.count
    return {
        "count": page.count,
        "next": str(url.include_query_params(page=query.page + 1)) if has_next else None,
        "previous": str(url.include_query_params(page=query.page - 1)) if query.page > 1 else None,
        "results": [item.model_dump(mode="json") for item in page.results],
    }


def page_schema(item_ref: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema of a page of ``item_ref`` objects."""
    link = {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "next": link,
            "previous": link,
            "results": {"type": "array", "items": item_ref},
        },
    }

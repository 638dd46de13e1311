"""The reviewer pages: the list of submissions to review and the review form."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []

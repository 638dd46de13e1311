"""The public call for papers: its page and the submission form."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []

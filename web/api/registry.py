"""The declarative registry of REST endpoints: one ``Endpoint`` per method and path, from which
the Starlette routes and the OpenAPI document are both built. Holds no request logic.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from catalog.tickets.permissions import Permission

if TYPE_CHECKING:
    from web.api.call import ApiCall

API_PREFIX = "/api/v1"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PATH_PARAM = re.compile(r"{([a-z_]+)}")

Handler = Callable[["ApiCall"], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation. ``path`` is below ``/api/v1``; ``{organizer}`` and ``{event}`` in it are
    resolved (and access checked) before the handler runs. ``permission`` None on an organizer or
    event path means any team access to it. A ``paginated`` handler returns a ``Page``. A
    ``talk`` endpoint's ``{event}`` is the talk event of that slug, not the ticket event."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    response: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    permission: Permission | None = None
    paginated: bool = False
    status: int = 200
    auth: bool = True
    talk: bool = False

    @property
    def full_path(self) -> str:
        return API_PREFIX + self.path

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__module__.rsplit(".", 1)[-1] + "_" + self.handler.__name__


class ApiRegistry:
    """Endpoints in registration order; (method, path) pairs are unique."""

    def __init__(self) -> None:
        self._endpoints: dict[tuple[str, str], Endpoint] = {}

    @property
    def endpoints(self) -> list[Endpoint]:
        return list(self._endpoints.values())

    def add(self, endpoint: Endpoint) -> None:
        route = (endpoint.method, endpoint.path)
        if route in self._endpoints:
            msg = f"{endpoint.method} {endpoint.path} is registered already"
            raise ValueError(msg)
        self._endpoints[route] = endpoint

    def operation(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        response: type[BaseModel] | None = None,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        permission: Permission | None = None,
        paginated: bool = False,
        status: int = 200,
        auth: bool = True,
        talk: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Decorator form of ``add``."""

        def register(handler: Handler) -> Handler:
            self.add(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=summary,
                    tag=tag,
                    response=response,
                    body=body,
                    query=query,
                    permission=permission,
                    paginated=paginated,
                    status=status,
                    auth=auth,
                    talk=talk,
                )
            )
            return handler

        return register


api = ApiRegistry()

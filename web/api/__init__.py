"""The REST API ``/api/v1`` (pretix conventions): a registry of endpoints, their dispatch with
token auth, pages, idempotency and errors, the OpenAPI document, and the catalog resources.

Another resource is one ``api.operation`` entry plus its handler in ``web/api/resources/``.
"""

from web.api.call import ApiCall
from web.api.errors import (
    ConflictError,
    IdempotencyInProgressError,
    IdempotencyMismatchError,
    UnauthenticatedError,
)
from web.api.fields import Money, Timestamp
from web.api.pages import Page
from web.api.registry import API_PREFIX, ApiRegistry, Endpoint, api
from web.api.routes import api_routes

__all__ = [
    "API_PREFIX",
    "ApiCall",
    "ApiRegistry",
    "ConflictError",
    "Endpoint",
    "IdempotencyInProgressError",
    "IdempotencyMismatchError",
    "Money",
    "Page",
    "Timestamp",
    "UnauthenticatedError",
    "api",
    "api_routes",
]

"""The OpenAPI 3.1 document of ``/api/v1``, generated from the endpoint registry and the
pydantic models it names; served without authentication."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from web.api.idempotency import HEADER
from web.api.pages import PageQuery, page_schema
from web.api.registry import WRITE_METHODS, ApiRegistry, Endpoint

_REF = "#/components/schemas/{model}"
_ERROR_RESPONSES = {
    "401": "missing or unknown API token (`api.unauthenticated`)",
    "403": "the token's team lacks the permission (`auth.denied`)",
    "404": "unknown organizer, event or object",
    "422": "invalid query or body (`protocol.invalid_payload`, field paths in details)",
}
_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ok", "error"],
    "properties": {
        "ok": {"const": False},
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "examples": ["tickets.not_found"]},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        },
    },
}


def openapi_document(registry: ApiRegistry, title: str = "eventyay tickets API") -> dict[str, Any]:
    """The whole document: one path item per registered path, one operation per endpoint."""
    refs, components = _schemas(registry.endpoints)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in registry.endpoints:
        operation = _operation(endpoint, refs)
        paths.setdefault(endpoint.full_path, {})[endpoint.method.lower()] = operation
    schemas = dict(components)
    schemas["Error"] = _ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "1",
            "description": "Organizers, events and their catalog; see docs/api.md.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "TokenAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Token <api token>` (print one with `eventyay api-token`)",
                }
            },
        },
    }


_Key = tuple[type[BaseModel], Literal["validation", "serialization"]]


def _schemas(endpoints: list[Endpoint]) -> tuple[dict[_Key, Any], dict[str, Any]]:
    wanted: dict[_Key, None] = {}
    for endpoint in endpoints:
        if endpoint.body is not None:
            wanted[(endpoint.body, "validation")] = None
        if endpoint.response is not None:
            wanted[(endpoint.response, "serialization")] = None
    keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = list(wanted)
    refs, definitions = models_json_schema(keyed, ref_template=_REF)
    return {key: refs[key] for key in wanted}, definitions.get("$defs", {})


def _operation(endpoint: Endpoint, refs: dict[_Key, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": _parameters(endpoint),
        "responses": _responses(endpoint, refs),
    }
    if endpoint.permission is not None:
        operation["description"] = f"Needs the team permission `{endpoint.permission.value}`."
    if endpoint.auth:
        operation["security"] = [{"TokenAuth": []}]
    else:
        operation["security"] = []
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(endpoint.body, "validation")]}},
        }
    return operation


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in endpoint.path_params
    ]
    for model in (PageQuery if endpoint.paginated else None, endpoint.query):
        if model is not None:
            parameters += _query_parameters(model)
    if endpoint.method in WRITE_METHODS and endpoint.auth:
        parameters.append(
            {
                "name": HEADER,
                "in": "header",
                "required": False,
                "description": "a repeat with the same key and body replays the first answer",
                "schema": {"type": "string", "maxLength": 200},
            }
        )
    return parameters


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, field_schema in schema.get("properties", {}).items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in field_schema.items() if k != "description"},
        }
        if "description" in field_schema:
            parameter["description"] = field_schema["description"]
        parameters.append(parameter)
    return parameters


def _responses(endpoint: Endpoint, refs: dict[_Key, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if endpoint.response is None:
        responses[str(endpoint.status if endpoint.status != 200 else 204)] = {"description": "done"}
    else:
        item = refs[(endpoint.response, "serialization")]
        schema = page_schema(item) if endpoint.paginated else item
        responses[str(endpoint.status)] = {
            "description": endpoint.summary,
            "content": {"application/json": {"schema": schema}},
        }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for status, description in _ERROR_RESPONSES.items():
        if status == "401" and not endpoint.auth:
            continue
        responses[status] = {"description": description, "content": error}
    return responses

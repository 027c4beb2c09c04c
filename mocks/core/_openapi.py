"""The OpenAPI 3.1 document of the admin API, served at ``/__admin/openapi.json``.

Paths come from the admin route table (the engine's routes and the mock's own); the
expectation, matcher, responder and settings schemas are generated from the engine's
pydantic models, and so are the bodies, queries and answers of routes that name a model,
so the document follows the code: a responder kind or an admin route a domain mock adds
appears in it. Matchers and responders holding Python code (`Predicate`,
`CallableResponse`) are left out, since they cannot travel as JSON.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.errors import PydanticInvalidForJsonSchema
from pydantic.json_schema import models_json_schema

from ._admin import AdminRoute, Schema
from ._expectation import ExpectationSpec
from ._matchers import Matcher
from ._responders import Responder
from ._state import MockSettings

_REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _object(properties: dict[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


def _json_ready(models: Iterable[type[BaseModel]]) -> list[type[BaseModel]]:
    """The models that have a JSON Schema (those holding callables have none)."""
    ready = []
    for model in models:
        try:
            model.model_json_schema()
        except PydanticInvalidForJsonSchema:
            continue
        ready.append(model)
    return ready


def _route_models(routes: Iterable[AdminRoute]) -> list[type[BaseModel]]:
    """The pydantic models admin routes name as bodies, queries or answers."""
    found: list[type[BaseModel]] = []
    for route in routes:
        schemas: list[Schema | None] = [route.body, route.response, route.query]
        schemas += [schema for _, _, schema in route.responses]
        found += [s for s in schemas if isinstance(s, type) and issubclass(s, BaseModel)]
    return list(dict.fromkeys(found))


def _model_schemas(routes: Iterable[AdminRoute]) -> dict[str, Any]:
    own = _route_models(routes)
    taken = sorted({m.__name__ for m in own} & {*_plain_schemas(), "Settings", "Expectation"})
    if taken:  # a mock's model would replace one of the engine's schemas
        raise ValueError(f"admin route models reuse engine schema names: {', '.join(taken)}")
    matchers = _json_ready(Matcher.registry.classes())
    responders = _json_ready(Responder.registry.classes())
    settings = MockSettings
    models: list[type[BaseModel]] = [
        ExpectationSpec,
        settings,
        *matchers,
        *responders,
        *own,
    ]
    _, generated = models_json_schema([(m, "validation") for m in models], ref_template=_REF)
    schemas: dict[str, Any] = generated.get("$defs", {})
    # The base classes stand for "any registered kind".
    schemas["Matcher"] = {
        "description": "A matcher: one of the registered kinds, chosen by `kind`.",
        "anyOf": [_ref(m.__name__) for m in matchers],
    }
    schemas["Responder"] = {
        "description": "A response: one of the registered kinds (`kind` defaults to static).",
        "anyOf": [_ref(r.__name__) for r in responders],
    }
    expectation = copy.deepcopy(schemas["ExpectationSpec"])
    expectation["title"] = "Expectation"
    expectation["properties"].update(
        {
            "call_count": {"type": "integer", "readOnly": True},
            "satisfied": {"type": "boolean", "readOnly": True},
            "serializable": {
                "type": "boolean",
                "readOnly": True,
                "description": "false when it holds Python code (set up in-process)",
            },
        }
    )
    schemas["Expectation"] = expectation
    settings_schema = schemas[settings.__name__]
    answered = copy.deepcopy(settings_schema)
    answered["title"] = "Settings"
    answered["properties"]["seed"] = {"type": "integer"}
    schemas["Settings"] = answered
    update = copy.deepcopy(settings_schema)
    update["title"] = "SettingsUpdate"
    update.pop("required", None)
    update["properties"]["seed"] = {"type": "integer", "description": "restart the generator"}
    update["properties"]["latency"] = {
        "anyOf": [update["properties"]["latency"], {"type": "number", "minimum": 0}],
        "description": "a delay object, milliseconds, or null",
    }
    schemas["SettingsUpdate"] = update
    return schemas


def _plain_schemas() -> dict[str, Any]:
    entry = _object(
        {
            "method": {"type": "string"},
            "path": {"type": "string"},
            "query": {"type": "object", "additionalProperties": {"type": "array"}},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "body": {"type": "string"},
            "body_size": {"type": "integer", "description": "the whole body's size"},
            "body_truncated": {"type": "boolean", "description": "kept truncated"},
            "body_sha256": {"type": ["string", "null"], "description": "the whole body's hash"},
            "json": {},
            "arrived_at": {"type": "number"},
            "matched": {"type": ["string", "null"]},
            "route": {"type": ["string", "null"]},
            "status": {"type": ["integer", "null"]},
            "fault": {"type": ["string", "null"]},
            "duration": {"type": ["number", "null"]},
            "violations": {"type": "array", "items": {"type": "string"}},
            "unmatched": {"type": "boolean"},
            "near_miss": {"type": ["string", "null"]},
            "response": {
                "type": ["object", "null"],
                "description": "what the mock answered: status, headers, body (and chunks)",
            },
        },
        ["method", "path"],
    )
    difference = _object(
        {"field": {"type": "string"}, "expected": {"type": "string"}, "actual": {"type": "string"}}
    )
    nearest = _object(
        {
            "nearest": {"type": ["string", "null"]},
            "differences": {"type": "array", "items": difference},
        }
    )
    listing = {"type": "array", "items": _ref("RequestEntry")}
    strings = {"type": "array", "items": {"type": "string"}}
    count = {"type": "integer"}
    return {
        "Error": _object(
            {
                "error": _object(
                    {
                        "status": count,
                        "message": {"type": "string"},
                        "field": {"type": "string"},
                        "details": {"type": "array", "items": {"type": "object"}},
                    },
                    ["status", "message"],
                )
            },
            ["error"],
        ),
        "OpenAPIDocument": _object(
            {"openapi": {"type": "string"}, "paths": {"type": "object"}}, ["openapi", "paths"]
        ),
        "Health": _object(
            {
                "status": {"const": "ok"},
                "mock": {"type": "string"},
                "service": {"type": "string"},
                "url": {"type": "string"},
                "expectations": count,
                "requests": count,
            },
            ["status"],
        ),
        "ExpectationInput": {
            "anyOf": [_ref("Expectation"), {"type": "array", "items": _ref("Expectation")}]
        },
        "ExpectationList": _object(
            {"expectations": {"type": "array", "items": _ref("Expectation")}, "total": count}
        ),
        "ExpectationCreated": {
            "anyOf": [_ref("Expectation"), _ref("ExpectationList")],
        },
        "Deleted": _object({"deleted": count}),
        "RequestEntry": entry,
        "RequestList": _object(
            {
                "requests": listing,
                "total": count,
                "offset": count,
                "limit": count,
                "dropped": count,
            }
        ),
        "UnmatchedList": _object(
            {
                "requests": {
                    "type": "array",
                    "items": {"allOf": [_ref("RequestEntry")], "properties": {"nearest": nearest}},
                },
                "total": count,
            }
        ),
        "Count": _object({"count": count}, ["count"]),
        "Cleared": _object({"cleared": count}),
        "VerifyReport": _object(
            {
                "ok": {"type": "boolean"},
                "unmet": {
                    "type": "array",
                    "items": _object(
                        {"expectation": {"type": "string"}, "expected": count, "actual": count}
                    ),
                },
                "unmatched": strings,
                "violations": strings,
                "order": strings,
                "errors": strings,
                "report": {"type": "string", "description": "the readable report"},
            },
            ["ok"],
        ),
        "ResetResult": _object({"reset": {"type": "boolean"}, "expectations": count}),
        "Scenarios": _object(
            {"scenarios": {"type": "object", "additionalProperties": {"type": "string"}}}
        ),
        "ScenarioStates": {"type": "object", "additionalProperties": {"type": "string"}},
        "ScenarioState": _object({"state": {"type": "string"}}, ["state"]),
    }


_TEMPLATE_NAME = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]+)?\}")


def _schema_ref(schema: Schema) -> dict[str, str]:
    return _ref(schema if isinstance(schema, str) else schema.__name__)


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    properties = model.model_json_schema().get("properties", {})
    parameters = []
    for name, info in model.model_fields.items():
        schema = copy.deepcopy(properties.get(name, {}))
        schema.pop("title", None)
        parameter: dict[str, Any] = {"name": name, "in": "query", "schema": schema}
        if info.description:
            parameter["description"] = info.description
        if info.is_required():
            parameter["required"] = True
        parameters.append(parameter)
    return parameters


def _operation(route: AdminRoute) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "responses": {},
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _TEMPLATE_NAME.findall(route.path)
    ]
    if route.query is not None:
        parameters += _query_parameters(route.query)
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        operation["requestBody"] = {
            "required": not route.body_optional,
            "content": {"application/json": {"schema": _schema_ref(route.body)}},
        }
    rows = [(route.status, route.summary, route.response), *route.responses]
    for status, description, schema in rows:
        response: dict[str, Any] = {"description": description}
        if schema == AdminRoute.NO_CONTENT:
            pass
        elif status == route.status and route.media_type != "application/json":
            response["content"] = {route.media_type: {"schema": {"type": "string"}}}
        elif schema is not None:
            response["content"] = {"application/json": {"schema": _schema_ref(schema)}}
        elif status != 204:
            response["content"] = {"application/json": {"schema": {"type": "object"}}}
        operation["responses"][str(status)] = response
    # Any route may be sent a malformed request (a body where it takes none, say).
    operation["responses"].setdefault(
        "400",
        {
            "description": "Invalid input; `error.field` names the offending field",
            "content": {"application/json": {"schema": _ref("Error")}},
        },
    )
    operation["responses"]["401"] = {
        "description": "An admin token is set and the request did not carry it",
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    return operation


def openapi_document(title: str, server: str, routes: Iterable[AdminRoute]) -> dict[str, Any]:
    """An admin API as an OpenAPI 3.1 document (`title`: the mock's class name)."""
    routes = list(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title} admin API",
            "version": "1",
            "description": (
                "Program the mock over HTTP: expectations (the same model as the Python "
                "API), the request journal, verify, reset, settings and scenarios, and "
                "the mock's own routes under /__admin/<service>/."
            ),
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "schemas": {**_plain_schemas(), **_model_schemas(routes)},
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"adminToken": []}],
    }


__all__ = ["openapi_document"]

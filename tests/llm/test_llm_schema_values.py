"""Deterministic instances of JSON schemas (structured output, tool arguments)."""

from __future__ import annotations

import random
from enum import Enum
from typing import Any, Literal

import pytest
from jsonschema import Draft202012Validator
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, Field

from mocks.llm._schema_values import SchemaValueError, generate_instance


class Color(Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    street: str
    city: str
    zip_code: str = Field(pattern=r"^\d{5}(-\d{4})?$")


class Person(BaseModel):
    name: str
    age: int = Field(ge=0, le=130)
    height_m: float = Field(gt=0.5, lt=2.5)
    email: str | None
    favorite: Color
    kind: Literal["employee", "contractor"]
    tags: list[str]
    addresses: list[Address]


class Tree(BaseModel):
    label: str
    children: list[Tree]


SCHEMAS: dict[str, dict[str, Any]] = {
    "strict pydantic model": to_strict_json_schema(Person),
    "recursive pydantic model": to_strict_json_schema(Tree),
    "weather tool": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location", "unit"],
        "additionalProperties": False,
    },
    "formats": {
        "type": "object",
        "properties": {
            key: {"type": "string", "format": key}
            for key in ("date-time", "date", "time", "email", "uri", "uuid", "ipv4", "ipv6")
        },
        "required": ["date-time", "uuid"],
    },
    "numbers": {
        "type": "object",
        "properties": {
            "even": {"type": "integer", "multipleOf": 2, "minimum": 3, "maximum": 9},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "price": {"type": "number", "multipleOf": 0.25, "minimum": 1},
            "negative": {"type": "integer", "maximum": -5},
        },
        "required": ["even", "ratio", "price", "negative"],
    },
    "strings": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2,4}$"},
            "choice": {"type": "string", "pattern": "^(yes|no|maybe)$"},
            "long": {"type": "string", "minLength": 30},
            "short": {"type": "string", "maxLength": 2},
            "const": {"const": "fixed"},
        },
        "required": ["code", "choice", "long", "short", "const"],
    },
    "arrays": {
        "type": "object",
        "properties": {
            "pair": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer"}],
                "items": False,
            },
            "many": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0, "maximum": 3},
                "minItems": 3,
                "uniqueItems": True,
            },
            "few": {"type": "array", "items": {"type": "boolean"}, "maxItems": 1},
        },
        "required": ["pair", "many", "few"],
    },
    "combinators": {
        "$defs": {
            "point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
        },
        "type": "object",
        "properties": {
            "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "maybe": {"anyOf": [{"$ref": "#/$defs/point"}, {"type": "null"}]},
            "both": {
                "allOf": [
                    {"$ref": "#/$defs/point"},
                    {"properties": {"y": {"type": "number"}}, "required": ["y"]},
                ]
            },
            "multi": {"type": ["null", "integer"]},
        },
        "required": ["either", "maybe", "both", "multi"],
    },
    "open object": {"type": "object", "minProperties": 2},
}


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_instances_validate_against_their_schema(name: str) -> None:
    schema = SCHEMAS[name]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for seed in range(25):
        instance = generate_instance(schema, random.Random(seed), words=["Paris", "rain"])
        errors = [e.message for e in validator.iter_errors(instance)]
        assert errors == [], (seed, instance)


def test_same_generator_state_gives_the_same_instance() -> None:
    schema = SCHEMAS["strict pydantic model"]
    first = generate_instance(schema, random.Random(5))
    assert generate_instance(schema, random.Random(5)) == first
    assert Person.model_validate(first).name


def test_free_strings_prefer_the_given_words() -> None:
    instance = generate_instance(SCHEMAS["weather tool"], random.Random(0), words=["Paris"])
    assert instance["location"] == "Paris"


def test_unsatisfiable_schemas_are_refused() -> None:
    with pytest.raises(SchemaValueError):
        generate_instance(False, random.Random(0))
    with pytest.raises(SchemaValueError):
        generate_instance({"type": "integer", "minimum": 5, "maximum": 1}, random.Random(0))
    with pytest.raises(SchemaValueError):
        generate_instance({"$ref": "#/$defs/missing"}, random.Random(0))
    cycle = {
        "$defs": {
            "a": {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "required": ["a"]}
        },
        "$ref": "#/$defs/a",
    }
    with pytest.raises(SchemaValueError):
        generate_instance(cycle, random.Random(0))

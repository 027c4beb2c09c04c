"""Contract violations worded as the Graph API words them: code 100, naming the parameter.

The contracts in ``contracts/whatsapp/`` are the one description of a valid request;
this module only turns the first way a body breaks one into the error WhatsApp answers,
with the parameter in the Graph API's notation (``text['body']``,
``interactive['action']['buttons'][0]['reply']['title']``).

>>> graph_param(["interactive", "action", "buttons", 0, "reply", "title"])
"interactive['action']['buttons'][0]['reply']['title']"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from jsonschema.exceptions import ValidationError, best_match

from ._errors import GraphError, invalid_parameter


class SchemaValidator(Protocol):
    """What this module needs of a compiled validator (``Contracts.validator(name)``)."""

    def iter_errors(self, instance: Any) -> Any:
        """Every way `instance` breaks the schema."""


def graph_param(path: Sequence[str | int]) -> str:
    """A parameter path in the Graph API's notation: the top key, then ``['key']``/``[i]``."""
    if not path:
        return "body"
    head, *rest = path
    text = str(head)
    for part in rest:
        text += f"[{part}]" if isinstance(part, int) else f"['{part}']"
    return text


def first_violation(validator: SchemaValidator, document: Any) -> GraphError | None:
    """The code-100 error for the most relevant way `document` breaks the schema, or None."""
    error = best_match(validator.iter_errors(document))
    return None if error is None else violation_error(error)


def violation_error(error: ValidationError) -> GraphError:
    """The code-100 error naming the parameter a schema error is about."""
    path = list(error.absolute_path)
    kind = error.validator
    value: Any = error.validator_value
    instance: Any = error.instance
    if kind == "required":
        missing = [name for name in value if name not in instance]
        param = graph_param([*path, missing[0] if missing else "?"])
        return invalid_parameter(param, f"The parameter {param} is required.")
    if kind in ("anyOf", "oneOf") and _alternatives(value):
        return _alternative_error(path, _alternatives(value), instance)
    param = graph_param(path)
    return invalid_parameter(param, _sentence(str(kind), param, value, instance))


def _alternatives(branches: Any) -> list[str]:
    """The field names of an ``anyOf``/``oneOf`` made only of ``required`` branches."""
    names: list[str] = []
    for branch in branches if isinstance(branches, list) else []:
        if not isinstance(branch, dict) or set(branch) != {"required"}:
            return []
        names.extend(branch["required"])
    return names


def _alternative_error(path: list[str | int], names: list[str], instance: Any) -> GraphError:
    present = [name for name in names if isinstance(instance, dict) and name in instance]
    params = [graph_param([*path, name]) for name in names]
    if len(present) > 1:
        param = graph_param(path)
        return invalid_parameter(param, f"Param {param} must have only one of {', '.join(params)}.")
    return invalid_parameter(params[0], f"The parameter {' or '.join(params)} is required.")


def _sentence(kind: str, param: str, value: Any, instance: Any) -> str:
    if kind == "type":
        if param == "body":
            return "The request body must be a JSON object."
        wanted = " or ".join(value) if isinstance(value, list) else str(value)
        return f"Param {param} must be a {wanted}."
    if kind == "maxLength":
        return f"Param {param} must be at most {value} characters long."
    if kind == "minLength":
        return f"Param {param} must be at least {value} characters long."
    if kind == "maxItems":
        return f"Param {param} must have at most {value} items."
    if kind == "minItems":
        return f"Param {param} must have at least {value} items."
    if kind in ("enum", "const"):
        options = value if isinstance(value, list) else [value]
        shown = ", ".join(str(option) for option in options)
        return f'Param {param} must be one of {{{shown}}} - got "{instance}".'
    if kind == "pattern":
        return f"Param {param} is not in the expected format."
    return f"Param {param} is invalid."

"""Checks of Gemini requests that fail the way the API fails.

The API parses a body as a protobuf message: a field it does not have is refused
(``Invalid JSON payload received. Unknown name "foo": Cannot find field.``), a value
of the wrong type too, and a missing or out-of-range value is a 400
``INVALID_ARGUMENT`` whose ``BadRequest`` detail names the field in snake_case
(``generation_config.temperature``). Either spelling of a field name is accepted. The
model (from the path) is checked after the shape, 404 ``NOT_FOUND`` naming the
method; the context window last.

>>> try:
...     validate_generate_request({"contents": []}, "gemini-2.5-flash")
... except GeminiError as err:
...     print(err.code, err.details[0]["fieldViolations"][0]["field"])
400 contents
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from ._gemini import field, prompt_from_request, snake
from ._gemini_errors import GeminiError, invalid_argument, model_not_found, unknown_field
from ._models import ModelCatalog, ModelInfo
from ._prompt import prompt_size

_FUNCTION_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$")
REQUEST_FIELDS = (
    "model",
    "contents",
    "systemInstruction",
    "tools",
    "toolConfig",
    "generationConfig",
    "safetySettings",
    "cachedContent",
    "labels",
    "serviceTier",
)
CONFIG_FIELDS = (
    "stopSequences",
    "responseMimeType",
    "responseSchema",
    "responseJsonSchema",
    "_responseJsonSchema",
    "responseModalities",
    "candidateCount",
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseLogprobs",
    "logprobs",
    "enableEnhancedCivicAnswers",
    "speechConfig",
    "thinkingConfig",
    "imageConfig",
    "mediaResolution",
)
PART_DATA = (
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
)
ROLES = ("user", "model", "function", "tool")


def _known(body: Mapping[str, Any], names: tuple[str, ...], at: str) -> None:
    allowed = _spellings(names)
    for key in body:
        if key not in allowed:
            raise unknown_field(key, at)


@functools.lru_cache(maxsize=64)
def _spellings(names: tuple[str, ...]) -> frozenset[str]:
    """``names`` in both spellings, lowerCamel and snake_case (remembered per set)."""
    return frozenset(names) | {snake(n) for n in names}


def _number(config: Mapping[str, Any], name: str, low: float, high: float, integer: bool) -> None:
    value = field(config, name)
    if value is None:
        return
    at = f"generation_config.{snake(name)}"
    if isinstance(value, str) and integer and value.lstrip("-").isdigit():
        value = int(value)
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise invalid_argument(
            at,
            "invalid value",
            f"Invalid value at '{at}' ({'TYPE_INT32' if integer else 'TYPE_FLOAT'}), {value!r}",
        )
    if not low <= value <= high:
        raise invalid_argument(
            at,
            f"must be from {low} to {high}",
            f"Unable to submit request because it has a {name} value of {value} but the "
            f"supported range is from {low} (inclusive) to {high} (inclusive). Update the "
            "value and try again.",
        )


def _check_contents(contents: Any, at: str = "contents") -> None:
    if not isinstance(contents, list) or not contents:
        raise invalid_argument(at, f"{at.rsplit('.', 1)[-1]} is not specified")
    for index, content in enumerate(contents):
        where = f"{at}[{index}]"
        if not isinstance(content, Mapping):
            raise invalid_argument(where, "must be a Content object")
        role = field(content, "role")
        if role is not None and role not in ROLES:
            raise invalid_argument(
                f"{where}.role",
                f"Please use a valid role: {', '.join(ROLES[:2])}.",
                f"Please use a valid role: user, model. (got {role!r} at {where}.role)",
            )
        parts = field(content, "parts")
        if not isinstance(parts, list) or not parts:
            raise invalid_argument(f"{where}.parts", "must include at least one parts field")
        for position, part in enumerate(parts):
            _check_part(part, f"{where}.parts[{position}]")


def _check_part(part: Any, at: str) -> None:
    if not isinstance(part, Mapping) or not any(field(part, key) is not None for key in PART_DATA):
        raise invalid_argument(
            f"{at}.data", "required oneof field 'data' must have one initialized field"
        )
    text = field(part, "text")
    if text is not None and not isinstance(text, str):
        raise invalid_argument(f"{at}.text", "must be a string")
    call = field(part, "functionCall")
    if call is not None and not isinstance(field(call, "name"), str):
        raise invalid_argument(f"{at}.function_call.name", "Name cannot be empty.")
    result = field(part, "functionResponse")
    if result is not None and not isinstance(field(result, "name"), str):
        raise invalid_argument(f"{at}.function_response.name", "Name cannot be empty.")


def _check_tools(tools: Any) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise invalid_argument("tools", "must be a list of Tool objects")
    for index, tool in enumerate(tools):
        declarations = field(tool, "functionDeclarations") or []
        for position, declaration in enumerate(declarations):
            at = f"tools[{index}].function_declarations[{position}].name"
            name = field(declaration, "name")
            if not isinstance(name, str) or not _FUNCTION_NAME.match(name):
                raise invalid_argument(
                    at,
                    "Invalid function name. Must start with a letter or an underscore. Must "
                    "be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or "
                    "dashes (-), with a maximum length of 128.",
                )


def _check_config(config: Any) -> None:
    if config is None:
        return
    if not isinstance(config, Mapping):
        raise invalid_argument("generation_config", "must be a GenerationConfig object")
    _known(config, CONFIG_FIELDS, "generation_config")
    _number(config, "temperature", 0, 2, integer=False)
    _number(config, "topP", 0, 1, integer=False)
    _number(config, "topK", 1, 1_000_000, integer=True)
    _number(config, "candidateCount", 1, 8, integer=True)
    _number(config, "maxOutputTokens", 1, 10_000_000, integer=True)
    stops = field(config, "stopSequences")
    if stops is not None and (not isinstance(stops, list) or len(stops) > 5):
        raise invalid_argument(
            "generation_config.stop_sequences", "at most 5 stop sequences are allowed"
        )
    mime = field(config, "responseMimeType")
    has_schema = any(
        field(config, key) is not None for key in ("responseSchema", "responseJsonSchema")
    )
    if has_schema and mime != "application/json":
        raise invalid_argument(
            "generation_config.response_mime_type",
            "response_mime_type must be application/json when a response schema is set",
        )


def validate_generate_request(
    body: Any,
    model: str,
    catalog: ModelCatalog | None = None,
    *,
    version: str = "v1beta",
    context_window: int | None = None,
    hint: str = "",
) -> ModelInfo | None:
    """Check a ``generateContent``/``streamGenerateContent`` body for ``model``."""
    if not isinstance(body, Mapping):
        raise GeminiError(400, "Invalid JSON payload received. Expected an object.")
    _known(body, REQUEST_FIELDS, "")
    _check_contents(field(body, "contents"))
    system = field(body, "systemInstruction")
    if system is not None and not isinstance(system, Mapping | str):
        raise invalid_argument("system_instruction", "must be a Content object")
    _check_tools(field(body, "tools"))
    _check_config(field(body, "generationConfig"))
    info = _model(model, catalog, "generateContent", version, hint)
    config = field(body, "generationConfig") or {}
    limit = field(config, "maxOutputTokens")
    if info is not None and isinstance(limit, int) and limit > info.max_output_tokens:
        raise invalid_argument(
            "generation_config.max_output_tokens",
            "out of range",
            f"Unable to submit request because it has a maxOutputTokens value of {limit} but "
            f"the supported range is from 1 (inclusive) to {info.max_output_tokens + 1} "
            "(exclusive). Update the value and try again.",
        )
    window = context_window or (info.context_window if info else None)
    if window is not None:
        used = prompt_size(prompt_from_request(body, model))
        if used > window:
            raise invalid_argument(
                "contents",
                "too many tokens",
                f"The input token count ({used}) exceeds the maximum number of tokens "
                f"allowed ({window}).",
            )
    return info


def validate_count_request(
    body: Any, model: str, catalog: ModelCatalog | None, *, version: str, hint: str = ""
) -> None:
    """Check a ``countTokens`` body: ``contents`` or a ``generateContentRequest``."""
    if not isinstance(body, Mapping):
        raise GeminiError(400, "Invalid JSON payload received. Expected an object.")
    _known(body, ("contents", "generateContentRequest"), "")
    inner = field(body, "generateContentRequest")
    if inner is not None:
        validate_generate_request(inner, model, catalog, version=version, hint=hint)
        return
    _check_contents(field(body, "contents"))
    _model(model, catalog, "countTokens", version, hint)


def validate_embed_request(
    body: Any,
    model: str,
    catalog: ModelCatalog | None,
    *,
    batch: bool,
    version: str,
    hint: str = "",
) -> ModelInfo | None:
    """Check an ``embedContent`` body, or a ``batchEmbedContents`` one (``batch``)."""
    if not isinstance(body, Mapping):
        raise GeminiError(400, "Invalid JSON payload received. Expected an object.")
    requests = field(body, "requests") if batch else [body]
    if not isinstance(requests, list) or not requests:
        raise invalid_argument("requests", "requests is not specified")
    for index, request in enumerate(requests):
        at = f"requests[{index}]." if batch else ""
        content = field(request, "content")
        if not isinstance(content, Mapping):
            raise invalid_argument(f"{at}content", "content is not specified")
        size = field(request, "outputDimensionality")
        if size is not None and (not isinstance(size, int) or size < 1):
            raise invalid_argument(f"{at}output_dimensionality", "must be a positive integer")
    method = "batchEmbedContents" if batch else "embedContent"
    info = _model(model, catalog, method, version, hint, kind="embedding")
    if info is not None:
        for index, request in enumerate(requests):
            size = field(request, "outputDimensionality")
            if isinstance(size, int) and info.dimensions and size > info.dimensions:
                raise invalid_argument(
                    f"requests[{index}].output_dimensionality",
                    f"must be at most {info.dimensions}",
                )
    return info


def _model(
    model: str,
    catalog: ModelCatalog | None,
    method: str,
    version: str,
    hint: str,
    kind: str = "chat",
) -> ModelInfo | None:
    if catalog is None:
        return None
    info = catalog.get(model)
    serves = info is not None and (
        method == "countTokens" or (info.kind == "embedding") == (kind == "embedding")
    )
    if info is None or not serves:
        raise model_not_found(model, version, method, hint)
    return info

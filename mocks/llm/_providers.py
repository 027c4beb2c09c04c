"""Which API a request speaks: OpenAI's, Anthropic's Messages API or Gemini's.

MockLLM serves the three on one port. Most paths say it (``/v1/messages`` is
Anthropic's, ``/v1beta/models/gemini-2.5-flash:generateContent`` Gemini's); the model
listing ``GET /v1/models`` is shared by all three, so there the credentials tell them
apart: Anthropic's SDKs send ``anthropic-version``, Gemini's send ``x-goog-api-key``
(or ``?key=``), OpenAI's neither.

>>> from multidict import CIMultiDict, MultiDict
>>> from mocks.core import RecordedRequest
>>> def request(path, **headers):
...     return RecordedRequest("GET", path, MultiDict(), CIMultiDict(headers), b"")
>>> [api_of(request("/v1/models")), api_of(request("/v1/messages"))]
['openai', 'anthropic']
>>> api_of(request("/v1/models", **{"x-goog-api-key": "k"}))
'gemini'
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from mocks.core import RecordedRequest

API = Literal["openai", "anthropic", "gemini"]
APIS: tuple[API, ...] = ("openai", "anthropic", "gemini")

#: Gemini's version segments (its SDK defaults to ``v1``; REST examples use ``v1beta``).
GEMINI_VERSIONS = ("v1", "v1beta", "v1alpha")
#: ``/{version}/models/{model}:{action}``, Gemini's model methods.
GEMINI_ACTION = re.compile(r"^/(?:v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):(?P<action>\w+)$")
GEMINI_GENERATION = ("generateContent", "streamGenerateContent")
GEMINI_EMBEDDING = ("embedContent", "batchEmbedContents")


def api_of(request: RecordedRequest) -> API:
    """The API ``request`` speaks (OpenAI's when nothing says otherwise)."""
    api = _api_of_path(request.path)
    if api is not None:
        return api
    headers = request.headers
    if "anthropic-version" in headers:
        return "anthropic"
    if "x-goog-api-key" in headers or "key" in request.query:
        return "gemini"
    return "openai"


@functools.lru_cache(maxsize=256)
def _api_of_path(path: str) -> API | None:
    """The API a path names by itself; None for the model listing, which all three
    share (remembered: a request asks several times, and paths repeat)."""
    if path.startswith("/v1/messages"):
        return "anthropic"
    if ":" in path or path.startswith(("/v1beta/", "/v1alpha/")):
        return "gemini"
    if path.startswith("/v1/models"):
        return None
    return "openai"


def gemini_action(path: str) -> tuple[str, str] | None:
    """``(model, action)`` of a Gemini model method path, else ``None``."""
    found = GEMINI_ACTION.match(path)
    return (found.group("model"), found.group("action")) if found else None


def is_streamed(request: RecordedRequest) -> bool:
    """Whether a generation request asks for a stream (a field, or Gemini's path)."""
    if request.path.endswith(":streamGenerateContent"):
        return True
    body = request.json
    return isinstance(body, dict) and body.get("stream") is True


def request_model(request: RecordedRequest) -> str | None:
    """The model a request names: Gemini's is in the path, the others' in the body."""
    action = gemini_action(request.path)
    if action is not None:
        return action[0]
    body = request.json
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None

"""Stored responses of the Responses API: ``store``, ``previous_response_id`` and the
``GET``/``DELETE /v1/responses/{id}`` and ``input_items`` routes.

A response is kept unless its request said ``"store": false``. A request naming
``previous_response_id`` continues that conversation: the model sees the earlier
request's input items and output items, then its own input (the earlier
``instructions`` are not carried over, as in the real API). ``input_items`` lists the
input items a response was created from, each with an id.

>>> import random
>>> store = ResponseStore()
>>> body = {"model": "gpt-4.1", "input": "Hi"}
>>> output = [{"type": "message", "role": "assistant", "status": "completed",
...            "content": [{"type": "output_text", "text": "Hello!"}]}]
>>> store.keep({"id": "resp_1", "output": output}, body, [], random.Random(0))
>>> [item["role"] for item in store.conversation("resp_1")]
['user', 'assistant']
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _ids


@dataclass
class StoredResponse:
    """One kept response: its document, its input items (with ids) and everything the
    model had seen once it answered (request-style items, for a follow-up)."""

    document: dict[str, Any]
    input_items: list[dict[str, Any]]
    conversation: list[dict[str, Any]] = field(default_factory=list)


def input_list(raw: Any) -> list[dict[str, Any]]:
    """A request's ``input`` as a list of items (a string is one user message)."""
    if isinstance(raw, str):
        return [{"type": "message", "role": "user", "content": raw}]
    return [dict(item) for item in raw or () if isinstance(item, Mapping)]


def _content_parts(content: Any, role: str) -> list[dict[str, Any]]:
    """Content parts as the API lists them (an assistant's text with its annotations)."""
    if isinstance(content, str):
        kind = "output_text" if role == "assistant" else "input_text"
        content = [{"type": kind, "text": content}]
    parts = [dict(part) for part in content or () if isinstance(part, Mapping)]
    for part in parts:
        if part.get("type") == "output_text":
            part.setdefault("annotations", [])
    return parts


def _resource(item: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """An input item as ``input_items`` lists it: with an id and a status."""
    kind = item.get("type", "message")
    resource = copy.deepcopy(dict(item))
    resource.setdefault("type", kind)
    if kind == "message":
        role = str(item.get("role", "user"))
        resource["content"] = _content_parts(item.get("content"), role)
        resource.setdefault("id", _ids.hex_id("msg_", rng))
    elif kind == "function_call_output":
        resource.setdefault("id", _ids.hex_id("fco_", rng))
    elif kind == "function_call":
        resource.setdefault("id", _ids.hex_id("fc_", rng))
    else:
        resource.setdefault("id", _ids.hex_id("item_", rng))
    resource.setdefault("status", "completed")
    return resource


def _as_input(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """An output item as a follow-up request would send it back."""
    kind = item.get("type")
    if kind == "message":
        return {"type": "message", "role": "assistant", "content": item.get("content") or []}
    if kind == "function_call":
        return {
            "type": "function_call",
            "call_id": item.get("call_id"),
            "name": item.get("name"),
            "arguments": item.get("arguments", ""),
        }
    return None


class ResponseStore:
    """The responses a mock keeps, by id."""

    def __init__(self) -> None:
        self._kept: dict[str, StoredResponse] = {}

    def conversation(self, response_id: str) -> list[dict[str, Any]] | None:
        """Every item the model had seen after answering ``response_id`` (``None`` when
        it is not kept)."""
        stored = self._kept.get(response_id)
        return None if stored is None else copy.deepcopy(stored.conversation)

    def keep(
        self,
        document: Mapping[str, Any],
        request: Mapping[str, Any],
        earlier: list[dict[str, Any]],
        rng: random.Random,
    ) -> None:
        """Keep ``document`` (answering ``request``, which followed ``earlier`` items)."""
        own = input_list(request.get("input"))
        outputs = [_as_input(item) for item in document.get("output") or ()]
        self._kept[str(document["id"])] = StoredResponse(
            document=copy.deepcopy(dict(document)),
            input_items=[_resource(item, rng) for item in own],
            conversation=[*earlier, *own, *(item for item in outputs if item is not None)],
        )

    def get(self, response_id: str) -> StoredResponse | None:
        """The kept response, or ``None``."""
        return self._kept.get(response_id)

    def delete(self, response_id: str) -> bool:
        """Forget a response; whether it was kept."""
        return self._kept.pop(response_id, None) is not None

    def clear(self) -> None:
        """Forget every response."""
        self._kept.clear()


def input_items_page(
    stored: StoredResponse, *, order: str = "desc", limit: int = 20, after: str | None = None
) -> dict[str, Any]:
    """The body of ``GET /v1/responses/{id}/input_items`` (newest first by default)."""
    items = list(stored.input_items)
    if order != "asc":
        items.reverse()
    if after is not None:
        ids = [item["id"] for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    page = items[:limit]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": len(items) > len(page),
    }

"""Message templates: what the business account has registered, and sends checked against it.

A template is identified by name and language. Its components hold text with
placeholders, positional (``{{1}}``) or named (``{{first_name}}``); a send fills them with
parameters grouped by component. A send naming no registered template fails with 132001;
a component filled with the wrong number of parameters fails with 132000.

A template registered without components (``register("promo")``) accepts any
parameters: the test said the template exists, not what it holds.

>>> from mocks.whatsapp._errors import GraphError
>>> registry = TemplateRegistry(lambda: "1")
>>> body = {"type": "BODY", "text": "Hi {{1}}, order {{2}}"}
>>> _ = registry.register("order_update", components=[body])
>>> sent = [{"type": "body", "parameters": [{"type": "text", "text": "Al"}]}]
>>> try:
...     registry.check_send({"name": "order_update", "language": {"code": "en_US"},
...                          "components": sent})
... except GraphError as error:
...     print(error.code, error.details)
132000 body: number of localizable_params (1) does not match the expected number of params (2)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._errors import graph_error, template_not_found, template_parameter_mismatch
from ._render import parameter_text

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_MEDIA_HEADERS = ("IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
#: Button types whose parameters a send must give (the others take optional ones).
_FILLED_BUTTONS = ("URL", "COPY_CODE")
_STATUS_ERRORS = {"PAUSED": 132015, "DISABLED": 132016}


def placeholders(text: str) -> list[str]:
    """The distinct placeholder names in `text`, in order (``"1"``, ``"first_name"``)."""
    names: list[str] = []
    for name in _PLACEHOLDER.findall(text):
        if name not in names:
            names.append(name)
    return names


@dataclass(frozen=True, slots=True)
class Slot:
    """The parameters one component takes: their names, and whether a send must give them."""

    names: tuple[str, ...]
    required: bool = True


def _component_key(component: dict[str, Any]) -> str:
    kind = str(component.get("type", "")).lower()
    return f"button[{component.get('index', 0)}]" if kind == "button" else kind


@dataclass(slots=True)
class Template:
    """One registered template (``components=None``: parameters are not checked)."""

    id: str
    name: str
    language: str = "en_US"
    components: list[dict[str, Any]] | None = None
    category: str = "UTILITY"
    status: str = "APPROVED"
    parameter_format: str = "POSITIONAL"
    slots: dict[str, Slot] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.slots = self._slots()

    def _slots(self) -> dict[str, Slot]:
        slots: dict[str, Slot] = {}
        for component in self.components or []:
            kind = str(component.get("type", "")).upper()
            if kind == "HEADER":
                media = str(component.get("format", "TEXT")).upper() in _MEDIA_HEADERS
                names = ("media",) if media else tuple(placeholders(component.get("text", "")))
                slots["header"] = Slot(names)
            elif kind == "BODY":
                slots["body"] = Slot(tuple(placeholders(component.get("text", ""))))
            elif kind == "BUTTONS":
                for index, button in enumerate(component.get("buttons", [])):
                    filled = str(button.get("type", "")).upper() in _FILLED_BUTTONS
                    names = tuple(placeholders(button.get("url", ""))) or (
                        ("code",) if filled else ()
                    )
                    slots[f"button[{index}]"] = Slot(names, required=filled)
        return slots

    @property
    def checked(self) -> bool:
        """Whether sends are checked against the components."""
        return self.components is not None

    def check(self, components: list[dict[str, Any]]) -> None:
        """Raise 132000 when a component is filled with the wrong number of parameters."""
        if not self.checked:
            return
        given = {_component_key(c): list(c.get("parameters") or []) for c in components}
        for key, slot in self.slots.items():
            params = given.pop(key, [])
            if slot.required and len(params) != len(slot.names):
                raise template_parameter_mismatch(key, len(slot.names), len(params))
            if self.parameter_format == "NAMED" and key in ("header", "body") and params:
                names = sorted(str(p.get("parameter_name")) for p in params)
                if names != sorted(slot.names):
                    raise graph_error(
                        132000, f"{key}: expected parameters {sorted(slot.names)}, got {names}"
                    )
        for key, params in given.items():
            if params:
                raise template_parameter_mismatch(key, 0, len(params))

    def render(self, components: list[dict[str, Any]]) -> str:
        """The text a user reads: the header and body with their placeholders filled in."""
        values = {
            _component_key(c): [parameter_text(p) for p in c.get("parameters") or []]
            for c in components
        }
        named = {
            str(p.get("parameter_name")): parameter_text(p)
            for c in components
            for p in c.get("parameters") or []
            if p.get("parameter_name")
        }
        lines = []
        for component in self.components or []:
            kind = str(component.get("type", "")).upper()
            text = component.get("text")
            if kind not in ("HEADER", "BODY", "FOOTER") or not isinstance(text, str):
                continue
            filled = values.get(kind.lower(), [])

            def fill(match: re.Match[str], filled: list[str] = filled) -> str:
                name = match.group(1)
                if name in named:
                    return named[name]
                if name.isdigit() and 0 < int(name) <= len(filled):
                    return filled[int(name) - 1]
                return match.group(0)

            lines.append(_PLACEHOLDER.sub(fill, text))
        return "\n".join(lines)

    def quick_replies(self) -> list[str]:
        """The texts of the template's buttons by index ("" for those that are not quick
        replies)."""
        texts: list[str] = []
        for component in self.components or []:
            if str(component.get("type", "")).upper() == "BUTTONS":
                for button in component.get("buttons", []):
                    quick = str(button.get("type", "")).upper() == "QUICK_REPLY"
                    texts.append(str(button.get("text", "")) if quick else "")
        return texts

    def to_json(self) -> dict[str, Any]:
        """The template as the account's ``message_templates`` list shows it."""
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "parameter_format": self.parameter_format,
            "components": list(self.components or []),
        }


class TemplateRegistry:
    """The templates of one business account, by (name, language)."""

    def __init__(self, new_id: Callable[[], str]) -> None:
        self._new_id = new_id
        self._templates: dict[tuple[str, str], Template] = {}
        self._lock = threading.Lock()

    def register(
        self,
        name: str,
        language: str = "en_US",
        components: list[dict[str, Any]] | None = None,
        *,
        category: str = "UTILITY",
        status: str = "APPROVED",
        parameter_format: str | None = None,
    ) -> Template:
        """Add (or replace) a template and return it."""
        if parameter_format is None:
            texts = " ".join(str(c.get("text", "")) for c in components or [])
            named = any(not name.isdigit() for name in placeholders(texts))
            parameter_format = "NAMED" if named else "POSITIONAL"
        with self._lock:
            old = self._templates.get((name, language))
            template = Template(
                old.id if old else self._new_id(),
                name,
                language,
                None if components is None else list(components),
                category.upper(),
                status.upper(),
                parameter_format.upper(),
            )
            self._templates[(name, language)] = template
            return template

    def find(self, name: str, language: str) -> Template | None:
        """The template with this name and language, if registered."""
        with self._lock:
            return self._templates.get((name, language))

    def knows(self, name: str) -> bool:
        """Whether a template of this name exists in any language."""
        with self._lock:
            return any(key[0] == name for key in self._templates)

    def check_send(self, template: dict[str, Any]) -> Template:
        """The registered template a send's ``template`` object names, its parameters checked.

        Raises 132001 for an unknown name or language, 132015/132016 for a paused or
        disabled template, 132000 for a wrong parameter count.
        """
        name = str(template.get("name", ""))
        language = str((template.get("language") or {}).get("code", ""))
        found = self.find(name, language)
        if found is None or found.status not in ("APPROVED", *_STATUS_ERRORS):
            raise template_not_found(name, language)
        if found.status in _STATUS_ERRORS:
            raise graph_error(_STATUS_ERRORS[found.status], f"template {name} is {found.status}")
        found.check(list(template.get("components") or []))
        return found

    def list(
        self, *, name: str | None = None, language: str | None = None, status: str | None = None
    ) -> list[Template]:
        """The templates, in registration order, optionally filtered."""
        with self._lock:
            found = list(self._templates.values())
        statuses = {s.strip().upper() for s in status.split(",")} if status else None
        languages = {s.strip() for s in language.split(",")} if language else None
        return [
            t
            for t in found
            if (name is None or t.name == name)
            and (languages is None or t.language in languages)
            and (statuses is None or t.status in statuses)
        ]

    def delete(self, name: str) -> int:
        """Delete every language of the template `name`; returns how many went."""
        with self._lock:
            keys = [key for key in self._templates if key[0] == name]
            for key in keys:
                del self._templates[key]
            return len(keys)

    def clear(self) -> None:
        """Forget every template."""
        with self._lock:
            self._templates.clear()

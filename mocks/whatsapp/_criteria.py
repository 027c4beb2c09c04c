"""What a test expects of a send: who it goes to, what it says, how it looks.

``expect_send_message(to)`` and ``expect_send_template(name)`` build a
:class:`SendCriteria` and refine it as the test chains (``.with_text("Welcome")``,
``.with_buttons("Yes", "No")``, ``.replying_to(wamid)``); the expectation's matcher asks
:meth:`SendCriteria.mismatch` about each request body. A send addressed by
business-scoped id (``recipient``) is compared on the user's phone number.

>>> criteria = SendCriteria(to="15551234567", text_contains="Welcome")
>>> body = {"type": "text", "to": "+1 555 123 4567", "text": {"body": "Welcome back"}}
>>> criteria.mismatch(body, resolve_number) is None
True
>>> criteria.mismatch({**body, "text": {"body": "Bye"}}, resolve_number)
"text: 'Bye' does not contain 'Welcome'"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._errors import GraphError
from ._render import button_titles, render_outgoing, template_values
from ._users import normalize_phone

Json = dict[str, Any]
#: Maps a send body to the recipient's phone number (None when it names no known user).
Resolver = Callable[[Json], "str | None"]


def resolve_number(body: Json) -> str | None:
    """The phone number a body's ``to`` names (``recipient`` needs the user directory)."""
    to = body.get("to")
    if not isinstance(to, str):
        return None
    try:
        return normalize_phone(to)
    except GraphError:
        return None


@dataclass(slots=True)
class SendCriteria:
    """A send's expected recipient and content; None fields are not checked."""

    to: str | None = None
    text_contains: str | None = None
    type: str | None = None
    reply_to: str | None = None
    buttons: tuple[str, ...] = ()
    template_name: str | None = None
    template_language: str | None = None
    template_parameters: tuple[str, ...] | None = None
    extra: list[Callable[[Json], str | None]] = field(default_factory=list)

    def mismatch(self, body: Any, resolve: Resolver) -> str | None:
        """Why `body` is not the expected send (None when it is)."""
        if not isinstance(body, dict) or "type" not in body:
            return "not a message send"
        checks = (
            self._recipient(body, resolve),
            self._type(body),
            self._text(body),
            self._reply(body),
            self._buttons(body),
            self._template(body),
            *(check(body) for check in self.extra),
        )
        return next((problem for problem in checks if problem is not None), None)

    def describe(self) -> str:
        """The criteria in a line, for reports."""
        parts = [f"{key}={value!r}" for key, value in self._fields() if value not in (None, ())]
        return "send " + (", ".join(parts) if parts else "(any)")

    def _fields(self) -> list[tuple[str, Any]]:
        return [
            ("to", self.to),
            ("type", self.type),
            ("text_contains", self.text_contains),
            ("reply_to", self.reply_to),
            ("buttons", self.buttons),
            ("template", self.template_name),
            ("language", self.template_language),
            ("parameters", self.template_parameters),
        ]

    def _recipient(self, body: Json, resolve: Resolver) -> str | None:
        if self.to is None:
            return None
        number = resolve(body)
        if number == self.to:
            return None
        return f"to: {number or body.get('recipient') or body.get('to')!r} is not {self.to!r}"

    def _type(self, body: Json) -> str | None:
        if self.type is None:
            return None
        kind, _ = render_outgoing(body)
        if self.type in (body.get("type"), kind):
            return None
        return f"type: {body.get('type')!r} is not {self.type!r}"

    def _text(self, body: Json) -> str | None:
        if self.text_contains is None:
            return None
        _, text = render_outgoing(body)
        if self.text_contains in text:
            return None
        return f"text: {text!r} does not contain {self.text_contains!r}"

    def _reply(self, body: Json) -> str | None:
        if self.reply_to is None:
            return None
        context = (body.get("context") or {}).get("message_id")
        return (
            None if context == self.reply_to else f"reply_to: {context!r} is not {self.reply_to!r}"
        )

    def _buttons(self, body: Json) -> str | None:
        missing = [title for title in self.buttons if title not in button_titles(body)]
        return f"buttons: {button_titles(body)!r} lack {missing!r}" if missing else None

    def _template(self, body: Json) -> str | None:
        template = body.get("template") or {}
        if self.template_name is not None and template.get("name") != self.template_name:
            return f"template: {template.get('name')!r} is not {self.template_name!r}"
        language = (template.get("language") or {}).get("code")
        if self.template_language is not None and language != self.template_language:
            return f"language: {language!r} is not {self.template_language!r}"
        if self.template_parameters is not None:
            values = tuple(template_values(template))
            if values != self.template_parameters:
                return f"parameters: {list(values)!r} are not {list(self.template_parameters)!r}"
        return None

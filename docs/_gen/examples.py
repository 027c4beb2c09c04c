"""The admin API examples (``docs/_gen/admin_examples.yaml``) and how they run.

An example is one HTTP call to a mock (after optional setup calls) and the status it
must answer. The build runs every example against a live mock, shows the real answer
under its curl command, and checks the answer against the route's OpenAPI schema;
``tests/test_docs.py`` runs them again. Values an answer gives can be saved
(``save: {name: dotted.key}``) and used by later calls as ``${name}``; ``${bot}`` is the
URL of a stand-in for the application under test (it answers every POST with 200 and
echoes a webhook handshake's ``hub.challenge``).

Besides the sections of examples, the file has ``options`` (per service, the keyword
arguments the mock is started with, as its command-line flags would give them),
``headers`` (per service, headers every call outside ``/__admin`` carries, such as the
access token a real client sends) and ``mismatches`` (per service and route, a known
difference between the answers and the OpenAPI document, shown on the page until fixed).
"""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import yaml

EXAMPLES_FILE = Path(__file__).with_name("admin_examples.yaml")
#: Examples under this key are every mock's (the engine's routes).
ENGINE = "engine"
#: Keys of the file that are not sections of examples.
SETTINGS = ("options", "headers", "mismatches")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CALL_KEYS = {"method", "path", "query", "body", "headers", "save", "status", "note"}
_EXAMPLE_KEYS = {"route", "title", "text", "setup", "show", *_CALL_KEYS}


class ExampleError(ValueError):
    """A malformed entry in the examples file (names the entry and the key)."""


@dataclass(frozen=True)
class Call:
    """One HTTP request of an example."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Variables to keep from the answer: name -> dotted key (``user.id``).
    save: dict[str, str] = field(default_factory=dict)
    #: The status a setup call must answer (None: any below 400).
    status: int | None = None
    #: A comment shown above the call's curl command.
    note: str = ""

    @property
    def target(self) -> str:
        """Path and query string."""
        return self.path + (f"?{urlencode(self.query)}" if self.query else "")


@dataclass(frozen=True)
class Example:
    """A documented call of one admin route, and the status it answers."""

    route: str
    call: Call
    status: int
    title: str = ""
    text: str = ""
    setup: tuple[Call, ...] = ()
    #: Top-level keys of the answer to show (all when empty).
    show: tuple[str, ...] = ()


@dataclass
class Exchange:
    """A call as it was sent (variables filled in) and what the mock answered."""

    call: Call
    status: int
    content_type: str
    text: str

    @property
    def document(self) -> Any:
        """The answer as JSON (None when it is not JSON)."""
        if "json" not in self.content_type:
            return None
        return json.loads(self.text) if self.text else None


@dataclass
class Outcome:
    """An example after it ran: its exchanges (setup first) and what went wrong."""

    example: Example
    exchanges: list[Exchange]
    problems: list[str]

    @property
    def answer(self) -> Exchange:
        """The exchange of the documented call."""
        return self.exchanges[-1]


def _call(entry: dict[str, Any], where: str, default_method: str = "", path: str = "") -> Call:
    unknown = set(entry) - _CALL_KEYS - (_EXAMPLE_KEYS if default_method else set())
    if unknown:
        raise ExampleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    method = str(entry.get("method", default_method)).upper()
    target = str(entry.get("path", path))
    if not method or not target.startswith("/"):
        raise ExampleError(f"{where}: a call needs a method and a path starting with /")
    if "{" in _VARIABLE.sub("", target):
        raise ExampleError(f"{where}: path {target!r} still has a template; give `path:`")
    return Call(
        method=method,
        path=target,
        query={str(k): str(v) for k, v in (entry.get("query") or {}).items()},
        body=entry.get("body"),
        headers={str(k): str(v) for k, v in (entry.get("headers") or {}).items()},
        save={str(k): str(v) for k, v in (entry.get("save") or {}).items()},
        status=None if entry.get("status") is None else int(entry["status"]),
        note="" if default_method else str(entry.get("note", "")),
    )


def _example(entry: Any, where: str) -> Example:
    if not isinstance(entry, dict) or "route" not in entry or "status" not in entry:
        raise ExampleError(f"{where}: an example needs `route` and `status`")
    method, _, path = str(entry["route"]).partition(" ")
    setup = tuple(
        _call(step, f"{where}.setup[{i}]") for i, step in enumerate(entry.get("setup") or [])
    )
    return Example(
        route=f"{method.upper()} {path}",
        call=_call(entry, where, method, path),
        status=int(entry["status"]),
        title=str(entry.get("title", "")),
        text=str(entry.get("text", "")).strip(),
        setup=setup,
        show=tuple(entry.get("show") or ()),
    )


@dataclass
class ExampleBook:
    """The examples file: sections of examples, and how each mock is started and called."""

    sections: dict[str, list[Example]]
    #: Service -> the keyword arguments the mock starts with (values may hold ``${bot}``).
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Service -> headers of every call outside ``/__admin``.
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Service -> route -> how its answers differ from its OpenAPI document (a known bug,
    #: shown on the page; the build fails once the answers match and it is still listed).
    mismatches: dict[str, dict[str, str]] = field(default_factory=dict)

    def examples_for(self, service: str) -> dict[str, list[Example]]:
        """Route -> the examples shown for one mock: the engine's, then its own."""
        headers = self.headers.get(service, {})
        routes: dict[str, list[Example]] = {}
        for example in [*self.sections.get(ENGINE, []), *self.sections.get(service, [])]:
            routes.setdefault(example.route, []).append(_with_headers(example, headers))
        return routes


def _with_headers(example: Example, headers: dict[str, str]) -> Example:
    def call(step: Call) -> Call:
        if step.path.startswith("/__admin") or not headers:
            return step
        return replace(step, headers={**headers, **step.headers})

    return replace(example, call=call(example.call), setup=tuple(map(call, example.setup)))


def load_examples(file: Path = EXAMPLES_FILE) -> ExampleBook:
    """The examples file, read and checked."""
    document = yaml.safe_load(file.read_text()) or {}
    if not isinstance(document, dict):
        raise ExampleError(f"{file.name}: expected a mapping of section -> examples")
    sections = {
        str(section): [_example(e, f"{section}[{i}]") for i, e in enumerate(entries or [])]
        for section, entries in document.items()
        if section not in SETTINGS
    }
    options = document.get("options") or {}
    headers = document.get("headers") or {}
    mismatches = document.get("mismatches") or {}
    return ExampleBook(sections, options, headers, mismatches)


def _fill(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_fill(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, variables) for k, v in value.items()}
    return value


def _dig(document: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        document = document[int(key)] if isinstance(document, list) else document[key]
    return document


def send(base_url: str, call: Call, timeout: float = 10.0) -> Exchange:
    """Send `call` to the mock at `base_url` (plain HTTP, no client library)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    headers = dict(call.headers)
    body = None
    if call.body is not None:
        body = json.dumps(call.body).encode()
        headers.setdefault("Content-Type", "application/json")
    try:
        connection.request(call.method, call.target, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Exchange(call, response.status, response.getheader("Content-Type", ""), text)
    finally:
        connection.close()


def fill(value: Any, variables: dict[str, str]) -> Any:
    """`value` with every ``${name}`` replaced by its variable."""
    return _fill(value, variables)


def run_example(base_url: str, example: Example, variables: dict[str, str]) -> Outcome:
    """Run the setup calls and the documented call; note every unexpected status."""
    variables = dict(variables)
    exchanges: list[Exchange] = []
    problems: list[str] = []
    for index, step in enumerate([*example.setup, example.call]):
        call = replace(
            step,
            path=_fill(step.path, variables),
            query=_fill(step.query, variables),
            body=_fill(step.body, variables),
            headers=_fill(step.headers, variables),
        )
        exchange = send(base_url, call)
        exchanges.append(exchange)
        is_setup = index < len(example.setup)
        wanted = step.status
        unexpected = exchange.status >= 400 if wanted is None else exchange.status != wanted
        if is_setup and unexpected:
            problems.append(f"setup {call.method} {call.target} answered {exchange.status}")
        for name, key in step.save.items():
            try:
                variables[name] = str(_dig(exchange.document, key))
            except (KeyError, IndexError, TypeError, ValueError):
                problems.append(f"{call.method} {call.target}: no {key!r} to save as {name}")
    answer = exchanges[-1]
    if answer.status != example.status:
        problems.append(
            f"{example.route}: documented {example.status}, answered {answer.status}: "
            f"{answer.text[:300]}"
        )
    return Outcome(example, exchanges, problems)

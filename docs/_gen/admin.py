"""The admin API reference: one page per available mock, from its ``/__admin/openapi.json``.

Every route of the mock's OpenAPI document gets its parameters, body, answers and at
least one example (`examples`), run against the live mock while the page is written:
the answer shown is the mock's own, and it is checked against the route's schema. A
route without an example, an example of a route that does not exist, a status other
than the documented one or an answer breaking its schema is a problem: the build fails
on it (``mkdocs build --strict``), and so does ``tests/test_docs.py``.
"""

from __future__ import annotations

import contextlib
import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from jsonschema import Draft202012Validator

from mocks.core import BaseMock, RecordedRequest, available_mocks

from .examples import Example, Exchange, Outcome, fill, load_examples, run_example
from .schemas import anchor, closure, referenced, render_schema, type_of

#: Where the pages say the mock listens (the real port is replaced by this).
SHOWN_URL = "http://127.0.0.1:8080"
#: Where the pages say the application under test (the stand-in bot) listens.
SHOWN_BOT_URL = "http://127.0.0.1:8000"
#: Real URL -> the URL shown, for one page.
Urls = dict[str, str]
#: Strings longer than this are shortened in the answers shown.
LONGEST_STRING = 100
#: Arrays in an answer shown are cut to this many items.
MOST_ITEMS = 3
#: Lines of a text answer shown at most.
MOST_LINES = 8
_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


@dataclass
class AdminPage:
    """One mock's admin reference: its Markdown and what went wrong writing it."""

    service: str
    title: str
    markdown: str
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def routes_of(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every route in an OpenAPI document, in its order."""
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def is_own(service: str, path: str) -> bool:
    """Whether a route is the mock's own (under ``/__admin/<service>``), not the engine's."""
    own = f"/__admin/{service}"
    return path == own or path.startswith(own + "/")


def route_anchor(method: str, path: str) -> str:
    """The HTML id of a route's heading."""
    return anchor(f"{method} {path}").replace("schema-", "route-", 1)


def schema_problems(document: dict[str, Any], operation: dict[str, Any], answer: Exchange) -> str:
    """Why an answer breaks its documented schema ("" when it does not)."""
    response = operation["responses"].get(str(answer.status))
    if response is None:
        return f"status {answer.status} is not documented"
    content = response.get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        media_type = answer.content_type.partition(";")[0].strip()
        if not answer.text or media_type in content:  # an HTML page, say
            return ""
        return f"status {answer.status} documents no body"
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(answer.document), key=lambda e: list(e.path))
    return "; ".join(f"{'/'.join(map(str, e.path)) or 'body'}: {e.message}" for e in errors[:3])


def check(
    service: str,
    document: dict[str, Any],
    outcomes: list[Outcome],
    known: dict[str, str] | None = None,
) -> list[str]:
    """Problems of a page: routes without examples, unknown routes, statuses, schemas.

    A route in `known` (route -> how its answers differ from the document) may break
    its schema; listed while its answers match, it is a problem too.
    """
    known = known or {}
    operations = {f"{method} {path}": op for method, path, op in routes_of(document)}
    problems = [f"{service}: {problem}" for o in outcomes for problem in o.problems]
    shown = {o.example.route for o in outcomes}
    for route in operations:
        if route not in shown:
            problems.append(f"{service}: no example for {route} (add one to admin_examples.yaml)")
    for outcome in outcomes:
        operation = operations.get(outcome.example.route)
        if operation is None:
            problems.append(f"{service}: example of {outcome.example.route}, which is no route")
            continue
        broken = schema_problems(document, operation, outcome.answer)
        if broken and outcome.example.route not in known:
            problems.append(f"{service}: {outcome.example.route}: the answer breaks: {broken}")
    for route in known:
        answers = [o.answer for o in outcomes if o.example.route == route]
        operation = operations.get(route)
        if operation is None or not any(schema_problems(document, operation, a) for a in answers):
            problems.append(f"{service}: {route} is listed in mismatches but matches its schema")
    return problems


def run_examples(service: str, mock: BaseMock, variables: dict[str, str]) -> list[Outcome]:
    """Every example shown on the page of `mock`, run against it (reset before each)."""
    outcomes = []
    for examples in load_examples().examples_for(service).values():
        for example in examples:
            with _isolated(mock):
                outcomes.append(run_example(mock.url, example, variables))
    return outcomes


@contextlib.contextmanager
def _isolated(mock: BaseMock) -> Iterator[None]:
    """Run one example on a reset mock, and put back the settings and seed it changed
    (`reset()` keeps mock-wide settings such as strict mode)."""
    settings, seed = mock.settings.model_copy(deep=True), mock.seed
    mock.reset(keep_stubs=False)
    try:
        yield
    finally:
        for name in type(settings).model_fields:
            setattr(mock.settings, name, getattr(settings, name))
        mock.reseed(seed)
        mock.reset(keep_stubs=False)


def _echo_challenge(request: RecordedRequest) -> str:
    return request.query.get("hub.challenge", "")


def start_bot() -> BaseMock:
    """The stand-in for the application a mock calls: 200 to every POST, and the echo of
    a webhook handshake's ``hub.challenge`` to a GET."""
    from mocks.http import MockHTTP

    bot = MockHTTP.start()
    bot.expect("GET").respond_with(_echo_challenge).optional()
    bot.expect("POST").respond(200, json={}).optional()
    return bot


# ---- rendering -------------------------------------------------------------------------


def shown_text(text: str, urls: Urls) -> str:
    """`text` with the real URLs replaced by those the page shows."""
    for real, shown in urls.items():
        text = text.replace(real, shown)
    return text


def _shown_json(value: Any, urls: Urls) -> Any:
    if isinstance(value, str):
        value = shown_text(value, urls)
        if len(value) > LONGEST_STRING:
            return value[: LONGEST_STRING - 20] + "…"
        return value
    if isinstance(value, list):
        return [_shown_json(v, urls) for v in value]
    if isinstance(value, dict):
        return {k: _shown_json(v, urls) for k, v in value.items()}
    return value


def _cut(value: Any) -> Any:
    if isinstance(value, list):
        return [_cut(v) for v in value[:MOST_ITEMS]]
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    return value


def pretty(value: Any, width: int = 88, indent: int = 0) -> str:
    """JSON as a person writes it: containers that fit in `width` stay on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, dict | list) or not value:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: " + pretty(v, width, indent + 2).lstrip()
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [inner + pretty(v, width, indent + 2).lstrip() for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def curl(exchange: Exchange, urls: Urls) -> str:
    """The curl command of a call, against `SHOWN_URL`."""
    call = exchange.call
    url = SHOWN_URL + shown_text(call.target, urls)
    words = ["curl"]
    if call.method != "GET" or call.body is not None:
        words += [] if call.method == "POST" and call.body is not None else ["-X", call.method]
    words.append(shlex.quote(url))
    lines = [" ".join(words)]
    if call.note:
        lines[0] = f"# {call.note}\n{lines[0]}"
    for name, value in call.headers.items():
        lines.append(f"  -H {shlex.quote(f'{name}: {shown_text(value, urls)}')}")
    if call.body is not None:
        if "Content-Type" not in call.headers:
            lines.append("  -H 'Content-Type: application/json'")
        text = pretty(_shown_json(call.body, urls), width=76)
        lines.append(f"  -d {shlex.quote(text)}")
    return " \\\n".join(lines)


def _answer(outcome: Outcome, urls: Urls) -> list[str]:
    answer = outcome.answer
    phrase = HTTPStatus(answer.status).phrase
    if not answer.text:
        return [f"Answer: `{answer.status} {phrase}`, no body.", ""]
    document = answer.document
    note = ""
    if document is None:
        lines = shown_text(answer.text, urls).splitlines()
        if len(lines) > MOST_LINES:  # a page, say: its beginning tells what it is
            lines, note = [*lines[:MOST_LINES], "…"], f" (first {MOST_LINES} lines shown)"
        text = "\n".join(lines)
        return [f"Answer: `{answer.status} {phrase}`{note}:", "", "```text", text, "```", ""]
    if outcome.example.show and isinstance(document, dict):
        document = {k: v for k, v in document.items() if k in outcome.example.show}
        note = " (only " + ", ".join(f"`{k}`" for k in outcome.example.show) + " shown)"
    cut = _cut(document)
    if cut != document:
        note += f" (arrays cut to their first {MOST_ITEMS} items)"
    shown = _shown_json(cut, urls)
    if json.dumps(shown) != shown_text(json.dumps(cut), urls):
        note += " (long values shortened with …)"
    text = pretty(shown)
    return [f"Answer: `{answer.status} {phrase}`{note}:", "", "```json", text, "```", ""]


def render_example(outcome: Outcome, urls: Urls) -> list[str]:
    """An example: its words, the curl commands (setup first) and the answer."""
    example: Example = outcome.example
    lines = [f"**Example: {example.title}**" if example.title else "**Example**", ""]
    if example.text:
        lines += [shown_text(example.text, urls), ""]
    setup = [curl(exchange, urls) for exchange in outcome.exchanges[:-1]]
    call = curl(outcome.answer, urls)
    commands = "\n".join(setup) + "\n\n" + call if setup else call
    lines += ["```bash", commands, "```", ""]
    return lines + _answer(outcome, urls)


def _parameters(operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters") or []
    if not parameters:
        return []
    lines = ["| Parameter | In | Type | Required | Description |", "|---|---|---|---|---|"]
    for p in parameters:
        required = "yes" if p.get("required") else ""
        description = " ".join(str(p.get("description", "")).split())
        lines.append(
            f"| `{p['name']}` | {p['in']} | {type_of(p.get('schema'))} | {required} "
            f"| {description} |"
        )
    return [*lines, ""]


def _body(operation: dict[str, Any]) -> list[str]:
    body = operation.get("requestBody")
    if body is None:
        return []
    schema = body["content"]["application/json"]["schema"]
    need = "required" if body.get("required") else "optional"
    return [f"Body ({need}, JSON): {type_of(schema)}", ""]


def _answers(operation: dict[str, Any]) -> list[str]:
    lines = ["| Status | Meaning | Body |", "|---|---|---|"]
    for status, response in operation["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        body = type_of(schema) if schema is not None else "none"
        lines.append(f"| {status} | {' '.join(response['description'].split())} | {body} |")
    return [*lines, ""]


def render_route(
    method: str,
    path: str,
    operation: dict[str, Any],
    outcomes: list[Outcome],
    urls: Urls,
    mismatch: str = "",
) -> list[str]:
    """One route: heading, summary, parameters, body, answers, examples."""
    lines = [f"### `{method} {path}` {{#{route_anchor(method, path)}}}", ""]
    lines += [operation["summary"] + ".", ""]
    if mismatch:
        lines += ['!!! bug "The OpenAPI document is wrong here"', "", f"    {mismatch}", ""]
    lines += _parameters(operation) + _body(operation) + _answers(operation)
    for outcome in outcomes:
        lines += render_example(outcome, urls)
    return lines


def _table(service: str, routes: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    lines = ["| Route | What it does |", "|---|---|"]
    for method, path, operation in routes:
        link = f"[`{method} {path}`](#{route_anchor(method, path)})"
        lines.append(f"| {link} | {operation['summary']} |")
    return [*lines, ""]


def _flags(options: dict[str, Any]) -> str:
    flags = [f"--{name.replace('_', '-')} {value}" for name, value in options.items()]
    return " ".join(["", *flags]) if flags else ""


def _intro(service: str, title: str, options: dict[str, Any]) -> list[str]:
    lines = [
        f"# {title} admin API",
        "",
        f"`python -m mocks.{service} --port 8080` serves the mock and its admin API under "
        f"`/__admin` on the same port (so do `{title}.start()` and the `mock_{service}` "
        'fixture: `mock.url + "/__admin/..."`). This page is written from the mock\'s '
        "own `GET /__admin/openapi.json` when the documentation is built, and every "
        "example below ran against a live mock then: the answers are the mock's.",
        "",
        "Bodies are JSON. Invalid input is answered `400` with "
        '`{"error": {"status", "message", "field", "details"}}`, where `field` names the '
        "offending value; with an admin token set (`--admin-token`), every route wants "
        "`Authorization: Bearer <token>` and answers `401` without it. "
        "See [the admin API overview](index.md) for the conventions.",
        "",
    ]
    if options:
        lines += [
            f"The examples ran against `python -m mocks.{service} --port 8080"
            f"{_flags(options)}`, with a stand-in for the application under test at "
            f"`{SHOWN_BOT_URL}` that answers every request it gets with `200`.",
            "",
        ]
    return lines


def _ordered(
    routes: list[tuple[str, str, dict[str, Any]]],
) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted(routes, key=lambda r: (r[1].rstrip("/"), _METHOD_ORDER.get(r[0], 9)))


def render_page(
    service: str,
    title: str,
    document: dict[str, Any],
    outcomes: list[Outcome],
    urls: Urls,
    options: dict[str, Any],
    known: dict[str, str] | None = None,
) -> str:
    """A mock's whole admin page."""
    by_route: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_route.setdefault(outcome.example.route, []).append(outcome)
    routes = routes_of(document)
    engine = [r for r in routes if not is_own(service, r[1])]
    own = [r for r in routes if is_own(service, r[1])]
    lines = _intro(service, title, {k: shown_text(str(v), urls) for k, v in options.items()})
    sections = [("Engine routes (every mock has them)", engine)]
    if own:
        sections.insert(0, (f"{title}'s own routes", _ordered(own)))
    for heading, group in sections:
        lines += [f"## {heading}", "", *_table(service, group)]
        for method, path, operation in group:
            found = by_route.get(f"{method} {path}", [])
            mismatch = (known or {}).get(f"{method} {path}", "")
            lines += render_route(method, path, operation, found, urls, mismatch)
    components = document["components"]["schemas"]
    names = closure(referenced(document["paths"]), components)
    lines += ["## Schemas", "", "The types the routes above take and answer.", ""]
    for name in names:
        lines.append(render_schema(name, components[name]))
    return "\n".join(lines)


def build_page(service: str, cls: type[BaseMock]) -> AdminPage:
    """Start the mock (and a stand-in bot), run its examples, and write its page."""
    book = load_examples()
    known = book.mismatches.get(service, {})
    with start_bot() as bot:
        variables = {"bot": bot.url}
        options = fill(book.options.get(service, {}), variables)
        with cls.start(**options) as mock:
            urls = {mock.url: SHOWN_URL, bot.url: SHOWN_BOT_URL}
            document = mock.openapi()
            outcomes = run_examples(service, mock, variables)
            title = cls.__name__
            markdown = render_page(service, title, document, outcomes, urls, options, known)
            problems = check(service, document, outcomes, known)
    return AdminPage(service, cls.__name__, markdown, outcomes, problems)


def build_pages() -> Iterator[AdminPage]:
    """The page of every available mock, in the registry's order."""
    for service, cls in available_mocks().items():
        yield build_page(service, cls)


def render_index(pages: list[AdminPage]) -> str:
    """The admin API's overview page: conventions, and a link per mock."""
    mocks = "\n".join(
        f"- [{page.title}]({page.service}.md): `python -m mocks.{page.service}`" for page in pages
    )
    return INDEX.format(mocks=mocks)


INDEX = """\
# The admin API

Every mock serves an admin API under `/__admin` on its own port: a test written in any
language programs it, reads what it received and checks it over plain HTTP, as the
Python API does in-process. The routes of the engine (expectations, the journal,
verify, reset, settings, scenarios, health) are the same on every mock; a mock adds its
own under `/__admin/<service>/`. Each mock describes its routes in
`GET /__admin/openapi.json` (OpenAPI 3.1); the pages below are written from it.

{mocks}

## Conventions

- Bodies and answers are JSON (`Content-Type: application/json`). An expectation
  posted here is the same model the Python API builds (`ExpectationSpec`), and the
  same JSON a stub file holds (`--stubs FILE|DIR`).
- Invalid input is a `400` whose body names the offending field:

    ```json
    {{"error": {{"status": 400, "message": "matcher: Field required", "field": "matcher",
               "details": [{{"loc": ["matcher"], "field": "matcher",
                            "message": "Field required", "type": "missing"}}]}}}}
    ```

  Unknown fields are refused the same way, so a typo never passes silently. A route
  that does not exist is a `404` pointing at `/__admin/openapi.json`; a method the
  route does not take is a `405` listing those it does.
- With `--admin-token TOKEN` (or `$MOCKS_ADMIN_TOKEN`), every admin route wants
  `Authorization: Bearer TOKEN` and answers `401` without it. The mocked API's own
  routes are not affected.
- `GET /__admin/verify` answers `200` when everything held and `409` with the same
  report `verify()` raises otherwise, so a shell script can fail a CI job on it:
  `curl -sf $MOCK_HTTP_URL/__admin/verify`.
"""

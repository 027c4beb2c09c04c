"""Requests generated from each mock's own request contracts (hypothesis-jsonschema),
sent over a real socket (as JSON, or as a form to the OAuth endpoints), some of them
with one value swapped for something of another shape. Whatever arrives: no answer is a
5xx (unless the real API answers that request with one), a 4xx is the API's own error
envelope, a JSON 2xx holds its response contract, and the journal keeps every request.
Targets whose success path is cheap to reach pin a few fields to working values and must
see at least one 2xx.

CI runs a small budget; ``MOCKS_FUZZ_EXAMPLES=500 pytest tests/fuzz`` runs a long one.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlencode

import hypothesis
import pytest
import requests
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from mocks import MockLLM, MockTeams, MockWhatsApp, MockZitadel
from mocks.core import BaseMock, Contracts

#: The suite's fuzz settings (tests/conftest.py), with twice its examples per target.
FUZZ = hypothesis.settings.get_profile("fuzz")
#: Values of another shape a mutation puts somewhere in a valid request.
ODD: list[Any] = [None, 0, -1, 1.5, "", "x" * 3000, [], {}, [None], True, {"{{": "}}"}]
#: The WhatsApp user the generated sends go to (allowed on the mock).
RECIPIENT = "15551234567"
#: How deep references are inlined before a schema gives up and takes anything.
MAX_DEPTH = 6


@dataclass(frozen=True)
class Target:
    """One route: where to send, which contracts hold, which error envelope answers.

    The path, the header values and string `pinned` values may name the mock's fixtures
    in braces (``{phone}``, ``{pat}``): see `_fixtures`.
    """

    service: str
    path: str
    request: str
    response: str | None
    error: str
    headers: dict[str, str] = field(default_factory=dict)
    #: For a contract that is one of several shapes chosen by ``type`` (WhatsApp's
    #: messages): the shape to generate.
    variant: str | None = None
    #: How the body is sent: JSON, or an HTML form (the OAuth endpoints).
    encoding: Literal["json", "form"] = "json"
    #: Top-level fields fixed to one value, so that generated requests reach the success
    #: path (a mutation can still change them).
    pinned: dict[str, Any] = field(default_factory=dict)
    #: What sets this target apart from another on the same contract (its test id).
    label: str = ""
    #: At least one request must be answered with a 2xx, so the target is not vacuous.
    succeeds: bool = False
    #: Fields of the requests the real API answers with a 5xx (in its error envelope).
    server_error_when: dict[str, str] = field(default_factory=dict)

    def answers_server_error(self, body: Any) -> bool:
        """Whether the real API answers `body` with a 5xx."""
        wanted = self.server_error_when.items()
        return bool(wanted) and isinstance(body, dict) and wanted <= body.items()


LLM_KEY = {"Authorization": "Bearer sk-fuzz"}
ANTHROPIC = {"x-api-key": "sk-fuzz", "anthropic-version": "2023-06-01"}
GEMINI = {"x-goog-api-key": "gk-fuzz"}
GEMINI_MODEL = "/v1beta/models/gemini-2.5-flash"
#: The token `_fixtures` gets from the mock (WhatsApp's, Teams').
BEARER = {"Authorization": "Bearer {token}"}
#: Zitadel's v2 APIs take a personal access token; its OAuth endpoints an application's
#: Basic credentials (a web application's; introspection wants an API application's).
PAT = {"Authorization": "Bearer {pat}"}
WEB_APP_BASIC = {"Authorization": "Basic {web_basic}"}
API_APP_BASIC = {"Authorization": "Basic {api_basic}"}
USER_SERVICE = "/zitadel.user.v2.UserService"
#: Zitadel answers every failed JWT-profile grant with a 500 ``server_error``.
JWT_PROFILE_GRANT = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}
ZITADEL_TARGETS = [
    Target(
        "zitadel",
        "/oauth/v2/token",
        "token.request",
        "token.response",
        "oauth-error",
        WEB_APP_BASIC,
        encoding="form",
        server_error_when=JWT_PROFILE_GRANT,
    ),
    Target(
        "zitadel",
        "/oauth/v2/token",
        "token.request",
        "token.response",
        "oauth-error",
        encoding="form",
        pinned={
            "grant_type": "client_credentials",
            "client_id": "{robot}",
            "client_secret": "{robot_secret}",
            "scope": "openid profile",
        },
        label="client_credentials",
        succeeds=True,
    ),
    Target(
        "zitadel",
        "/oauth/v2/introspect",
        "introspect.request",
        "introspect.response",
        "oauth-error",
        API_APP_BASIC,
        encoding="form",
        pinned={"token": "{access_token}"},
        succeeds=True,
    ),
    Target(
        "zitadel",
        "/oauth/v2/revoke",
        "revoke.request",
        None,
        "oauth-error",
        WEB_APP_BASIC,
        encoding="form",
        succeeds=True,
    ),
    Target(
        "zitadel",
        "/oauth/v2/device_authorization",
        "device_authorization.request",
        "device_authorization.response",
        "oauth-error",
        encoding="form",
        pinned={"client_id": "{device_client}"},
        succeeds=True,
    ),
    Target(
        "zitadel",
        "/v2/users/human",
        "user.add_human.request",
        "user.add_human.response",
        "rest-error",
        PAT,
        pinned={
            "profile": {"givenName": "Fuzz", "familyName": "Tester"},
            "email": {"email": "fuzz@example.com"},
        },
        succeeds=True,
    ),
    Target(
        "zitadel",
        "/v2/users",
        "user.list.request",
        "user.list.response",
        "rest-error",
        PAT,
        succeeds=True,
    ),
    *[
        Target(
            "zitadel",
            f"{USER_SERVICE}/{method}",
            f"user.{name}.request",
            f"user.{name}.response",
            "connect-error",
            PAT,
            pinned={"userId": "{user_id}"},
            succeeds=True,
        )
        for method, name in (
            ("GetUserByID", "get"),
            ("SetPassword", "set_password"),
            ("DeleteUser", "delete"),
        )
    ],
    Target(
        "zitadel",
        "/v2/sessions",
        "session.create.request",
        "session.create.response",
        "rest-error",
        PAT,
        succeeds=True,
    ),
    Target(
        "zitadel",
        "/zitadel.authorization.v2.AuthorizationService/CreateAuthorization",
        "authorization.create.request",
        "authorization.create.response",
        "connect-error",
        PAT,
        pinned={"userId": "{user_id}", "projectId": "{project_id}"},
        succeeds=True,
    ),
    Target(
        "zitadel",
        "/zitadel.oidc.v2.OIDCService/CreateCallback",
        "oidc.create_callback.request",
        "oidc.create_callback.response",
        "connect-error",
        PAT,
    ),
]
TARGETS = [
    Target("llm", "/v1/chat/completions", "chat_request", "chat_response", "error", LLM_KEY),
    Target("llm", "/v1/completions", "completion_request", "completion_response", "error", LLM_KEY),
    Target("llm", "/v1/embeddings", "embedding_request", "embedding_response", "error", LLM_KEY),
    Target(
        "llm",
        "/v1/messages",
        "anthropic_request",
        "anthropic_message",
        "anthropic_error",
        ANTHROPIC,
    ),
    Target(
        "llm",
        "/v1/messages/batches",
        "anthropic_batch_request",
        "anthropic_message_batch",
        "anthropic_error",
        ANTHROPIC,
    ),
    Target(
        "llm",
        "/v1/messages/count_tokens",
        "anthropic_count_tokens_request",
        "anthropic_count_tokens",
        "anthropic_error",
        ANTHROPIC,
    ),
    Target(
        "llm",
        f"{GEMINI_MODEL}:generateContent",
        "gemini_generate_request",
        "gemini_generate_response",
        "gemini_error",
        GEMINI,
    ),
    Target(
        "llm",
        f"{GEMINI_MODEL}:countTokens",
        "gemini_count_tokens_request",
        "gemini_count_tokens_response",
        "gemini_error",
        GEMINI,
    ),
    *[
        Target(
            "whatsapp",
            "/v23.0/{phone}/messages",
            "message.request",
            "messages.response",
            "error",
            BEARER,
            variant=kind,
        )
        # interactive's four shapes take the generator a minute: the WhatsApp robustness
        # test mutates hand-written ones instead
        for kind in ("text", "template", "image", "location", "contacts", "reaction")
    ],
    Target(
        "teams",
        "/v3/conversations/{conversation}/activities",
        "activity",
        "resource.response",
        "error",
        BEARER,
    ),
    *ZITADEL_TARGETS,
]


def inlined(contracts: Contracts, name: str) -> dict[str, Any]:
    """Contract `name` with every ``$ref`` (local or to a sibling file) replaced by what it
    points at, so a generator sees one self-contained schema; recursion stops at
    `MAX_DEPTH` with an empty schema (anything)."""
    folder = contracts.folder
    documents: dict[str, Any] = {}

    def load(file: str) -> Any:
        if file not in documents:
            documents[file] = json.loads((folder / file).read_text())
        return documents[file]

    def resolve(node: Any, file: str, depth: int) -> Any:
        if isinstance(node, list):
            return [resolve(item, file, depth) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            if depth >= MAX_DEPTH:
                return {}
            target_file, _, pointer = str(node["$ref"]).partition("#")
            target_file = target_file or file
            found = load(target_file)
            for part in [p for p in pointer.split("/") if p]:
                found = found[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            merged = resolve(found, target_file, depth + 1)
            return {**merged, **resolve(siblings, file, depth)} if siblings else merged
        return {
            key: resolve(value, file, depth)
            for key, value in node.items()
            if key not in ("$id", "$schema", "$defs", "definitions")
        }

    schema: dict[str, Any] = resolve(load(f"{name}.json"), f"{name}.json", 0)
    return schema


def narrowed(schema: dict[str, Any], kind: str, recipient: str) -> dict[str, Any]:
    """A WhatsApp send of one `kind` to `recipient`: the contract's ``if type then
    property`` rules spelt out, which a generator cannot afford to work out itself
    (eleven of them multiply into thousands of alternatives)."""
    kinds = schema["properties"]["type"]["enum"]
    properties = {
        name: rule
        for name, rule in schema["properties"].items()
        if name not in kinds or name == kind
    }
    properties.update(type={"const": kind}, to={"const": recipient})
    rest = {k: v for k, v in schema.items() if k not in ("allOf", "anyOf", "properties")}
    return {**rest, "properties": properties, "required": ["messaging_product", "type", "to", kind]}


def pinned(schema: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the top-level fields of `values` required and fixed to them."""
    if not values:
        return schema
    properties = {**schema.get("properties", {}), **{k: {"const": v} for k, v in values.items()}}
    required = sorted({*schema.get("required", []), *values})
    return {**schema, "properties": properties, "required": required}


def form_body(document: Any) -> str:
    """`document` as a form body: each field a string, or else its JSON text (a form holds
    text only); a document that is not an object is sent as its JSON text, raw."""
    if not isinstance(document, dict):
        return json.dumps(document)
    return urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in document.items()})


def encoded(document: Any, encoding: str) -> tuple[str, str]:
    """The body and its content type for sending `document` as `encoding`."""
    if encoding == "form":
        return form_body(document), "application/x-www-form-urlencoded"
    return json.dumps(document), "application/json"


def mutated(data: st.DataObject, document: Any, depth: int = 0) -> Any:
    """`document` with one value somewhere swapped for one of `ODD`."""
    if isinstance(document, dict) and document and depth < 6:
        key = data.draw(st.sampled_from(sorted(document)))
        return {**document, key: mutated(data, document[key], depth + 1)}
    if isinstance(document, list) and document and depth < 6:
        index = data.draw(st.integers(0, len(document) - 1))
        copied = list(document)
        copied[index] = mutated(data, document[index], depth + 1)
        return copied
    return data.draw(st.sampled_from(ODD))


def _basic(client_id: str, secret: str) -> str:
    """HTTP Basic credentials, each form-url-encoded first as RFC 6749 asks."""
    return base64.b64encode(
        f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    ).decode()


def _zitadel_fixtures(zitadel: MockZitadel) -> dict[str, str]:
    """Applications, a service user with its token and a user with an access token."""
    web = zitadel.create_application("fuzz-web", redirect_uris=["http://127.0.0.1/cb"])
    api = zitadel.create_application("fuzz-api", kind="api")
    tv = zitadel.create_application("fuzz-tv", kind="native")  # the device code grant
    robot = zitadel.add_service_user("fuzz-robot", with_key=False)
    alice = zitadel.create_test_user("alice@example.com")
    assert web.client_secret and api.client_secret and robot.secret
    return {
        "web_basic": _basic(web.client_id, web.client_secret),
        "api_basic": _basic(api.client_id, api.client_secret),
        "device_client": tv.client_id,
        "robot": robot.username,
        "robot_secret": robot.secret,
        "pat": zitadel.create_personal_access_token(robot),
        "user_id": alice.id,
        "project_id": zitadel.project_id,
        "access_token": zitadel.issue_token(alice, web).access_token,
    }


def _fixtures(mock: BaseMock, teams_token: Callable[[MockTeams], str]) -> dict[str, str]:
    """What a target's braces name, made on `mock` (its state is fresh from a reset)."""
    if isinstance(mock, MockWhatsApp):
        mock.allow_recipient(RECIPIENT)
        return {"phone": mock.phone_number_id, "token": mock.access_token}
    if isinstance(mock, MockTeams):
        return {"conversation": mock.conversation("fuzz").id, "token": teams_token(mock)}
    if isinstance(mock, MockZitadel):
        return _zitadel_fixtures(mock)
    return {}


def _filled(values: dict[str, Any], fixtures: dict[str, str]) -> dict[str, Any]:
    """`values` with the fixtures their strings name in braces filled in."""
    return {
        key: value.format_map(fixtures) if isinstance(value, str) else value
        for key, value in values.items()
    }


@pytest.fixture(scope="module")
def mocks() -> Iterator[dict[str, BaseMock]]:
    """One mock of each service the targets name, started for the module."""
    with (
        MockLLM.start() as llm,
        MockWhatsApp.start() as whatsapp,
        MockTeams.start() as teams,
        MockZitadel.start() as zitadel,
    ):
        yield {"llm": llm, "whatsapp": whatsapp, "teams": teams, "zitadel": zitadel}


def _schema(target: Target, contracts: Contracts, fixtures: dict[str, str]) -> dict[str, Any]:
    """What the generator draws from for `target`: its request contract, narrowed."""
    schema = inlined(contracts, target.request)
    if target.variant is not None:
        schema = narrowed(schema, target.variant, RECIPIENT)
    return pinned(schema, _filled(target.pinned, fixtures))


@pytest.mark.parametrize(
    "target",
    TARGETS,
    ids=lambda t: ":".join(part for part in (t.service, t.request, t.variant, t.label) if part),
)
def test_generated_requests_get_the_apis_answers(
    target: Target, mocks: dict[str, BaseMock], teams_token: Callable[[MockTeams], str]
) -> None:
    mock = mocks[target.service]
    mock.reset()
    contracts = Contracts(target.service)
    fixtures = _fixtures(mock, teams_token)
    url = mock.url + target.path.format_map(fixtures)
    headers = _filled(target.headers, fixtures)
    schema = _schema(target, contracts, fixtures)
    problems: list[str] = []
    statuses: list[int] = []
    sent = len(mock.requests)  # a token fetched to prepare is journaled too

    @hypothesis.settings(FUZZ, max_examples=FUZZ.max_examples * 2)
    @hypothesis.given(document=from_schema(schema), data=st.data())
    def run(document: Any, data: st.DataObject) -> None:
        nonlocal sent
        body = mutated(data, copy.deepcopy(document)) if data.draw(st.booleans()) else document
        payload, content_type = encoded(body, target.encoding)
        answer = requests.post(
            url,
            data=payload.encode(),
            headers={**headers, "Content-Type": content_type},
            timeout=30,
        )
        sent += 1
        statuses.append(answer.status_code)
        problem = _judge(answer, target, contracts, body)
        if problem:
            problems.append(f"{payload[:300]} -> {answer.status_code}: {problem}")

    run()
    assert problems == []
    assert len(mock.requests) == sent  # the journal lost nothing
    if target.succeeds:
        assert any(200 <= status < 300 for status in statuses), statuses


def _judge(
    answer: requests.Response, target: Target, contracts: Contracts, body: Any
) -> str | None:
    """What is wrong with `answer` to `body` (None when it is an answer the API could give)."""
    if answer.status_code >= 500 and not target.answers_server_error(body):
        return "a server error"
    if "json" not in answer.headers.get("Content-Type", ""):
        return None if answer.ok else "an error that is not JSON"
    document = answer.json()
    if answer.status_code >= 400:
        violation = contracts.check(target.error, document)
        return None if violation is None else f"not the API's error envelope: {violation}"
    if target.response is not None:
        violation = contracts.check(target.response, document)
        return None if violation is None else f"breaks {target.response}: {violation}"
    return None

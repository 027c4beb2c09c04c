"""Our contracts agree with the Bot Connector API description.

``contracts/teams/*.json`` are our own schemas. ``connector_spec_facts.json`` holds the
facts of the published description (each definition's properties and their JSON types,
and the ``required`` lists of the protocol schema), extracted by
``extract_connector_spec_facts.py`` from the reference files beside the repository.

For each contract paired with a definition, at every level where both describe an object:
- every property we declare exists in the definition, with the same JSON type;
- a shape the mock *accepts* requires no field the spec leaves optional (we never refuse
  what the service takes);
- a shape the mock *emits* requires every field the spec requires (we always send them).

Differences that are deliberate (the wire differs from the description) are listed in
`DEVIATIONS` with the reason; the test fails if one disappears, so the list stays true.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pytest

HERE = Path(__file__).resolve().parent
CONTRACTS = HERE.parents[1] / "contracts" / "teams"
FACTS_FILE = HERE / "connector_spec_facts.json"

Role = Literal["accepts", "emits"]

#: contract -> (definition, role). "X[]" is an array of X.
PAIRS: dict[str, tuple[str, Role]] = {
    "activity": ("Activity", "accepts"),
    "incoming_activity": ("Activity", "emits"),
    "expected_replies": ("ExpectedReplies", "accepts"),
    "channel_account": ("ChannelAccount", "accepts"),
    "teams_channel_account": ("ChannelAccount", "emits"),
    "conversation_account": ("ConversationAccount", "accepts"),
    "attachment": ("Attachment", "accepts"),
    "conversation_parameters.request": ("ConversationParameters", "accepts"),
    "transcript.request": ("Transcript", "accepts"),
    "attachment_data.request": ("AttachmentData", "accepts"),
    "resource.response": ("ResourceResponse", "emits"),
    "conversation_resource.response": ("ConversationResourceResponse", "emits"),
    "conversations.response": ("ConversationsResult", "emits"),
    "members.response": ("ChannelAccount[]", "emits"),
    "member.response": ("ChannelAccount", "emits"),
    "paged_members.response": ("PagedMembersResult", "emits"),
    "attachment_info.response": ("AttachmentInfo", "emits"),
    "connector_error": ("ErrorResponse", "emits"),
}

#: Contracts of shapes the API description does not cover, and why.
NOT_IN_SPEC = {
    "team_details.response": "Teams-only route (/v3/teams/{id}), in neither API description",
    "team_channels.response": "Teams-only route (/v3/teams/{id}/conversations)",
    "auth_denied": "the web framework's 401, written before the API is reached",
    "aad_error": "Entra ID's token endpoint, not the connector",
    "error": "the union of connector_error, auth_denied and aad_error",
    "token.request": "Entra ID's token endpoint",
    "token.response": "Entra ID's token endpoint",
    "access_token.claims": "Entra ID's access token",
    "channel_token.claims": "the channel's JWT, described by botbuilder's validation code",
    "openid_metadata.response": "the channel's OpenID metadata document",
    "jwks.response": "the channel's key set",
    "adaptive_card_invoke.response": "a bot's invoke answer, a botbuilder model",
    "messaging_extension.response": "a bot's invoke answer, a Teams botbuilder model",
}

#: (contract, path, problem kind) -> why the difference is deliberate.
DEVIATIONS: dict[tuple[str, str, str], str] = {
    ("activity", "value", "type"): (
        "an activity's value is any JSON (Action.Submit data, strings in trace and event "
        "activities); the description narrows it to an object"
    ),
    ("attachment", "content", "type"): (
        "Teams puts the HTML copy of a message in an attachment whose content is a string"
    ),
    ("activity", "suggestedActions.actions[].value", "type"): (
        "a card action's value is any JSON (imBack sends a string)"
    ),
    ("activity", "suggestedActions.actions[].channelData", "type"): (
        "a card action's channelData is any JSON"
    ),
    ("teams_channel_account", "givenName", "extra"): "Teams' TeamsChannelAccount profile field",
    ("teams_channel_account", "surname", "extra"): "Teams' TeamsChannelAccount profile field",
    ("teams_channel_account", "email", "extra"): "Teams' TeamsChannelAccount profile field",
    ("teams_channel_account", "userPrincipalName", "extra"): (
        "Teams' TeamsChannelAccount profile field"
    ),
    ("teams_channel_account", "tenantId", "extra"): "Teams' TeamsChannelAccount profile field",
    ("teams_channel_account", "userRole", "extra"): "Teams' TeamsChannelAccount profile field",
    ("conversation_resource.response", "$", "required-missing"): (
        "Teams answers a 1:1 create with the id alone: activityId only when an activity was "
        "sent, serviceUrl never"
    ),
    ("conversations.response", "$", "required-missing"): (
        "continuationToken is absent when there are no more conversations"
    ),
    ("paged_members.response", "$", "required-missing"): (
        "continuationToken is absent on the last page (the description's own text says so)"
    ),
}


@cache
def facts() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FACTS_FILE.read_text())
    return document


@cache
def load(file: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CONTRACTS / file).read_text())
    return document


@dataclass
class Merged:
    """A schema with its refs, allOf parts and sibling keywords folded together."""

    types: set[str] = field(default_factory=set)
    properties: dict[str, list[tuple[dict[str, Any], str]]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    items: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def absorb(self, other: Merged) -> None:
        self.types |= other.types
        for name, nodes in other.properties.items():
            self.properties.setdefault(name, []).extend(nodes)
        self.required |= other.required
        self.items.extend(other.items)


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}
    return names.get(type(value), "object")


def deref(ref: str, file: str) -> tuple[dict[str, Any], str]:
    target_file, _, pointer = ref.partition("#")
    target_file = target_file or file
    node: Any = load(target_file)
    for part in pointer.strip("/").split("/") if pointer else []:
        node = node[part]
    return node, target_file


def merged(schema: dict[str, Any], file: str) -> Merged:
    result = Merged()
    if "$ref" in schema:
        result.absorb(merged(*deref(schema["$ref"], file)))
    for part in schema.get("allOf", ()):
        result.absorb(merged(part, file))
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, ()):
            result.types |= merged(branch, file).types
    declared = schema.get("type")
    if isinstance(declared, str):
        result.types.add(declared)
    elif isinstance(declared, list):
        result.types.update(declared)
    if "const" in schema:
        result.types.add(_json_type(schema["const"]))
    for value in schema.get("enum", ()):
        result.types.add(_json_type(value))
    for name, sub in schema.get("properties", {}).items():
        result.properties.setdefault(name, []).append((sub, file))
    if result.properties:
        result.types.add("object")
    result.required |= set(schema.get("required", ()))
    if "items" in schema:
        result.items.append((schema["items"], file))
    if not result.types and not any(k in schema for k in ("$ref", "allOf", "anyOf", "oneOf")):
        result.types.add("any")
    return result


def merge_all(nodes: list[tuple[dict[str, Any], str]]) -> Merged:
    result = Merged()
    for schema, file in nodes:
        result.absorb(merged(schema, file))
    return result


def _pure_file_ref(nodes: list[tuple[dict[str, Any], str]]) -> str | None:
    """The contract a property only points at (``{"$ref": "x.json"}`` everywhere), or None."""
    refs = {schema.get("$ref") for schema, _ in nodes}
    if len(refs) != 1 or any(set(schema) != {"$ref"} for schema, _ in nodes):
        return None
    ref = refs.pop()
    if not isinstance(ref, str) or "#" in ref:
        return None
    return ref.removesuffix(".json")


def _owner(nodes: list[tuple[dict[str, Any], str]]) -> str:
    """The contract that declares a node (the last one, where sibling keywords refine it)."""
    return nodes[-1][1].removesuffix(".json")


def _role(nodes: list[tuple[dict[str, Any], str]]) -> Role:
    """A node is checked with the role of the contracts that declare it."""
    roles = {PAIRS.get(file.removesuffix(".json"), ("", "accepts"))[1] for _, file in nodes}
    return "emits" if "emits" in roles else "accepts"


class Comparison:
    """Walks one contract against its definition, collecting (owner, path, kind, message);
    the owner is the contract that declares the node in question."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str, str, str]] = []

    def problem(self, owner: str, path: str, kind: str, message: str) -> None:
        self.problems.append((owner, path or "$", kind, message))

    def object(
        self, mine: Merged, nodes: list[tuple[dict[str, Any], str]], definition: str, path: str
    ) -> None:
        spec = facts()["definitions"][definition]
        spec_required = set(spec.get("protocol_required", [])) | set(spec["required"])
        owner, role = _owner(nodes), _role(nodes)
        if role == "accepts" and not mine.required <= spec_required:
            extra = sorted(mine.required - spec_required)
            self.problem(owner, path, "required-stricter", f"requires {extra}, optional in spec")
        if role == "emits" and not spec_required <= mine.required:
            missing = sorted(spec_required - mine.required)
            self.problem(owner, path, "required-missing", f"{definition} requires {missing}")
        for name, sub in sorted(mine.properties.items()):
            where = f"{path}.{name}" if path else name
            theirs = spec["properties"].get(name)
            if theirs is None:
                self.problem(_owner(sub), where, "extra", f"not a property of {definition}")
                continue
            self.value(sub, theirs, where)

    def value(
        self, nodes: list[tuple[dict[str, Any], str]], theirs: dict[str, Any], path: str
    ) -> None:
        mine = merge_all(nodes)
        types = mine.types - {"null"}
        owner = _owner(nodes)
        if "ref" in theirs:
            if types != {"object"}:
                self.problem(owner, path, "type", f"is {sorted(types)}, not {theirs['ref']}")
                return
            pointed = _pure_file_ref(nodes)
            if pointed is None:
                self.object(mine, nodes, theirs["ref"], path)
            elif PAIRS.get(pointed, ("?", ""))[0] != theirs["ref"]:
                self.problem(owner, path, "type", f"points at {pointed}, not {theirs['ref']}")
            return
        if types != {theirs["type"]}:
            self.problem(owner, path, "type", f"is {sorted(types)}, the spec's is {theirs['type']}")
            return
        if theirs["type"] == "array" and mine.items:
            self.value(mine.items, theirs["items"], f"{path}[]")


def compare(contract: str) -> list[tuple[str, str, str, str]]:
    """Every disagreement of `contract` with its definition: (owner, path, kind, message)."""
    definition = PAIRS[contract][0]
    comparison = Comparison()
    nodes = [(load(f"{contract}.json"), f"{contract}.json")]
    if definition.endswith("[]"):
        top = merge_all(nodes)
        if top.types - {"null"} != {"array"}:
            comparison.problem(contract, "$", "type", "is not an array")
        else:
            comparison.value(top.items, {"ref": definition.removesuffix("[]")}, "[]")
    else:
        comparison.value(nodes, {"ref": definition}, "")
    return comparison.problems


def test_the_facts_name_their_source() -> None:
    sources = facts()["sources"]
    assert set(sources) == {"botframework-channel.json", "botframework-protocol-schema.json"}
    assert sources["botframework-channel.json"]["version"] == "3.1.12"
    assert all(len(info["sha256"]) == 64 for info in sources.values())


def test_every_contract_is_paired_or_explained() -> None:
    names = {path.stem for path in CONTRACTS.glob("*.json")}
    assert names == set(PAIRS) | set(NOT_IN_SPEC)
    assert not set(PAIRS) & set(NOT_IN_SPEC)


@pytest.mark.parametrize("contract", sorted(PAIRS))
def test_contract_agrees_with_the_api_description(contract: str) -> None:
    unexplained = [
        f"{owner}: {path}: {message}"
        for owner, path, kind, message in compare(contract)
        if (owner, path, kind) not in DEVIATIONS
    ]
    assert not unexplained, "\n".join(unexplained)


def test_every_listed_deviation_still_exists() -> None:
    found = {problem[:3] for contract in PAIRS for problem in compare(contract)}
    stale = [key for key in DEVIATIONS if key not in found]
    assert not stale, f"deviations no longer needed: {stale}"


def test_the_comparison_catches_a_wrong_type_and_a_missing_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = json.loads(json.dumps(load("resource.response.json")))
    broken["properties"]["id"] = {"type": "integer"}
    broken["required"] = []
    monkeypatch.setitem(globals(), "load", lambda file: broken)
    problems = {(path, kind) for _, path, kind, _ in compare("resource.response")}
    assert problems == {("id", "type"), ("$", "required-missing")}

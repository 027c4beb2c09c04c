"""Regenerate ``spec_facts.json``: the facts of Meta's OpenAPI our contracts are checked against.

Reads ``business-messaging-api_v23.0.yaml`` from ``shared/reference/whatsapp/`` beside the
repository (``../shared``, searched upwards; never part of the repository), flattens the
schema of each shape our contracts describe (see :data:`PAIRS`) into required fields,
property names and JSON types per node, and writes them, with the source's name, version
and digest, next to this script. The test reads only that committed file.

Run from the repository root::

    python tests/whatsapp/extract_spec_facts.py [path/to/business-messaging-api_v23.0.yaml]
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from schema_facts import Flattener, prune, subtree

HERE = Path(__file__).resolve().parent
SPEC_NAME = "business-messaging-api_v23.0.yaml"
OUTPUT = HERE / "spec_facts.json"

#: Our contract (and the node in it) -> where the same shape is in Meta's spec. A locator
#: is ``schema:<Component>`` or ``op:<method> <path> <status|request> <media type>``;
#: ``at``/``spec_at`` pick a node inside (ours/theirs), ``prune`` drops a subtree from both
#: sides, ``extra: allowed`` lets ours name properties the spec's node does not.
PAIRS: dict[str, dict[str, str]] = {
    "send a message": {"ours": "message.request", "spec": "schema:Message"},
    "read receipt": {"ours": "read.request", "spec": "schema:MarkMessageRequestPayload"},
    "send accepted": {"ours": "message.response", "spec": "schema:MessageResponsePayload"},
    "success": {"ours": "success.response", "spec": "schema:SuccessResponse"},
    "media upload": {
        "ours": "media.upload.request",
        "spec": "op:post /{Version}/{Phone-Number-ID}/media request multipart/form-data",
    },
    "media uploaded": {
        "ours": "media.upload.response",
        "spec": "op:post /{Version}/{Phone-Number-ID}/media 200 application/json",
    },
    "media metadata": {
        "ours": "media.response",
        "spec": "op:get /{Version}/{Media-ID} 200 application/json",
    },
    "phone number": {"ours": "phone_number.response", "spec": "schema:PhoneNumberInfo"},
    "business account": {
        "ours": "account.response",
        "spec": "op:get /{Version}/{WABA-ID} 200 application/json",
    },
    "business profile": {
        "ours": "business_profile.response",
        "spec": "schema:WhatsAppBusinessProfileResponse",
    },
    "templates listed": {
        "ours": "templates.list.response",
        "spec": "op:get /{Version}/{WABA-ID}/message_templates 200 application/json",
    },
    "template create": {
        "ours": "template.create.request",
        "spec": "op:post /{Version}/{WABA-ID}/message_templates request application/json",
    },
    "template created": {
        "ours": "template.create.response",
        "spec": "op:post /{Version}/{WABA-ID}/message_templates 200 application/json",
    },
    "graph error": {"ours": "error", "spec": "schema:GraphAPIError"},
    "webhook": {
        "ours": "webhook",
        "spec": "schema:WebhookPayload",
        # the spec's incoming-message union points at the outbound message schemas; the
        # incoming shapes are compared one by one below instead
        "prune": "entry[].changes[].value.messages[]",
    },
    "incoming message": {
        "ours": "webhook.message",
        "spec": "schema:BaseMessageProperties_1",
        "extra": "allowed",  # the spec's base lists only the fields every message shares
    },
    "incoming text": {
        "ours": "webhook.message",
        "at": "text",
        "spec": "schema:TextMessage_2",
        "spec_at": "text",
    },
    "incoming media": {
        "ours": "webhook.media",
        "spec": "schema:ImageMessage_1",
        "spec_at": "image",
    },
    "incoming document": {
        "ours": "webhook.media",
        "spec": "schema:DocumentMessage_1",
        "spec_at": "document",
    },
    "incoming location": {
        "ours": "webhook.message",
        "at": "location",
        "spec": "schema:LocationMessage_1",
        "spec_at": "location",
    },
    "incoming contacts": {
        "ours": "webhook.message",
        "at": "contacts",
        "spec": "schema:ContactSharingMessage",
        "spec_at": "contacts",
    },
    "incoming reaction": {
        "ours": "webhook.message",
        "at": "reaction",
        "spec": "schema:ReactionMessage_1",
        "spec_at": "reaction",
    },
    "incoming reply": {
        "ours": "webhook.message",
        "at": "interactive",
        "spec": "schema:InteractiveMessageReply",
        "spec_at": "interactive",
    },
    "incoming reply context": {
        "ours": "webhook.message",
        "at": "context",
        "spec": "schema:InteractiveMessageReply",
        "spec_at": "context",
    },
    "incoming template button": {
        "ours": "webhook.message",
        "at": "button",
        "spec": "schema:ButtonMessage",
        "spec_at": "button",
    },
    "webhook status": {"ours": "webhook.status", "spec": "schema:Statuses"},
    "webhook contact": {"ours": "webhook.contact", "spec": "schema:ContactProfile"},
}


def locate(document: dict[str, Any], locator: str) -> Any:
    """The schema a locator names."""
    kind, _, rest = locator.partition(":")
    if kind == "schema":
        return {"$ref": f"#/components/schemas/{rest}"}
    method, path, status, media_type = rest.split(" ")
    operation = document["paths"][path][method]
    if status == "request":
        return operation["requestBody"]["content"][media_type]["schema"]
    return operation["responses"][status]["content"][media_type]["schema"]


def extract(spec_file: Path) -> dict[str, Any]:
    """The facts file's content for `spec_file`."""
    raw = spec_file.read_bytes()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(raw, Loader=loader)

    def resolve(ref: str) -> Any:
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        return target

    flattener = Flattener(resolve)
    shapes = {}
    for name, pair in PAIRS.items():
        facts = flattener.flatten(locate(document, pair["spec"]))
        found = subtree(facts, pair.get("spec_at", ""))
        if "prune" in pair:
            found = prune(found, pair["prune"])
        shapes[name] = {**pair, "facts": found}
    return {
        "source": {
            "file": spec_file.name,
            "repository": "github.com/facebook/openapi",
            "version": document["info"]["version"],
            "sha256": hashlib.sha256(raw).hexdigest(),
        },
        "note": "Generated by extract_spec_facts.py; facts only (paths, types, required fields).",
        "shapes": shapes,
    }


def default_spec() -> Path:
    """``shared/reference/whatsapp/`` beside the repository (or beside a folder holding it)."""
    for folder in HERE.parents[1].parents:
        candidate = folder / "shared" / "reference" / "whatsapp" / SPEC_NAME
        if candidate.is_file():
            return candidate
    return HERE.parents[1].parent / "shared" / "reference" / "whatsapp" / SPEC_NAME


def main(argv: list[str]) -> int:
    spec_file = Path(argv[1]) if len(argv) > 1 else default_spec()
    if not spec_file.is_file():
        print(f"no spec at {spec_file}; spec_facts.json left as it is", file=sys.stderr)
        return 1
    OUTPUT.write_text(json.dumps(extract(spec_file), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT} from {spec_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

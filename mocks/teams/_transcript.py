"""The conversation transcript: every activity both ways, in order, readable and exact.

Entries are appended on the mock's event loop (a bot's reply arrives there) and read or
awaited from the test's thread, so the list is guarded by a condition variable.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from ._cards import ADAPTIVE_CARD, is_card, readable_text, render_activity, render_card

Direction = Literal["in", "out"]
EntryKind = Literal["message", "card", "typing", "update", "delete", "invoke", "reaction", "event"]
Operation = Literal["send", "update", "delete"]


@dataclass(frozen=True)
class TranscriptEntry:
    """One activity in a conversation.

    `direction` is ``"in"`` (user to bot) or ``"out"`` (bot to user); `kind` is one of
    ``message``, ``card``, ``typing``, ``update``, ``delete``, ``invoke`` (an invoke, or
    the bot's answer to one), ``reaction`` or ``event`` (conversation updates and other
    activities); `text` is what a person would read; `raw` the exact JSON; `scope` the
    mock scope it happened in ("" for the default scope).
    """

    direction: Direction
    kind: EntryKind
    text: str
    raw: dict[str, Any]
    conversation_id: str
    activity_id: str | None = None
    scope: str = ""

    def __str__(self) -> str:
        who = "user" if self.direction == "in" else "bot"
        return f"{who} {self.kind}: {self.text}"


def _kind_of(activity: dict[str, Any]) -> EntryKind:
    kind = activity.get("type")
    if kind == "message":
        attachments = activity.get("attachments") or []
        return "card" if any(is_card(item) for item in attachments) else "message"
    if kind == "typing":
        return "typing"
    if kind == "invoke":
        return "invoke"
    if kind == "messageReaction":
        return "reaction"
    return "event"


def _names(accounts: Any) -> str:
    if not isinstance(accounts, list):
        return ""
    return ", ".join(str(a.get("name") or a.get("id")) for a in accounts if isinstance(a, dict))


def _reaction_types(reactions: Any) -> str:
    if not isinstance(reactions, list):
        return ""
    return ", ".join(str(r.get("type")) for r in reactions if isinstance(r, dict))


def _event_text(activity: dict[str, Any]) -> str:
    kind = activity.get("type")
    if kind == "conversationUpdate":
        parts = []
        if activity.get("membersAdded"):
            parts.append(f"added {_names(activity['membersAdded'])}")
        if activity.get("membersRemoved"):
            parts.append(f"removed {_names(activity['membersRemoved'])}")
        return "; ".join(parts) or "conversation updated"
    if kind == "messageReaction":
        parts = []
        added = _reaction_types(activity.get("reactionsAdded"))
        if added:
            parts.append(f"reacted {added}")
        removed = _reaction_types(activity.get("reactionsRemoved"))
        if removed:
            parts.append(f"removed reaction {removed}")
        return "; ".join(parts)
    if kind == "invoke":
        value = activity.get("value")
        verb = value.get("action", {}).get("verb") if isinstance(value, dict) else None
        return " ".join(str(part) for part in (activity.get("name"), verb) if part)
    if kind == "installationUpdate":
        return f"installation {activity.get('action', 'update')}"
    return str(activity.get("name") or kind or "")


def incoming_entry(activity: dict[str, Any]) -> TranscriptEntry:
    """The entry for an activity the channel delivered to the bot."""
    kind = _kind_of(activity)
    text = render_activity(activity) if kind in ("message", "card") else _event_text(activity)
    if kind == "message" and not text and activity.get("value") is not None:
        text = json.dumps(activity["value"], separators=(",", ":"), sort_keys=True)
    return TranscriptEntry(
        "in", kind, text, activity, _conversation_id(activity), activity.get("id")
    )


def outgoing_entry(
    activity: dict[str, Any], operation: Operation, conversation_id: str, activity_id: str | None
) -> TranscriptEntry:
    """The entry for something the bot did through the connector."""
    if operation == "delete":  # `activity` is the message as it was before deletion
        text = render_activity(activity)
        return TranscriptEntry("out", "delete", text, activity, conversation_id, activity_id)
    kind: EntryKind = "update" if operation == "update" else _kind_of(activity)
    if kind in ("message", "card", "update"):
        text = render_activity(activity)
    else:
        text = "" if kind == "typing" else _event_text(activity)
    return TranscriptEntry("out", kind, text, activity, conversation_id, activity_id)


def invoke_response_entry(
    status: int, body: Any, conversation_id: str, activity_id: str | None
) -> TranscriptEntry:
    """The entry for the bot's answer to an invoke (its HTTP response)."""
    raw = {"status": status, "body": body}
    return TranscriptEntry("out", "invoke", _invoke_text(body), raw, conversation_id, activity_id)


def _invoke_text(body: Any) -> str:
    if not isinstance(body, dict):
        return "" if body is None else json.dumps(body, separators=(",", ":"))
    value = body.get("value")
    if body.get("type") == ADAPTIVE_CARD and isinstance(value, dict):
        return render_card(value)
    if isinstance(value, str):
        return readable_text(value)
    compose = body.get("composeExtension")
    if isinstance(compose, dict):
        attachments = compose.get("attachments") or []
        return render_activity({"attachments": attachments}) or str(compose.get("text", ""))
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def _conversation_id(activity: dict[str, Any]) -> str:
    conversation = activity.get("conversation")
    return str(conversation.get("id", "")) if isinstance(conversation, dict) else ""


class Transcript:
    """Entries in the order they happened, shared by the mock's loop and the test thread.

    Example::

        transcript.wait_for(lambda e: e.direction == "out" and "hi" in e.text, timeout=5)
    """

    def __init__(self) -> None:
        self._entries: list[TranscriptEntry] = []
        self._changed = threading.Condition()

    def append(self, entry: TranscriptEntry, scope: str = "") -> None:
        """Add an entry (that happened in mock scope `scope`) and wake whoever waits for one."""
        if scope:
            entry = replace(entry, scope=scope)
        with self._changed:
            self._entries.append(entry)
            self._changed.notify_all()

    def entries(
        self, conversation_id: str | None = None, *, scope: str | None = None
    ) -> list[TranscriptEntry]:
        """A snapshot, optionally of one conversation (a channel thread counts as its
        channel) and of one mock scope (None: every scope's)."""
        with self._changed:
            entries = list(self._entries)
        if scope is not None:
            entries = [e for e in entries if e.scope == scope]
        if conversation_id is None:
            return entries
        base = thread_base(conversation_id)
        return [e for e in entries if thread_base(e.conversation_id) == base]

    def clear(self, *, scope: str | None = None) -> None:
        """Forget every entry, or those of one mock scope."""
        with self._changed:
            if scope is None:
                self._entries.clear()
            else:
                self._entries = [e for e in self._entries if e.scope != scope]

    def wait_for(
        self, predicate: Callable[[TranscriptEntry], bool], timeout: float, start: int = 0
    ) -> TranscriptEntry | None:
        """The first entry at index `start` or later that satisfies `predicate`, waiting up to
        `timeout` seconds for it; None when none came."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for entry in self._entries[start:]:
                    if predicate(entry):
                        return entry
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def __len__(self) -> int:
        with self._changed:
            return len(self._entries)


def thread_base(conversation_id: str) -> str:
    """A channel thread's conversation id without its ``;messageid=`` suffix."""
    return conversation_id.split(";", 1)[0]

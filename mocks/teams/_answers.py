"""The bot's answer to an activity the channel posted, as a test reads it.

A bot answers a message with 200/201 and no body, an invoke with its invoke response
(``{"statusCode", "type", "value"}`` for an Adaptive Card action), and an
``expectReplies`` message with its replies (``{"activities": [...]}``) instead of posting
them to the connector. Refused tokens get 401, or 500 where botbuilder raises something
other than ``PermissionError``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._transcript import TranscriptEntry, invoke_response_entry, outgoing_entry


@dataclass(frozen=True)
class BotAnswer:
    """What the bot answered: `status` (None when it could not be reached), the parsed
    `body` (JSON, else text, else None), the `activity` that was posted, and the
    connection `error` if there was one."""

    status: int | None
    body: Any
    activity: dict[str, Any]
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the bot accepted the activity (a 2xx answer)."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def replies(self) -> list[dict[str, Any]]:
        """The activities of an ``expectReplies`` answer (empty otherwise)."""
        if self.activity.get("deliveryMode") != "expectReplies" or not isinstance(self.body, dict):
            return []
        activities = self.body.get("activities")
        return (
            [a for a in activities if isinstance(a, dict)] if isinstance(activities, list) else []
        )

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON (what the admin API returns)."""
        return {
            "status": self.status,
            "body": self.body,
            "activity": self.activity,
            "error": self.error,
        }


def parse_body(body: bytes) -> Any:
    """A response body as JSON, else as text, else None when empty."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def read_answer(
    activity: dict[str, Any], status: int | None, body: bytes, error: str | None = None
) -> BotAnswer:
    """The `BotAnswer` for the raw HTTP outcome of posting `activity`."""
    return BotAnswer(status, parse_body(body), activity, error)


def answer_entries(answer: BotAnswer) -> list[TranscriptEntry]:
    """What the answer adds to the transcript: the invoke response of an invoke, the replies
    of an ``expectReplies`` message (they never reach the connector)."""
    conversation = answer.activity.get("conversation")
    conversation_id = str(conversation.get("id", "")) if isinstance(conversation, dict) else ""
    activity_id = answer.activity.get("id")
    if answer.activity.get("type") == "invoke" and answer.status is not None:
        return [invoke_response_entry(answer.status, answer.body, conversation_id, activity_id)]
    return [
        outgoing_entry(reply, "send", conversation_id, reply.get("id")) for reply in answer.replies
    ]

"""The Bot Connector API's behaviour, apart from HTTP: what each call does and answers.

Each method takes the decoded path parameters and the parsed body, changes the
directory and the transcript, and returns the answer document, or raises the
`ConnectorError` Teams would answer (404 unknown conversation, 403 bot not in the
roster, 413 message too large, 429 throttled, 400 bad argument).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._directory import Account, Conversation, Directory
from ._errors import ConnectorError
from ._ids import TeamsIds
from ._transcript import Operation, Transcript, outgoing_entry, thread_base

#: The largest activity Teams accepts, in bytes of JSON (text and cards together).
MAX_MESSAGE_SIZE = 28 * 1024
#: Page size bounds of the paged members call.
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 200


@dataclass
class StoredAttachment:
    """An uploaded attachment and its views (``original``, and ``thumbnail`` when given)."""

    id: str
    name: str
    type: str
    views: dict[str, bytes]

    def info(self) -> dict[str, Any]:
        """The AttachmentInfo answer."""
        views = [{"viewId": view, "size": len(data)} for view, data in self.views.items()]
        return {"name": self.name, "type": self.type, "views": views}


@dataclass
class _PageCursor:
    conversation_id: str
    offset: int


class Connector:
    """The connector's state machine over a `Directory` and a `Transcript`.

    Example::

        connector = Connector(directory, transcript, ids)
        answer = connector.send(chat.id, {"type": "message", "text": "hi"})
        answer  # {"id": "1700000123456"}
    """

    def __init__(
        self,
        directory: Directory,
        transcript: Transcript,
        ids: TeamsIds,
        *,
        max_message_size: int = MAX_MESSAGE_SIZE,
    ) -> None:
        self.directory = directory
        self.transcript = transcript
        self.ids = ids
        self.max_message_size = max_message_size
        self.attachments: dict[str, StoredAttachment] = {}
        self._cursors: dict[str, _PageCursor] = {}
        self._throttled = 0
        self._retry_after = 1

    # faults a test asks for -------------------------------------------------------------

    def throttle(self, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` sends, replies and updates with 429 ``Throttled``."""
        self._throttled = times
        self._retry_after = retry_after

    def _check_throttle(self) -> None:
        if self._throttled > 0:
            self._throttled -= 1
            raise ConnectorError.throttled(self._retry_after)

    # activities -----------------------------------------------------------------------

    def _writable(self, conversation_id: str, activity: Any) -> Conversation:
        conversation = self.directory.find(conversation_id)
        if not conversation.bot_member:
            raise ConnectorError.bot_not_in_roster()
        if not isinstance(activity, dict):
            raise ConnectorError.bad_argument("The activity must be a JSON object.")
        size = len(json.dumps(activity, separators=(",", ":")).encode())
        if size > self.max_message_size:
            raise ConnectorError.message_too_big()
        self._check_throttle()
        return conversation

    def _record(
        self,
        conversation: Conversation,
        conversation_id: str,
        activity: dict[str, Any],
        operation: Operation,
        activity_id: str,
        scope: str,
    ) -> None:
        if operation == "delete":
            conversation.activities.pop(activity_id, None)
        elif activity.get("type") != "typing":
            conversation.activities[activity_id] = activity
        entry = outgoing_entry(activity, operation, conversation_id, activity_id)
        self.transcript.append(entry, scope)

    def send(
        self,
        conversation_id: str,
        activity: Any,
        reply_to: str | None = None,
        *,
        scope: str = "",
    ) -> dict[str, Any]:
        """``POST .../activities`` (and ``.../activities/{replyToId}``): post an activity.

        `scope` (here and below) is the mock scope of the bot's request: its transcript
        entries are that scope's."""
        conversation = self._writable(conversation_id, activity)
        activity_id = self.ids.activity_id()
        stored = {**activity, "id": activity_id}
        if reply_to is not None and "replyToId" not in stored:
            stored["replyToId"] = reply_to
        self._record(conversation, conversation_id, stored, "send", activity_id, scope)
        return {"id": activity_id}

    def update(
        self, conversation_id: str, activity_id: str, activity: Any, *, scope: str = ""
    ) -> dict[str, Any]:
        """``PUT .../activities/{activityId}``: replace a message the bot posted."""
        conversation = self._writable(conversation_id, activity)
        if activity_id not in conversation.activities:
            raise ConnectorError.activity_not_found()
        stored = {**activity, "id": activity_id}
        self._record(conversation, conversation_id, stored, "update", activity_id, scope)
        return {"id": activity_id}

    def delete(self, conversation_id: str, activity_id: str, *, scope: str = "") -> None:
        """``DELETE .../activities/{activityId}``: remove a message the bot posted."""
        conversation = self.directory.find(conversation_id)
        if not conversation.bot_member:
            raise ConnectorError.bot_not_in_roster()
        previous = conversation.activities.get(activity_id)
        if previous is None:
            raise ConnectorError.activity_not_found()
        self._record(conversation, conversation_id, previous, "delete", activity_id, scope)

    def send_history(self, conversation_id: str, history: Any) -> dict[str, Any]:
        """``POST .../activities/history``: import past activities (kept, not shown)."""
        conversation = self.directory.find(conversation_id)
        activities = history.get("activities") if isinstance(history, dict) else None
        for activity in activities or ():
            if isinstance(activity, dict) and isinstance(activity.get("id"), str):
                conversation.activities.setdefault(activity["id"], activity)
        return {"id": ""}

    # conversations ----------------------------------------------------------------------

    def create_conversation(self, parameters: dict[str, Any], *, scope: str = "") -> dict[str, Any]:
        """``POST /v3/conversations``: a proactive 1:1 chat, or a new thread in a channel."""
        channel_data = parameters.get("channelData")
        channel = channel_data.get("channel") if isinstance(channel_data, dict) else None
        activity = parameters.get("activity")
        if isinstance(channel, dict) and isinstance(channel.get("id"), str):
            return self._start_thread(channel["id"], activity, scope)
        members = parameters.get("members") or []
        if parameters.get("isGroup") or len(members) != 1:
            raise ConnectorError.bad_argument("Bots can only start one-on-one conversations.")
        user = self._installed_user(members[0])
        conversation = self.directory.personal(user)
        result: dict[str, Any] = {"id": conversation.id}
        if isinstance(activity, dict):
            result["activityId"] = self.send(conversation.id, activity, scope=scope)["id"]
        return result

    def _installed_user(self, member: Any) -> Account:
        member_id = member.get("id") if isinstance(member, dict) else None
        account = self.directory.account(member_id) if isinstance(member_id, str) else None
        if account is None or account is self.directory.bot:
            raise ConnectorError(
                403, "ForbiddenOperationException", "Bot is not installed in user's personal scope"
            )
        return account

    def _start_thread(self, channel_id: str, activity: Any, scope: str) -> dict[str, Any]:
        conversation = self.directory.find(channel_id)
        if conversation.type != "channel":
            raise ConnectorError.conversation_not_found()
        if not isinstance(activity, dict):
            raise ConnectorError.bad_argument("Starting a thread in a channel needs an activity.")
        self._writable(conversation.id, activity)
        activity_id = self.ids.activity_id()
        thread_id = f"{conversation.id};messageid={activity_id}"
        stored = {**activity, "id": activity_id}
        self._record(conversation, thread_id, stored, "send", activity_id, scope)
        return {"id": thread_id, "activityId": activity_id}

    def conversations(
        self, continuation_token: str | None = None, *, scope: str = ""
    ) -> dict[str, Any]:
        """``GET /v3/conversations``: every conversation the bot is in, with its members.

        In a named `scope` the caller is the bot of the app that scope is named after,
        which is in the conversations it has had activity in (posted to it or sent by
        it, in that scope), not in every conversation of the tenant."""
        conversations: Iterable[Conversation] = self.directory.conversations.values()
        if scope:
            active = {thread_base(e.conversation_id) for e in self.transcript.entries(scope=scope)}
            conversations = [c for c in conversations if c.id in active]
        listed = [
            {
                "id": conversation.id,
                "members": [m.channel_account() for m in self.directory.members(conversation)],
            }
            for conversation in conversations
            if conversation.bot_member
        ]
        return {"conversations": listed}

    # members ----------------------------------------------------------------------------

    def members(self, conversation_id: str) -> list[dict[str, Any]]:
        """``GET .../members``: the users in the conversation."""
        conversation = self.directory.find(conversation_id)
        tenant = self.directory.tenant_id
        return [user.teams_account(tenant) for user in self.directory.members(conversation)]

    def member(self, conversation_id: str, member_id: str) -> dict[str, Any]:
        """``GET .../members/{memberId}``: one user (by Teams id or AAD object id)."""
        conversation = self.directory.find(conversation_id)
        account = self.directory.account(member_id)
        if account is None or account.id not in conversation.member_ids:
            raise ConnectorError.member_not_found()
        return account.teams_account(self.directory.tenant_id)

    def paged_members(
        self, conversation_id: str, page_size: int | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """``GET .../pagedmembers``: a page of users and, when more follow, a continuation token."""
        conversation = self.directory.find(conversation_id)
        offset = 0
        if token:
            cursor = self._cursors.get(token)
            if cursor is None or cursor.conversation_id != conversation.id:
                raise ConnectorError.bad_argument("The continuation token is not valid.")
            offset = cursor.offset
        size = min(max(page_size or DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
        everyone = self.directory.members(conversation)
        page = everyone[offset : offset + size]
        result: dict[str, Any] = {
            "members": [user.teams_account(self.directory.tenant_id) for user in page]
        }
        if offset + size < len(everyone):
            next_token = self.ids.token()
            self._cursors[next_token] = _PageCursor(conversation.id, offset + size)
            result["continuationToken"] = next_token
        return result

    def activity_members(self, conversation_id: str, activity_id: str) -> list[dict[str, Any]]:
        """``GET .../activities/{activityId}/members``: the users the activity reached."""
        return self.members(conversation_id)

    def remove_member(self, conversation_id: str, member_id: str) -> None:
        """``DELETE .../members/{memberId}``: take a user out of a group chat."""
        conversation = self.directory.find(conversation_id)
        account = self.directory.account(member_id)
        if account is None or account.id not in conversation.member_ids:
            raise ConnectorError.member_not_found()
        if conversation.type != "groupChat":
            raise ConnectorError.bad_argument("Members can only be removed from group chats.")
        conversation.member_ids.remove(account.id)

    # teams ------------------------------------------------------------------------------

    def team_details(self, team_id: str) -> dict[str, Any]:
        """``GET /v3/teams/{teamId}``."""
        return self.directory.team_by_id(team_id).details()

    def team_channels(self, team_id: str) -> dict[str, Any]:
        """``GET /v3/teams/{teamId}/conversations``: the team's channels."""
        team = self.directory.team_by_id(team_id)
        return {"conversations": [channel.info() for channel in team.channels]}

    # attachments ------------------------------------------------------------------------

    def upload_attachment(self, conversation_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """``POST .../attachments``: store base64 content; answers its id."""
        self.directory.find(conversation_id)
        views: dict[str, bytes] = {}
        for field, view in (("originalBase64", "original"), ("thumbnailBase64", "thumbnail")):
            encoded = data.get(field)
            if encoded is None:
                continue
            try:
                views[view] = base64.b64decode(str(encoded), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ConnectorError.bad_argument(f"{field} is not valid base64.") from exc
        if "original" not in views:
            raise ConnectorError.bad_argument("originalBase64 is required.")
        attachment_id = self.ids.token(32)
        name = str(data.get("name") or "attachment")
        kind = str(data.get("type") or "application/octet-stream")
        self.attachments[attachment_id] = StoredAttachment(attachment_id, name, kind, views)
        return {"id": attachment_id}

    def attachment(self, attachment_id: str) -> StoredAttachment:
        """The stored attachment; raises 404 when unknown."""
        found = self.attachments.get(attachment_id)
        if found is None:
            raise ConnectorError(404, "NotFound", "Attachment not found.")
        return found

    def attachment_view(self, attachment_id: str, view_id: str) -> tuple[bytes, str]:
        """The bytes and content type of one view of an attachment."""
        attachment = self.attachment(attachment_id)
        data = attachment.views.get(view_id)
        if data is None:
            raise ConnectorError(404, "NotFound", f"Attachment view {view_id!r} not found.")
        return data, attachment.type

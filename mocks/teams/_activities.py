"""Activities as the Teams channel posts them to a bot.

Every activity carries the envelope Teams sends: an id, UTC and local timestamps, the
``serviceUrl`` the bot must answer to, ``channelId: "msteams"``, ``from`` (with the
user's ``aadObjectId``), ``recipient`` (the bot), ``conversation`` (with ``tenantId``
and ``conversationType``), ``channelData`` (tenant, and team and channel in a channel),
``entities`` (the client's info, and mentions) and ``locale``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..jose import Clock
from ._directory import Account, Conversation
from ._ids import TeamsIds

CHANNEL_ID = "msteams"
ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
MESSAGING_EXTENSION_QUERY = "composeExtension/query"


def timestamp(moment: float) -> str:
    """An activity timestamp: ISO 8601 in UTC with milliseconds and ``Z``."""
    text = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def mention_entity(account: Account) -> dict[str, Any]:
    """The ``mention`` entity for `account`, with the ``<at>`` text Teams puts in the message."""
    return {
        "type": "mention",
        "text": f"<at>{account.name}</at>",
        "mentioned": {"id": account.id, "name": account.name},
    }


def addressed_to(activity: dict[str, Any], bot: Account, instead_of: Account) -> dict[str, Any]:
    """`activity`, built for the bot `instead_of`, as the channel posts it to `bot` (another
    app in the same tenant): wherever `instead_of` appears (the ``recipient``, a mention,
    the members added or removed), `bot` does. The same activity when they are one bot."""
    if bot.id == instead_of.id:
        return activity

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            if value.get("id") == instead_of.id:
                return {**value, **bot.channel_account()}
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    swapped: dict[str, Any] = swap(activity)
    return swapped


@dataclass
class ActivityFactory:
    """Builds the channel's activities for one bot.

    Example::

        factory = ActivityFactory(ids, clock, bot, service_url="http://127.0.0.1:9000/")
        activity = factory.message(directory.personal(alice), alice, "hello")
    """

    ids: TeamsIds
    clock: Clock
    bot: Account
    #: The serviceUrl activities carry (the mock's URL, with its trailing slash).
    service_url: str = ""
    locale: str = "en-US"
    timezone: str = "Etc/UTC"

    def envelope(
        self,
        kind: str,
        conversation: Conversation,
        user: Account,
        *,
        activity_id: str | None = None,
        thread_id: str | None = None,
    ) -> dict[str, Any]:
        """The fields every activity of `kind` from `user` in `conversation` carries."""
        now = timestamp(self.clock.now())
        return {
            "type": kind,
            "id": activity_id or self.ids.invoke_id(),
            "timestamp": now,
            "localTimestamp": now.replace("Z", "+00:00"),
            "localTimezone": self.timezone,
            "serviceUrl": self.service_url,
            "channelId": CHANNEL_ID,
            "from": user.channel_account(),
            "conversation": conversation.account(thread_id),
            "recipient": self.bot.channel_account(),
            "entities": [self._client_info()],
            "channelData": conversation.channel_data(),
            "locale": self.locale,
        }

    def _client_info(self) -> dict[str, Any]:
        return {
            "type": "clientInfo",
            "locale": self.locale,
            "country": self.locale.rpartition("-")[2] or "US",
            "platform": "Web",
            "timezone": self.timezone,
        }

    def message(
        self,
        conversation: Conversation,
        user: Account,
        text: str | None,
        *,
        mentions: Sequence[Account] = (),
        value: Any = None,
        attachments: Sequence[dict[str, Any]] = (),
        reply_to: str | None = None,
        thread_id: str | None = None,
        delivery_mode: str | None = None,
    ) -> dict[str, Any]:
        """A message; each account in `mentions` is @mentioned ahead of the text.

        In a channel a new message starts a thread (``;messageid=<its id>``) unless
        `thread_id` names one. `value` is what an ``Action.Submit`` button sends.
        """
        activity_id = self.ids.activity_id()
        if conversation.type == "channel" and thread_id is None:
            thread_id = f"{conversation.id};messageid={activity_id}"
        activity = self.envelope(
            "message", conversation, user, activity_id=activity_id, thread_id=thread_id
        )
        prefix = "".join(f"<at>{account.name}</at> " for account in mentions)
        if text is not None or prefix:
            activity["text"] = prefix + (text or "")
            activity["textFormat"] = "plain"
            html = f"<div>{activity['text']}</div>"
            activity["attachments"] = [{"contentType": "text/html", "content": html}]
        if attachments:
            activity["attachments"] = [*activity.get("attachments", []), *attachments]
        activity["entities"] = [mention_entity(a) for a in mentions] + activity["entities"]
        if value is not None:
            activity["value"] = value
        if reply_to is not None:
            activity["replyToId"] = reply_to
        if delivery_mode is not None:
            activity["deliveryMode"] = delivery_mode
        return activity

    def conversation_update(
        self,
        conversation: Conversation,
        user: Account,
        *,
        added: Sequence[Account] = (),
        removed: Sequence[Account] = (),
    ) -> dict[str, Any]:
        """Members added to or removed from a conversation (the bot among them when it is
        installed or uninstalled); Teams lists members by id only."""
        activity = self.envelope("conversationUpdate", conversation, user)
        del activity["entities"]
        if added:
            activity["membersAdded"] = [_id_only(account) for account in added]
        if removed:
            activity["membersRemoved"] = [_id_only(account) for account in removed]
        if conversation.team is not None:
            event = "teamMemberAdded" if added else "teamMemberRemoved"
            activity["channelData"] = {"eventType": event, **activity["channelData"]}
        return activity

    def installation_update(
        self, conversation: Conversation, user: Account, action: str = "add"
    ) -> dict[str, Any]:
        """The app installed (``add``) or uninstalled (``remove``) in a conversation."""
        activity = self.envelope("installationUpdate", conversation, user)
        del activity["entities"]
        activity["action"] = action
        return activity

    def message_reaction(
        self,
        conversation: Conversation,
        user: Account,
        reply_to: str,
        *,
        added: Sequence[str] = ("like",),
        removed: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Reactions added to or removed from the message `reply_to`."""
        activity = self.envelope("messageReaction", conversation, user)
        if added:
            activity["reactionsAdded"] = [{"type": kind} for kind in added]
        if removed:
            activity["reactionsRemoved"] = [{"type": kind} for kind in removed]
        activity["replyToId"] = reply_to
        return activity

    def invoke(
        self,
        conversation: Conversation,
        user: Account,
        name: str,
        value: Any,
        *,
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        """An invoke activity called `name` carrying `value` (the bot answers in its response)."""
        activity = self.envelope("invoke", conversation, user)
        activity["name"] = name
        activity["value"] = value
        if reply_to is not None:
            activity["replyToId"] = reply_to
        return activity

    def adaptive_card_action(
        self,
        conversation: Conversation,
        user: Account,
        verb: str,
        data: dict[str, Any] | None = None,
        *,
        action_id: str | None = None,
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        """An Adaptive Card ``Action.Execute`` (universal action) press: an
        ``adaptiveCard/action`` invoke."""
        action: dict[str, Any] = {"type": "Action.Execute", "verb": verb, "data": data or {}}
        if action_id is not None:
            action["id"] = action_id
        value = {"action": action, "trigger": "manual"}
        return self.invoke(conversation, user, ADAPTIVE_CARD_ACTION, value, reply_to=reply_to)

    def card_submit(
        self, conversation: Conversation, user: Account, data: dict[str, Any], reply_to: str
    ) -> dict[str, Any]:
        """An Adaptive Card ``Action.Submit`` press: a message with no text and a `value`."""
        return self.message(conversation, user, None, value=data, reply_to=reply_to)

    def messaging_extension_query(
        self,
        conversation: Conversation,
        user: Account,
        command_id: str,
        query: str,
        *,
        parameter: str = "searchQuery",
        skip: int = 0,
        count: int = 25,
    ) -> dict[str, Any]:
        """A search-based messaging extension query (``composeExtension/query``)."""
        value = {
            "commandId": command_id,
            "parameters": [{"name": parameter, "value": query}],
            "queryOptions": {"skip": skip, "count": count},
        }
        return self.invoke(conversation, user, MESSAGING_EXTENSION_QUERY, value)

    def typing(self, conversation: Conversation, user: Account) -> dict[str, Any]:
        """The user is typing."""
        activity = self.envelope("typing", conversation, user)
        del activity["entities"]
        return activity


def _id_only(account: Account) -> dict[str, Any]:
    """A member as conversationUpdate lists it: the id, and the AAD object id for users."""
    member: dict[str, Any] = {"id": account.id}
    if account.aad_object_id:
        member["aadObjectId"] = account.aad_object_id
    return member

"""Everything the Teams mock knows, apart from HTTP: one object the routes, the channel
side and the admin API share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..jose import Clock
from ._aad import TokenEndpoint
from ._activities import ActivityFactory
from ._connector import MAX_MESSAGE_SIZE, Connector
from ._directory import CONVERSATION_TYPES, Account, Conversation, Directory, bot_account
from ._ids import TeamsIds
from ._keys import ChannelKeys, aad_key_set
from ._tokens import AccessTokens, ChannelTokens
from ._transcript import Transcript, thread_base

#: The team a ``"channel"`` conversation lands in when the test names none.
DEFAULT_TEAM = "Contoso"


@dataclass(frozen=True)
class Place:
    """Where an activity happens: the conversation, and the thread id in a channel."""

    conversation: Conversation
    thread_id: str | None = None


#: Where something happens: a `Conversation`, its id, a kind, or None (the 1:1 chat).
Where = Conversation | str | None


class TeamsService:
    """The tenant, the bot's identity, the keys and tokens, the connector and the transcript.

    Example::

        service = TeamsService(app_id="...", app_password="...", tenant_id="...")
        alice = service.directory.user("alice")
        place = service.place(alice, None)          # alice's 1:1 chat with the bot
        activity = service.activities.message(place.conversation, alice, "hi")
    """

    def __init__(
        self,
        *,
        app_id: str,
        app_password: str,
        tenant_id: str,
        bot_name: str = "Bot",
        seed: int = 0,
        clock: Clock | None = None,
        max_message_size: int = MAX_MESSAGE_SIZE,
    ) -> None:
        self.app_id = app_id
        self.tenant_id = tenant_id
        self.clock = clock or Clock()
        self.max_message_size = max_message_size
        self.bot = bot_account(app_id, bot_name)
        self.access_tokens = AccessTokens(aad_key_set(self.clock), self.clock)
        self.token_endpoint = TokenEndpoint(self.access_tokens, app_id, app_password)
        self.transcript = Transcript()
        #: The serviceUrl activities carry (the mock's URL and a slash, once it serves).
        self.service_url = ""
        self.reset(seed)

    def set_service_url(self, service_url: str) -> None:
        """Where the bot must answer: written into every activity and channel token."""
        self.service_url = service_url
        self.activities.service_url = service_url

    def reset(self, seed: int) -> None:
        """Forget users, conversations and the transcript; ids start again from `seed`;
        the channel signs with its first key again (a rotation is undone: a bot that
        cached the rotated key set still holds the first key, published beside it)."""
        self.channel_keys = ChannelKeys(self.clock)
        self.channel_tokens = ChannelTokens(self.channel_keys, self.clock, self.app_id)
        self.ids = TeamsIds(seed)
        self.directory = Directory(self.ids, self.tenant_id, self.bot)
        self.transcript.clear()
        self.connector = Connector(
            self.directory, self.transcript, self.ids, max_message_size=self.max_message_size
        )
        self.activities = ActivityFactory(
            self.ids, self.clock, self.bot, service_url=self.service_url
        )

    def place(self, user: Account, conversation: Where) -> Place:
        """Where `user` speaks: their 1:1 chat (None or ``"personal"``), a group chat
        (``"groupChat"``), the default team's General channel (``"channel"``), or a known
        conversation (a `Conversation` or its id, a channel thread id included). The user
        joins it."""
        thread_id: str | None = None
        if conversation is None or conversation == "personal":
            found = self.directory.personal(user)
        elif conversation == "groupChat":
            found = self.directory.group_chat([user])
        elif conversation == "channel":
            found = self.directory.channel_conversation(self.directory.team(DEFAULT_TEAM))
        elif isinstance(conversation, Conversation):
            found = conversation
        else:
            found = self._known(conversation)
            if thread_base(conversation) != conversation:
                thread_id = conversation
        self.directory.join(found, user)
        return Place(found, thread_id)

    def _known(self, conversation_id: str) -> Conversation:
        found = self.directory.conversations.get(thread_base(conversation_id))
        if found is None:
            kinds = ", ".join(repr(kind) for kind in CONVERSATION_TYPES)
            raise ValueError(
                f"unknown conversation {conversation_id!r}: pass {kinds}, a Conversation, "
                "or the id of one the mock knows"
            )
        return found

    # ---- what the channel posts ------------------------------------------------------------

    def account(self, user: str | Account) -> Account:
        """`user` as an account: the bot for ``"bot"``, else the user of that name or id."""
        if isinstance(user, Account):
            return user
        return self.bot if user == "bot" else self.directory.user(user)

    def _where(self, user: str | Account, conversation: Where) -> tuple[Account, Place]:
        account = self.account(user)
        return account, self.place(account, conversation)

    def message(
        self,
        text: str,
        user: str | Account,
        conversation: Where,
        *,
        mention: bool | None = None,
        delivery_mode: str | None = None,
        attachments: Sequence[dict[str, Any]] = (),
    ) -> dict[str, Any]:
        """A user's message; in a channel the bot is @mentioned unless ``mention=False``
        (Teams only delivers channel messages that mention the bot)."""
        account, place = self._where(user, conversation)
        if mention is None:
            mention = place.conversation.type == "channel"
        return self.activities.message(
            place.conversation,
            account,
            text,
            mentions=[self.bot] if mention else [],
            attachments=attachments,
            thread_id=place.thread_id,
            delivery_mode=delivery_mode,
        )

    def members_changed(
        self,
        members: Sequence[str | Account],
        by: str | Account,
        conversation: Where,
        *,
        added: bool,
    ) -> dict[str, Any]:
        """A conversationUpdate adding or removing `members` (``"bot"``: installing or
        removing the bot). The roster changes at once: a removed bot's sends get 403."""
        account, place = self._where(by, conversation)
        accounts = [self.account(member) for member in members]
        target = place.conversation
        for member in accounts:
            if member is self.bot:
                target.bot_member = added
            elif added:
                self.directory.join(target, member)
            elif member.id in target.member_ids:
                target.member_ids.remove(member.id)
        if added:
            return self.activities.conversation_update(target, account, added=accounts)
        return self.activities.conversation_update(target, account, removed=accounts)

    def reaction(
        self,
        reply_to: str,
        reaction: str,
        user: str | Account,
        conversation: Where,
        *,
        removed: bool = False,
    ) -> dict[str, Any]:
        """A reaction added to (or removed from) message `reply_to`."""
        account, place = self._where(user, conversation)
        added, taken = ((), (reaction,)) if removed else ((reaction,), ())
        return self.activities.message_reaction(
            place.conversation, account, reply_to, added=added, removed=taken
        )

    def card_action(
        self,
        verb: str,
        data: dict[str, Any] | None,
        user: str | Account,
        conversation: Where,
        *,
        reply_to: str | None = None,
    ) -> dict[str, Any]:
        """An Adaptive Card ``Action.Execute`` press (an ``adaptiveCard/action`` invoke)."""
        account, place = self._where(user, conversation)
        return self.activities.adaptive_card_action(
            place.conversation, account, verb, data, reply_to=reply_to
        )

    def card_submit(
        self, data: dict[str, Any], reply_to: str, user: str | Account, conversation: Where
    ) -> dict[str, Any]:
        """An ``Action.Submit`` press: a message carrying `data` as its value."""
        account, place = self._where(user, conversation)
        return self.activities.card_submit(place.conversation, account, data, reply_to)

    def messaging_extension_query(
        self, command_id: str, query: str, user: str | Account, conversation: Where
    ) -> dict[str, Any]:
        """A search messaging extension query."""
        account, place = self._where(user, conversation)
        return self.activities.messaging_extension_query(
            place.conversation, account, command_id, query
        )

    def invoke(
        self, name: str, value: Any, user: str | Account, conversation: Where
    ) -> dict[str, Any]:
        """Any invoke activity."""
        account, place = self._where(user, conversation)
        return self.activities.invoke(place.conversation, account, name, value)

    def typing(self, user: str | Account, conversation: Where) -> dict[str, Any]:
        """The user is typing."""
        account, place = self._where(user, conversation)
        return self.activities.typing(place.conversation, account)

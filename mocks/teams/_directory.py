"""Who is who and where: users, the bot, teams and channels, conversations.

Users and teams are named by the test ("alice", "Contoso"); their ids are derived from
the name and the seed, so they do not depend on the order of calls. Conversations come
in Teams' three kinds: ``personal`` (the bot and one user, one per pair), ``groupChat``
and ``channel`` (a team's channel; a thread in it is the channel id plus
``;messageid=<root message id>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ._errors import ConnectorError
from ._ids import TeamsIds
from ._transcript import thread_base

ConversationType = Literal["personal", "groupChat", "channel"]
CONVERSATION_TYPES: tuple[ConversationType, ...] = ("personal", "groupChat", "channel")


@dataclass
class Account:
    """A person, or the bot, as Teams describes them."""

    id: str
    name: str
    aad_object_id: str | None = None
    given_name: str | None = None
    surname: str | None = None
    email: str | None = None
    user_principal_name: str | None = None

    def channel_account(self) -> dict[str, Any]:
        """The ``from`` / ``recipient`` / member object of an activity."""
        account: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.aad_object_id:
            account["aadObjectId"] = self.aad_object_id
        return account

    def teams_account(self, tenant_id: str) -> dict[str, Any]:
        """The member object the Teams roster APIs answer (TeamsChannelAccount)."""
        account = self.channel_account()
        for key, value in (
            ("givenName", self.given_name),
            ("surname", self.surname),
            ("email", self.email),
            ("userPrincipalName", self.user_principal_name),
        ):
            if value:
                account[key] = value
        account["tenantId"] = tenant_id
        account["userRole"] = "user"
        return account


def bot_account(app_id: str, name: str) -> Account:
    """The bot of Microsoft App ID `app_id` as Teams names it: ``28:<app id>``."""
    return Account(id=f"28:{app_id}", name=name)


@dataclass
class Channel:
    """A channel of a team; the General channel's id is the team's id and it has no name."""

    id: str
    name: str | None

    def info(self) -> dict[str, Any]:
        """The ChannelInfo object (``{"id", "name"}``)."""
        return {"id": self.id} if self.name is None else {"id": self.id, "name": self.name}


@dataclass
class Team:
    """A team: its channels and its members (user ids)."""

    id: str
    name: str
    aad_group_id: str
    channels: list[Channel] = field(default_factory=list)
    member_ids: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        """The TeamInfo object of channelData."""
        return {"id": self.id, "name": self.name, "aadGroupId": self.aad_group_id}

    def details(self) -> dict[str, Any]:
        """The TeamDetails answer of ``GET /v3/teams/{teamId}``."""
        return {
            **self.info(),
            "channelCount": len(self.channels),
            "memberCount": len(self.member_ids),
            "type": "standard",
        }

    def channel_named(self, name: str) -> Channel | None:
        """The channel called `name` (``General`` is the unnamed one)."""
        for channel in self.channels:
            if (channel.name or "General") == name:
                return channel
        return None


@dataclass
class Conversation:
    """A conversation the bot can be part of, with the activities posted in it."""

    id: str
    type: ConversationType
    tenant_id: str
    member_ids: list[str]
    team: Team | None = None
    channel: Channel | None = None
    name: str | None = None
    #: Whether the bot is in the roster (a removed bot gets 403 on every send).
    bot_member: bool = True
    #: Activities posted so far, by id (the latest version of each).
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)

    def account(self, thread_id: str | None = None) -> dict[str, Any]:
        """The ConversationAccount of an activity in this conversation (or one of its threads)."""
        account: dict[str, Any] = {}
        if self.type != "personal":
            account["isGroup"] = True
        account["conversationType"] = self.type
        account["tenantId"] = self.tenant_id
        account["id"] = thread_id or self.id
        if self.name:
            account["name"] = self.name
        return account

    def channel_data(self) -> dict[str, Any]:
        """Teams' channelData: the tenant, plus the team and channel in a channel."""
        data: dict[str, Any] = {}
        if self.team is not None and self.channel is not None:
            data["teamsChannelId"] = self.channel.id
            data["teamsTeamId"] = self.team.id
            data["channel"] = self.channel.info()
            data["team"] = self.team.info()
        data["tenant"] = {"id": self.tenant_id}
        return data


class Directory:
    """The tenant: its users, teams and conversations, and the bot.

    Example::

        directory = Directory(TeamsIds(0), tenant_id="...", bot=bot_account)
        alice = directory.user("alice")
        chat = directory.personal(alice)
        directory.find(chat.id) is chat
    """

    def __init__(self, ids: TeamsIds, tenant_id: str, bot: Account) -> None:
        self.ids = ids
        self.tenant_id = tenant_id
        self.bot = bot
        self.users: dict[str, Account] = {}
        self.teams: dict[str, Team] = {}
        self.conversations: dict[str, Conversation] = {}

    # people ----------------------------------------------------------------------------

    def user(self, name: str) -> Account:
        """The user called `name` (or with that id), created on first use."""
        if name in self.users:
            return self.users[name]
        for account in self.users.values():
            if account.name == name:
                return account
        given, _, surname = name.partition(" ")
        login = name.lower().replace(" ", ".")
        account = Account(
            id=self.ids.user_id(name),
            name=name,
            aad_object_id=self.ids.named_uuid("aad-user", name),
            given_name=given.capitalize(),
            surname=surname.capitalize() or None,
            email=f"{login}@contoso.example",
            user_principal_name=f"{login}@contoso.example",
        )
        self.users[account.id] = account
        return account

    def account(self, account_id: str) -> Account | None:
        """The user, or the bot, with id `account_id` (or its AAD object id)."""
        if account_id in (self.bot.id, self.bot.id.removeprefix("28:")):
            return self.bot
        found = self.users.get(account_id)
        if found is not None:
            return found
        return next((u for u in self.users.values() if u.aad_object_id == account_id), None)

    # teams and conversations --------------------------------------------------------------

    def team(self, name: str, channels: tuple[str, ...] = ()) -> Team:
        """The team called `name`, created with a General channel (and `channels`) on first use."""
        team = self.teams.get(name)
        if team is None:
            team_id = self.ids.thread_id("team", name, "thread.tacv2")
            team = Team(
                team_id, name, self.ids.named_uuid("aad-group", name), [Channel(team_id, None)]
            )
            self.teams[name] = team
        for channel_name in channels:
            if team.channel_named(channel_name) is None:
                channel_id = self.ids.thread_id("channel", f"{name}/{channel_name}", "thread.tacv2")
                team.channels.append(Channel(channel_id, channel_name))
        return team

    def team_by_id(self, team_id: str) -> Team:
        """The team with `team_id`; raises the connector's 404."""
        base = thread_base(team_id)
        for team in self.teams.values():
            if team.id == base:
                return team
        raise ConnectorError.conversation_not_found()

    def personal(self, user: Account) -> Conversation:
        """The user's 1:1 conversation with the bot (one per user)."""
        conversation_id = self.ids.personal_conversation_id(user.id, self.bot.id)
        return self._conversation(conversation_id, "personal", [user.id])

    def group_chat(self, users: list[Account], name: str | None = None) -> Conversation:
        """A group chat of `users` and the bot (the same members give the same chat)."""
        key = "|".join(sorted(u.id for u in users))
        conversation_id = self.ids.thread_id("group-chat", key, "thread.v2")
        conversation = self._conversation(conversation_id, "groupChat", [u.id for u in users])
        conversation.name = name or conversation.name
        return conversation

    def channel_conversation(self, team: Team, channel_name: str = "General") -> Conversation:
        """The conversation of a team's channel (its threads share it)."""
        channel = team.channel_named(channel_name)
        if channel is None:
            channel = self.team(team.name, (channel_name,)).channel_named(channel_name)
        assert channel is not None
        conversation = self._conversation(channel.id, "channel", [])
        conversation.team, conversation.channel = team, channel
        conversation.member_ids = team.member_ids  # a channel's roster is its team's
        return conversation

    def join(self, conversation: Conversation, user: Account) -> None:
        """Make `user` a member of `conversation` (of its team, for a channel)."""
        if user.id not in conversation.member_ids:
            conversation.member_ids.append(user.id)

    def _conversation(
        self, conversation_id: str, kind: ConversationType, member_ids: list[str]
    ) -> Conversation:
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            conversation = Conversation(conversation_id, kind, self.tenant_id, [])
            self.conversations[conversation_id] = conversation
        for member_id in member_ids:
            if member_id not in conversation.member_ids:
                conversation.member_ids.append(member_id)
        return conversation

    def find(self, conversation_id: str) -> Conversation:
        """The conversation `conversation_id` (a channel thread finds its channel);
        raises the connector's 404."""
        conversation = self.conversations.get(thread_base(conversation_id))
        if conversation is None:
            raise ConnectorError.conversation_not_found()
        return conversation

    def members(self, conversation: Conversation) -> list[Account]:
        """The users of a conversation, in the order they joined."""
        return [self.users[m] for m in conversation.member_ids if m in self.users]

"""MockTeams' admin API (``/__admin/teams/...``): drive the channel side and read the
transcript from any language when the mock runs standalone.

Every simulate endpoint posts a signed activity to the bot and answers with the bot's
answer (``status``, parsed ``body``, the ``activity`` sent), exactly as the Python
``simulate_*`` methods return it. With ``X-Mock-Scope: <app id>`` the bot is that
scope's (registered with ``PUT /__admin/teams/bot`` in the scope): the activity is
addressed to that app's bot and its token's audience is that app id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ..core import AdminCall, AdminError, AdminRoute, Expectation, Scope
from ._activities import addressed_to
from ._answers import BotAnswer
from ._channel import DEFAULT_TIMEOUT, BotNotConfigured, ChannelPoster
from ._scopes import ScopedBot
from ._service import TeamsService
from ._tokens import TokenVariant, token_variant
from ._transcript import TranscriptEntry

PREFIX = "/__admin/teams"
ConversationKind = Literal["personal", "groupChat", "channel"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Actor(_Model):
    """Who acts, and where: a conversation kind or a known conversation id."""

    user: str = Field("alice", min_length=1, description="user name (or Teams user id)")
    conversation: str | None = Field(
        None, description="'personal' (default), 'groupChat', 'channel', or a conversation id"
    )


class IncomingText(Actor):
    """A message from the user."""

    text: str
    mention: bool | None = Field(None, description="@mention the bot (default: in channels)")
    delivery_mode: Literal["expectReplies"] | None = None
    token: str = Field("valid", description="token variant: valid, expired, wrong_audience, ...")


class RawActivity(_Model):
    """An activity posted as given (its serviceUrl should be the mock's)."""

    activity: dict[str, Any]
    token: str = "valid"


class MembersChange(Actor):
    """Members added to or removed from a conversation (``bot`` is the bot)."""

    members: list[str] = Field(default_factory=lambda: ["bot"])


class CardAction(Actor):
    """An Adaptive Card ``Action.Execute`` press."""

    verb: str
    data: dict[str, Any] = Field(default_factory=dict)
    reply_to: str | None = None


class Invoke(Actor):
    """Any invoke activity."""

    name: str
    value: Any = None


class Reaction(Actor):
    """A reaction to a message."""

    reply_to: str
    reaction: str = "like"
    removed: bool = False


class Answer(_Model):
    """The bot's answer to a simulated activity."""

    status: int | None
    body: Any = None
    activity: dict[str, Any]
    error: str | None = None


class Entry(_Model):
    """One transcript entry."""

    direction: Literal["in", "out"]
    kind: str
    text: str
    raw: dict[str, Any]
    conversation_id: str
    activity_id: str | None = None


class TranscriptQuery(_Model):
    """Filter of the transcript listing."""

    conversation: str | None = None


class TranscriptList(_Model):
    """The transcript, in order."""

    entries: list[Entry]


class NewConversation(_Model):
    """A conversation to create: a user's 1:1 chat, a group chat, or a team's channel."""

    kind: ConversationKind = "personal"
    users: list[str] = Field(default_factory=lambda: ["alice"], min_length=1)
    team: str = "Contoso"
    channel: str = "General"
    name: str | None = None


class ConversationInfo(_Model):
    """A conversation and its members."""

    id: str
    type: ConversationKind
    members: list[str]
    team_id: str | None = None


class ExpectReply(_Model):
    """An expected bot message."""

    text_contains: str = ""
    conversation: str | None = None
    times: int | None = Field(None, ge=1)


class ExpectationId(_Model):
    """The id of a registered expectation."""

    id: str


class Throttle(_Model):
    """Answer the bot's next sends with 429 Throttled."""

    times: int = Field(1, ge=1)
    retry_after: int = Field(1, ge=0)


class BotTarget(_Model):
    """Where the bot listens."""

    bot_url: str = Field(pattern=r"^https?://")


class TeamsSettings(_Model):
    """What a bot needs to be pointed at the mock."""

    service_url: str
    openid_metadata_url: str
    token_issuer: str
    token_url: str
    login_url: str
    app_id: str
    tenant_id: str
    bot_id: str
    bot_url: str | None
    environment: dict[str, str] = Field(
        description="the variables a bot reads (mocks.teams.bot_framework_authentication)"
    )


class AdminTarget(Protocol):
    """What the admin routes need from the mock."""

    domain: TeamsService

    @property
    def poster(self) -> ChannelPoster:
        """Posts activities to the bot."""
        ...

    def bot_in(self, scope: str = ...) -> ScopedBot:
        """The bot the channel posts to in a mock scope."""
        ...

    def set_bot_url(self, url: str, *, scope: str = ...) -> None:
        """Where a mock scope's bot listens."""
        ...

    def settings_document(self, scope: str = ...) -> dict[str, Any]:
        """What a bot (of a mock scope) needs to reach the mock."""
        ...

    def expect_reply(
        self, text_contains: str | None = ..., *, conversation: Any = ...
    ) -> Expectation: ...


class TeamsAdmin:
    """The admin routes of one mock."""

    def __init__(self, mock: AdminTarget) -> None:
        self.mock = mock

    def routes(self) -> list[AdminRoute]:
        """Every ``/__admin/teams/...`` route."""
        simulate = (
            ("message", self._message, IncomingText, "A user message to the bot"),
            (
                "activity",
                self._activity,
                RawActivity,
                "Any activity to the bot, with a token variant",
            ),
            ("members-added", self._members_added, MembersChange, "Members (or the bot) added"),
            (
                "members-removed",
                self._members_removed,
                MembersChange,
                "Members (or the bot) removed",
            ),
            ("card-action", self._card_action, CardAction, "An Adaptive Card Action.Execute press"),
            ("invoke", self._invoke, Invoke, "Any invoke activity"),
            ("reaction", self._reaction, Reaction, "A reaction to a message"),
            ("typing", self._typing, Actor, "The user is typing"),
        )
        routes = [
            AdminRoute(
                "POST",
                f"{PREFIX}/simulate/{name}",
                handler,
                summary,
                body=body,
                response=Answer,
                responses=(
                    (404, "No such conversation", "Error"),
                    (409, "The mock (or the scope) has no bot_url to post to", "Error"),
                ),
                scoped=True,
            )
            for name, handler, body, summary in simulate
        ]
        return [
            *routes,
            AdminRoute(
                "GET",
                f"{PREFIX}/transcript",
                self._transcript,
                "The transcript of the call's scope, in order",
                query=TranscriptQuery,
                response=TranscriptList,
                scoped=True,
            ),
            AdminRoute(
                "DELETE",
                f"{PREFIX}/transcript",
                self._clear,
                "Forget the transcript of the call's scope",
                status=204,
                scoped=True,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/conversations",
                self._conversation,
                "Create a conversation (1:1, group chat or channel)",
                body=NewConversation,
                response=ConversationInfo,
                status=201,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/expect-reply",
                self._expect_reply,
                "Expect the bot to post a message containing a text",
                body=ExpectReply,
                response=ExpectationId,
                status=201,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/throttle",
                self._throttle,
                "Throttle the bot's sends",
                body=Throttle,
                status=204,
            ),
            AdminRoute(
                "PUT",
                f"{PREFIX}/bot",
                self._set_bot,
                "Where the bot listens (with X-Mock-Scope: that app's bot)",
                body=BotTarget,
                response=TeamsSettings,
                scoped=True,
            ),
            AdminRoute(
                "GET",
                f"{PREFIX}/settings",
                self._settings,
                "What a bot needs to reach the mock",
                response=TeamsSettings,
                scoped=True,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/rotate-key",
                self._rotate,
                "Sign with a new channel key",
                response=TeamsSettings,
            ),
        ]

    # ---- simulate ------------------------------------------------------------------------

    async def _post(
        self,
        call: AdminCall,
        build: Callable[[], dict[str, Any]],
        token: str = "valid",
        *,
        as_given: bool = False,
    ) -> Answer:
        """Build the activity (a bad conversation is a 404) and post it to the bot of the
        call's scope, addressed to that bot unless it is posted `as_given`."""
        try:
            variant: TokenVariant = token_variant(token)
        except ValueError as exc:
            raise AdminError(400, str(exc), "token") from exc
        scope = _scope(call)
        bot = self.mock.bot_in(scope)
        try:
            activity = build()
        except ValueError as exc:
            raise AdminError(404, str(exc), "conversation") from exc
        if not as_given:
            activity = addressed_to(activity, bot.account, self.mock.domain.bot)
        try:
            answer: BotAnswer = await self.mock.poster.post_async(
                bot.url, activity, variant, DEFAULT_TIMEOUT, audience=bot.app_id, scope=scope
            )
        except BotNotConfigured as exc:
            message = f"no bot_url in scope {scope!r}: PUT {PREFIX}/bot in it" if scope else ""
            raise AdminError(409, message or str(exc), "bot_url") from exc
        return Answer.model_validate(answer.to_dict())

    async def _message(self, call: AdminCall) -> Answer:
        body: IncomingText = call.body
        domain = self.mock.domain
        return await self._post(
            call,
            lambda: domain.message(
                body.text,
                body.user,
                body.conversation,
                mention=body.mention,
                delivery_mode=body.delivery_mode,
            ),
            body.token,
        )

    async def _activity(self, call: AdminCall) -> Answer:
        body: RawActivity = call.body
        return await self._post(call, lambda: body.activity, body.token, as_given=True)

    async def _members_added(self, call: AdminCall) -> Answer:
        body: MembersChange = call.body
        domain = self.mock.domain
        return await self._post(
            call,
            lambda: domain.members_changed(body.members, body.user, body.conversation, added=True),
        )

    async def _members_removed(self, call: AdminCall) -> Answer:
        body: MembersChange = call.body
        domain = self.mock.domain
        return await self._post(
            call,
            lambda: domain.members_changed(body.members, body.user, body.conversation, added=False),
        )

    async def _card_action(self, call: AdminCall) -> Answer:
        body: CardAction = call.body
        domain = self.mock.domain
        return await self._post(
            call,
            lambda: domain.card_action(
                body.verb, body.data, body.user, body.conversation, reply_to=body.reply_to
            ),
        )

    async def _invoke(self, call: AdminCall) -> Answer:
        body: Invoke = call.body
        domain = self.mock.domain
        return await self._post(
            call, lambda: domain.invoke(body.name, body.value, body.user, body.conversation)
        )

    async def _reaction(self, call: AdminCall) -> Answer:
        body: Reaction = call.body
        domain = self.mock.domain
        return await self._post(
            call,
            lambda: domain.reaction(
                body.reply_to, body.reaction, body.user, body.conversation, removed=body.removed
            ),
        )

    async def _typing(self, call: AdminCall) -> Answer:
        body: Actor = call.body
        domain = self.mock.domain
        return await self._post(call, lambda: domain.typing(body.user, body.conversation))

    # ---- reading and programming ---------------------------------------------------------

    def _transcript(self, call: AdminCall) -> TranscriptList:
        query: TranscriptQuery = call.query
        entries = self.mock.domain.transcript.entries(query.conversation, scope=_scope(call))
        return TranscriptList(entries=[_entry(entry) for entry in entries])

    def _clear(self, call: AdminCall) -> None:
        self.mock.domain.transcript.clear(scope=_scope(call))

    def _conversation(self, call: AdminCall) -> ConversationInfo:
        body: NewConversation = call.body
        directory = self.mock.domain.directory
        users = [self.mock.domain.account(name) for name in body.users]
        if body.kind == "personal":
            conversation = directory.personal(users[0])
        elif body.kind == "groupChat":
            conversation = directory.group_chat(users, body.name)
        else:
            team = directory.team(body.team)
            conversation = directory.channel_conversation(team, body.channel)
            for user in users:
                directory.join(conversation, user)
        return ConversationInfo(
            id=conversation.id,
            type=conversation.type,
            members=[
                directory.users[m].name for m in conversation.member_ids if m in directory.users
            ],
            team_id=conversation.team.id if conversation.team is not None else None,
        )

    def _expect_reply(self, call: AdminCall) -> ExpectationId:
        body: ExpectReply = call.body
        expectation = self.mock.expect_reply(body.text_contains, conversation=body.conversation)
        if body.times is not None:
            expectation.times(body.times)
        return ExpectationId(id=expectation.id)

    def _throttle(self, call: AdminCall) -> None:
        body: Throttle = call.body
        self.mock.domain.connector.throttle(body.times, body.retry_after)

    def _set_bot(self, call: AdminCall) -> TeamsSettings:
        self.mock.set_bot_url(call.body.bot_url, scope=_scope(call))
        return self._settings(call)

    def _settings(self, call: AdminCall) -> TeamsSettings:
        return TeamsSettings.model_validate(self.mock.settings_document(_scope(call)))

    def _rotate(self, call: AdminCall) -> TeamsSettings:
        self.mock.domain.channel_keys.rotate()
        return self._settings(call)


def _scope(call: AdminCall) -> str:
    """The mock scope the call's ``X-Mock-Scope`` names ("" for the default scope)."""
    name = call.headers.get(Scope.HEADER, "")
    if len(name) > Scope.MAX_NAME:
        raise AdminError(400, f"{Scope.HEADER}: at most {Scope.MAX_NAME} characters", Scope.HEADER)
    return name


def _entry(entry: TranscriptEntry) -> Entry:
    return Entry(
        direction=entry.direction,
        kind=entry.kind,
        text=entry.text,
        raw=entry.raw,
        conversation_id=entry.conversation_id,
        activity_id=entry.activity_id,
    )

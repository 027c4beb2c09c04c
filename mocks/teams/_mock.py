"""MockTeams: the Microsoft Teams channel and Bot Connector, on the shared engine."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self

from ..core import (
    AdminRoute,
    BaseMock,
    CliOption,
    Expectation,
    ExpectationSpec,
    Method,
    Path,
    Predicate,
    RecordedRequest,
    Reply,
    Route,
    Violation,
)
from ..jose import Clock
from ._aad import client_credentials
from ._admin import TeamsAdmin
from ._answers import BotAnswer
from ._cards import render_activity
from ._channel import DEFAULT_TIMEOUT, ChannelPoster
from ._connector import MAX_MESSAGE_SIZE
from ._conversation import TeamsConversation
from ._directory import Account, Conversation, Team, bot_account
from ._endpoints import CONNECTOR_PREFIX, TOKEN_PATH, TeamsEndpoints, connector_reply
from ._errors import AUTH_DENIED_BODY, ConnectorError
from ._scopes import ScopeBots, ScopedBot
from ._service import TeamsService, Where
from ._tokens import (
    CHANNEL_ISSUER,
    CONNECTOR_AUDIENCE,
    TokenVariant,
    bearer_app_id,
    token_variant,
)
from ._transcript import TranscriptEntry

DEFAULT_APP_ID = "00000000-0000-4000-8000-00000000b075"
DEFAULT_APP_PASSWORD = "mock-teams-app-password"
DEFAULT_TENANT_ID = "72f98cc1-7e2a-4c4b-9d3f-0a1b2c3d4e5f"
#: The tenant segment of the login URL botbuilder uses for multi-tenant bots.
LOGIN_TENANT = "botframework.com"

User = str | Account


class ReplyExpectation(Expectation):
    """An expected bot message (from `MockTeams.expect_reply`), with Teams' failures."""

    def throttled(self, retry_after: int = 1) -> Self:
        """Answer with 429 ``Throttled`` and ``Retry-After`` instead of accepting it."""
        error = ConnectorError.throttled(retry_after)
        return self.respond(status=error.status, json=error.body(), headers=error.headers())

    def fails_with(self, error: ConnectorError) -> Self:
        """Answer with a connector error (``ConnectorError.bot_not_in_roster()``, ...)."""
        return self.respond(status=error.status, json=error.body(), headers=error.headers())


class MockTeams(BaseMock):
    """The Teams channel (it posts signed activities to a bot) and the Bot Connector API
    (the bot's replies, updates, deletes, proactive messages and roster calls).

    Example::

        with MockTeams.start(bot_url="http://127.0.0.1:3978/api/messages") as teams:
            adapter = CloudAdapter(teams.bot_framework_authentication())   # in the bot
            answer = teams.simulate_incoming("hello", user="alice")
            teams.conversation("alice").assert_response_contains("hello")
    """

    service: ClassVar[str] = "teams"
    error_schema: ClassVar[str | None] = "error"

    def __init__(
        self,
        *,
        bot_url: str | None = None,
        app_id: str = DEFAULT_APP_ID,
        app_password: str = DEFAULT_APP_PASSWORD,
        tenant_id: str = DEFAULT_TENANT_ID,
        bot_name: str = "Bot",
        clock: Clock | None = None,
        max_message_size: int = MAX_MESSAGE_SIZE,
        **options: Any,
    ) -> None:
        self.bot_url = bot_url
        self._started_bot_url = bot_url
        self.app_id = app_id
        self.app_password = app_password
        self.tenant_id = tenant_id
        self.bot_name = bot_name
        #: The tenant, keys, tokens, connector state and transcript (no HTTP in it).
        self.domain = TeamsService(
            app_id=app_id,
            app_password=app_password,
            tenant_id=tenant_id,
            bot_name=bot_name,
            seed=int(options.get("seed", 0)),
            clock=clock,
            max_message_size=max_message_size,
        )
        self._endpoints = TeamsEndpoints(self.domain, lambda: self.url)
        self._admin = TeamsAdmin(self)
        super().__init__(**options)
        self._poster = ChannelPoster(self.domain, self.send)
        self._scope_bots = ScopeBots(self.state)

    # ---- hooks ---------------------------------------------------------------------

    def build_routes(self) -> list[Route]:
        """The connector, the token endpoint, and the channel's metadata and keys."""
        return self._endpoints.routes()

    def admin_routes(self) -> list[AdminRoute]:
        """``/__admin/teams/...``: simulate, transcript, conversations, settings, ..."""
        return self._admin.routes()

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """The connector's ErrorResponse with the code Teams uses for `status`."""
        text = f"{field}: {message}" if field and not message.startswith(field) else message
        return connector_reply(ConnectorError.for_status(status, text))

    def contract_error_reply(self, request: RecordedRequest, violation: Violation) -> Reply:
        """400 ``BadArgument`` naming the field that breaks the contract."""
        field = violation.param or "body"
        return connector_reply(ConnectorError.bad_argument(f"{field}: {violation.message}"))

    def malformed_body_reply(self, request: RecordedRequest, route: Route) -> Reply:
        """400 ``BadSyntax``: the body is not JSON."""
        return connector_reply(ConnectorError.bad_syntax())

    def scope_key(self, request: RecordedRequest) -> str | None:
        """The Microsoft App ID: the form's (or HTTP Basic) ``client_id`` of a token request,
        the ``appid`` of the access token a connector call carries. A test worker whose
        bot has its own app id programs the scope of that name; the mock then issues that
        app tokens (with the bot's password) and takes its connector calls, in that scope."""
        authorization = request.headers.get("Authorization")
        if request.path.startswith(CONNECTOR_PREFIX):
            return bearer_app_id(authorization)
        if request.method == "POST" and request.path.endswith(TOKEN_PATH):
            return client_credentials(request.form, authorization)[0]
        return None

    def precheck(self, request: RecordedRequest, route: Route | None) -> Reply | None:
        """Connector calls (``/v3/...``) need the bot's access token from the token endpoint
        (or, in a named scope, one of the app that scope is named after)."""
        if not request.path.startswith(CONNECTOR_PREFIX):
            return None
        problem = self.domain.access_tokens.problem(
            request.headers.get("Authorization"), self.app_id, request.scope
        )
        if problem is None:
            return None
        self.log.info("connector call refused: %s", problem)
        return Reply.json(
            AUTH_DENIED_BODY, 401, {"WWW-Authenticate": 'Bearer realm="botframework"'}
        )

    def sign_callback(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> dict[str, str]:
        """Activities the mock sends to the bot by other means (an expectation's callback)
        carry a valid channel token for the serviceUrl they name."""
        if any(name.lower() == "authorization" for name in headers):
            return headers
        found = re.search(rb'"serviceUrl"\s*:\s*"([^"]*)"', body)
        service_url = found.group(1).decode() if found else self.service_url
        return {
            **headers,
            "Authorization": self.domain.channel_tokens.authorization(service_url) or "",
        }

    def stack_environment(self) -> dict[str, str]:
        """What a bot reads to reach the mock (``mocks.teams.bot_framework_authentication``)."""
        return {
            "TEAMS_SERVICE_URL": self.service_url,
            "MicrosoftAppId": self.app_id,
            "MicrosoftAppPassword": self.app_password,
            "MicrosoftAppTenantId": self.tenant_id,
            "MicrosoftAppType": "MultiTenant",
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": self.openid_metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": self.token_issuer,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": self.login_url,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": CONNECTOR_AUDIENCE,
            "TEAMS_TOKEN_URL": self.token_url,
        }

    @classmethod
    def cli_options(cls) -> list[CliOption]:
        """``--bot-url``, ``--app-id``, ``--app-password``, ``--tenant-id``, ``--bot-name``."""
        return [
            CliOption(
                "bot_url", "the bot's messaging endpoint (where activities go)", metavar="URL"
            ),
            CliOption("app_id", "the bot's Microsoft App ID", metavar="ID"),
            CliOption("app_password", "the bot's Microsoft App password", metavar="SECRET"),
            CliOption("tenant_id", "the tenant the users belong to", metavar="ID"),
            CliOption("bot_name", "the bot's display name", metavar="NAME"),
        ]

    def serve(self, port: int = 0, host: str = "127.0.0.1") -> Self:
        """Start serving; activities then carry the mock's URL as their serviceUrl."""
        super().serve(port, host)
        self.domain.set_service_url(self.url + "/")
        return self

    def reset(self, *, keep_stubs: bool = True) -> None:
        """Clear expectations and journal, forget users, conversations, the transcript and
        every scope's bot, and point at the bot the mock was started with again."""
        super().reset(keep_stubs=keep_stubs)
        self.bot_url = self._started_bot_url
        self._scope_bots.clear()
        self.domain.reset(self.seed)

    # ---- where the bot and its helpers point ------------------------------------------

    @property
    def service_url(self) -> str:
        """The ``serviceUrl`` activities carry: the mock's URL with a trailing slash."""
        return self.url + "/"

    @property
    def openid_metadata_url(self) -> str:
        """The channel's OpenID metadata, pinned to the current key set (a rotation gives a
        new URL, so botbuilder's process-wide key cache never goes stale)."""
        return self._endpoints.metadata_url(self.domain.channel_keys.generation)

    @property
    def token_issuer(self) -> str:
        """The ``iss`` of the channel's tokens."""
        return CHANNEL_ISSUER

    @property
    def login_url(self) -> str:
        """The Entra ID login URL of the bot's tenant (``TO_CHANNEL_FROM_BOT_LOGIN_URL``)."""
        return f"{self.url}/{LOGIN_TENANT}"

    @property
    def token_url(self) -> str:
        """Where the bot gets its connector tokens (client credentials)."""
        return self.login_url + TOKEN_PATH

    @property
    def poster(self) -> ChannelPoster:
        """Posts the channel's activities to the bot (the admin API uses it on the loop)."""
        return self._poster

    def bot_in(self, scope: str = "") -> ScopedBot:
        """The bot the channel posts to in mock scope `scope`: the mock's own (`app_id`,
        `bot_url`) in the default scope (""); in a named scope, the app that scope is
        named after (see `scope_key`), at the URL registered there (`set_bot_url`)."""
        if not scope:
            return ScopedBot(self.app_id, self.domain.bot, self.bot_url)
        return ScopedBot(scope, bot_account(scope, self.bot_name), self._scope_bots.url(scope))

    def set_bot_url(self, url: str, *, scope: str = "") -> None:
        """Post simulated activities to `url`: the mock's own bot's (``bot_url = url``), or
        in named mock scope `scope` (made if new) the bot of the app it is named after;
        other scopes keep theirs. A full `reset` forgets every scope's."""
        if scope:
            self._scope_bots.register(scope, url)
        else:
            self.bot_url = url

    def settings_document(self, scope: str = "") -> dict[str, Any]:
        """What a bot needs to be pointed at the mock, as JSON; in a named mock `scope`,
        the bot is the app that scope is named after (see `bot_in`)."""
        bot = self.bot_in(scope)
        return {
            "service_url": self.service_url,
            "openid_metadata_url": self.openid_metadata_url,
            "token_issuer": self.token_issuer,
            "token_url": self.token_url,
            "login_url": self.login_url,
            "app_id": bot.app_id,
            "tenant_id": self.tenant_id,
            "bot_id": bot.account.id,
            "bot_url": bot.url,
            "environment": {**self.stack_environment(), "MicrosoftAppId": bot.app_id},
        }

    def rotate_signing_key(self) -> str:
        """Sign with a new key from now on (the old one stays published); returns its kid.
        `openid_metadata_url` changes with it."""
        return self.domain.channel_keys.rotate().kid

    def credentials_factory(self) -> Any:
        """A botbuilder ``ServiceClientCredentialsFactory`` whose tokens come from the mock
        (MSAL cannot reach a plain-HTTP loopback). Needs ``botbuilder-core``."""
        from ._botbuilder import factory_from_environment

        return factory_from_environment(self.stack_environment())

    def bot_configuration(self) -> Any:
        """The configuration object ``ConfigurationBotFrameworkAuthentication`` reads,
        every endpoint pointing at the mock."""
        from ._botbuilder import configuration_from_environment

        return configuration_from_environment(self.stack_environment())

    def bot_framework_authentication(self) -> Any:
        """A stock botbuilder ``ConfigurationBotFrameworkAuthentication`` wired to the mock:
        ``CloudAdapter(mock.bot_framework_authentication())``. Needs
        ``botbuilder-integration-aiohttp``."""
        from ._botbuilder import authentication_from_environment

        return authentication_from_environment(self.stack_environment())

    # ---- the tenant ----------------------------------------------------------------------

    def user(self, name: User) -> Account:
        """The user called `name` (created on first use; ids derived from the name and seed)."""
        return self.domain.account(name)

    def team(self, name: str, *channels: str) -> Team:
        """The team called `name`, with a General channel and `channels`."""
        return self.domain.directory.team(name, channels)

    def channel(self, team: str = "Contoso", channel: str = "General") -> Conversation:
        """The conversation of a team's channel."""
        return self.domain.directory.channel_conversation(self.team(team), channel)

    def group_chat(self, *users: User, name: str | None = None) -> Conversation:
        """A group chat of `users` and the bot."""
        return self.domain.directory.group_chat([self.user(u) for u in users], name)

    def throttle(self, times: int = 1, retry_after: int = 1) -> None:
        """Answer the bot's next `times` sends with 429 ``Throttled`` and ``Retry-After``."""
        self.domain.connector.throttle(times, retry_after)

    # ---- the channel side: simulate ------------------------------------------------------

    def simulate_activity(
        self,
        activity: dict[str, Any],
        token: TokenVariant | str = "valid",
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> BotAnswer:
        """Post `activity` to the bot with a `token` variant (``valid``, ``expired``,
        ``wrong_audience``, ``wrong_issuer``, ``unknown_key``, ``no_endorsement``,
        ``serviceurl_mismatch``, ``tampered`` or ``none``); returns the bot's answer."""
        return self._poster.post(self.bot_url, activity, token_variant(token), timeout)

    def simulate_incoming(
        self,
        text: str,
        user: User = "alice",
        conversation: Where = None,
        *,
        mention: bool | None = None,
        delivery_mode: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        token: TokenVariant | str = "valid",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> BotAnswer:
        """The user sends `text` in `conversation` (their 1:1 chat by default; also
        ``"groupChat"``, ``"channel"``, a `Conversation` or an id). In a channel the bot
        is @mentioned unless ``mention=False`` (Teams only delivers mentions there);
        ``delivery_mode="expectReplies"`` asks for the replies in the answer."""
        activity = self.domain.message(
            text,
            user,
            conversation,
            mention=mention,
            delivery_mode=delivery_mode,
            attachments=attachments or (),
        )
        return self.simulate_activity(activity, token, timeout=timeout)

    def simulate_members_added(
        self, *members: User, by: User = "alice", conversation: Where = None
    ) -> BotAnswer:
        """A ``conversationUpdate`` adding `members` (default ``"bot"``: the bot installed)."""
        activity = self.domain.members_changed(members or ("bot",), by, conversation, added=True)
        return self.simulate_activity(activity)

    def simulate_members_removed(
        self, *members: User, by: User = "alice", conversation: Where = None
    ) -> BotAnswer:
        """A ``conversationUpdate`` removing `members` (default ``"bot"``: the bot leaves the
        roster, and its sends there get 403 ``BotNotInConversationRoster``)."""
        activity = self.domain.members_changed(members or ("bot",), by, conversation, added=False)
        return self.simulate_activity(activity)

    def simulate_reaction(
        self,
        reply_to: str,
        reaction: str = "like",
        user: User = "alice",
        conversation: Where = None,
        *,
        removed: bool = False,
    ) -> BotAnswer:
        """The user reacts to (or, with ``removed=True``, un-reacts to) message `reply_to`."""
        activity = self.domain.reaction(reply_to, reaction, user, conversation, removed=removed)
        return self.simulate_activity(activity)

    def simulate_card_action(
        self,
        verb: str,
        data: dict[str, Any] | None = None,
        user: User = "alice",
        conversation: Where = None,
        *,
        reply_to: str | None = None,
    ) -> BotAnswer:
        """The user presses an Adaptive Card ``Action.Execute`` button: an
        ``adaptiveCard/action`` invoke; the answer's body is the bot's invoke response."""
        activity = self.domain.card_action(verb, data, user, conversation, reply_to=reply_to)
        return self.simulate_activity(activity)

    def simulate_card_submit(
        self, data: dict[str, Any], reply_to: str, user: User = "alice", conversation: Where = None
    ) -> BotAnswer:
        """The user presses an ``Action.Submit`` button: a message carrying `data` as value."""
        return self.simulate_activity(self.domain.card_submit(data, reply_to, user, conversation))

    def simulate_messaging_extension_query(
        self, command_id: str, query: str, user: User = "alice", conversation: Where = None
    ) -> BotAnswer:
        """A search messaging extension query (``composeExtension/query``)."""
        activity = self.domain.messaging_extension_query(command_id, query, user, conversation)
        return self.simulate_activity(activity)

    def simulate_invoke(
        self, name: str, value: Any, user: User = "alice", conversation: Where = None
    ) -> BotAnswer:
        """Any invoke activity (``task/fetch``, ``composeExtension/submitAction``, ...)."""
        return self.simulate_activity(self.domain.invoke(name, value, user, conversation))

    def simulate_typing(self, user: User = "alice", conversation: Where = None) -> BotAnswer:
        """The user is typing."""
        return self.simulate_activity(self.domain.typing(user, conversation))

    # ---- conversation-level testing ------------------------------------------------------

    def conversation(self, user: User = "alice", conversation: Where = None) -> TeamsConversation:
        """`user` in `conversation` (their 1:1 chat by default), for `user_says` and
        `assert_response_contains`."""
        account = self.user(user)
        place = self.domain.place(account, conversation)
        return TeamsConversation(self, self.domain.transcript, account, place.conversation)

    @property
    def transcript(self) -> list[TranscriptEntry]:
        """Every activity both ways, in order (``direction``, ``kind``, ``text``, ``raw``)."""
        return self.domain.transcript.entries()

    def expect_reply(
        self, text_contains: str | None = None, *, conversation: Where = None
    ) -> ReplyExpectation:
        """Expect the bot to post a message (a reply, a proactive message, a card) whose
        readable text contains `text_contains`; `verify()` fails when it never does."""
        pattern = r"^/v3/conversations/[^/]+/activities(/[^/]+)?$"
        if conversation is not None:
            target = conversation.id if isinstance(conversation, Conversation) else conversation
            pattern = (
                rf"^/v3/conversations/{re.escape(target.split(';')[0])}[^/]*/activities(/[^/]+)?$"
            )
        wanted = text_contains or ""

        def says(request: RecordedRequest) -> bool:
            body = request.json
            return (
                isinstance(body, dict)
                and body.get("type") == "message"
                and wanted in render_activity(body)
            )

        matcher = (
            Method(value="POST")
            & Path(value=pattern, op="regex")
            & Predicate(function=says, description=f"a message containing {wanted!r}")
        )
        expectation = self.add_expectation(
            ExpectationSpec(matcher=matcher), handle=ReplyExpectation
        )
        assert isinstance(expectation, ReplyExpectation)
        return expectation

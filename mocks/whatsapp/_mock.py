"""MockWhatsApp: the WhatsApp Business Cloud API, with signed webhooks into the bot under test.

The bot calls the mock as its Graph API (sends, media, templates, profile); the mock
calls the bot as WhatsApp would (users' messages, statuses of what the bot sent), signed
with the app secret and retried until the bot answers 2xx.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, cast

from mocks.core import (
    AdminRoute,
    And,
    CliOption,
    ExpectationSpec,
    Method,
    Path,
    Predicate,
    RecordedRequest,
    Reply,
    Route,
    Violation,
)
from mocks.jose import Clock

from ._admin import WhatsAppAdmin
from ._admin_models import RulesOut
from ._auth import check_access_token
from ._cloud import StatusPlan, WhatsAppCloud
from ._criteria import SendCriteria
from ._delivery import DeliveryPolicy
from ._errors import GraphError, invalid_parameter
from ._expectations import MessageExpectation, SendExpectation, TemplateExpectation
from ._graph import APP_SUBSCRIPTIONS_ROUTE, APP_TOKEN_ROUTE, GraphRoutes
from ._options import WhatsAppOptions, environment
from ._outgoing import SentMessage
from ._reroute import aiohttp_middleware
from ._rules import RuleSwitches
from ._signature import SIGNATURE_HEADER, signature_header
from ._templates import Template
from ._transcript import TranscriptEntry
from ._users import normalize_phone
from ._validation import first_violation
from ._webhook_side import WebhookSide
from ._webhooks import Account

if TYPE_CHECKING:
    from ._reroute import AiohttpMiddleware
    from ._reroute_httpx import AsyncRerouteTransport, RerouteTransport
    from ._reroute_requests import RerouteAdapter

Json = dict[str, Any]
DEFAULTS = WhatsAppOptions()
#: Matches the messages endpoint with or without a version segment.
MESSAGES_PATH = r"^(/v\d+\.\d+)?/[^/]+/messages$"
#: HTTP status -> Graph error code of the errors the engine itself answers.
#: The version segment a Graph path may start with (``v23.0``).
_GRAPH_VERSION = re.compile(r"v\d+\.\d+")
_STATUS_CODES = {401: 190, 403: 10, 404: 100, 429: 130429, 500: 131000, 503: 131016}


class MockWhatsApp(WebhookSide):
    """The WhatsApp Business Cloud API, served on a loopback port.

    Graph calls go to ``{url}/v23.0/...`` (any version, or none); clients that hard-code
    ``graph.facebook.com`` use `httpx_transport()` (or the requests/aiohttp helpers).
    Webhooks go to `webhook_url`, signed with `app_secret`.

    Example::

        with MockWhatsApp.start(webhook_url=bot_url) as mock:
            chat = mock.conversation("15551234567")
            chat.user_says("hi")
            chat.assert_response_contains("Welcome")
            mock.expect_send_template("order_update").with_parameters("Alice", "42")
            ...
            mock.verify()
    """

    service: ClassVar[str] = "whatsapp"
    error_schema: ClassVar[str | None] = "error"

    def __init__(
        self,
        *,
        webhook_url: str | None = DEFAULTS.webhook_url,
        app_secret: str = DEFAULTS.app_secret,
        verify_token: str = DEFAULTS.verify_token,
        access_token: str = DEFAULTS.access_token,
        phone_number_id: str = DEFAULTS.phone_number_id,
        waba_id: str = DEFAULTS.waba_id,
        display_phone_number: str = DEFAULTS.display_phone_number,
        app_id: str = DEFAULTS.app_id,
        clock: Clock | None = None,
        **options: Any,
    ) -> None:
        self.webhook_url = webhook_url
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.app_id = app_id
        self._baseline = WhatsAppOptions(
            webhook_url,
            app_secret,
            verify_token,
            access_token,
            phone_number_id,
            waba_id,
            display_phone_number,
            app_id,
        )
        self._own_clock = clock is None
        #: The mock's time (the 24-hour window, rate limits, timestamps): move it forward
        #: with ``mock.clock.advance(seconds)``.
        self.clock = clock or Clock()
        #: How webhooks are retried (``retries``, ``backoff_ms``, ``timeout_ms``).
        self.delivery = DeliveryPolicy()
        super().__init__(**options)
        account = Account(phone_number_id, waba_id, display_phone_number)
        self.cloud = WhatsAppCloud(account, rng=self.ids, seed=self.seed, clock=self.clock)

    # ---- hooks ----------------------------------------------------------------------

    def build_routes(self) -> list[Route]:
        """The Graph API: messages, media, profile, templates, lookups, media downloads."""
        return GraphRoutes(self).routes()

    def admin_routes(self) -> list[AdminRoute]:
        """``/__admin/whatsapp/...``: conversations, simulated users, templates, rules."""
        return WhatsAppAdmin(self).routes()

    def graph_reply(self, error: GraphError, request: RecordedRequest | None = None) -> Reply:
        """The reply for a Graph error: its envelope, with a trace id from the seeded ids."""
        return Reply.json(error.body(self.cloud.ids.fbtrace_id()), error.status)

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """Errors the engine answers (404, 405, 413, injected ones) in the Graph envelope."""
        code = _STATUS_CODES.get(status, 100)
        error = GraphError(code, message, status=status, param=field)
        return self.graph_reply(error, request)

    def contract_error_reply(self, request: RecordedRequest, violation: Violation) -> Reply:
        """A body that breaks its contract: code 100 naming the parameter, Graph-style."""
        content_type = request.headers.get("Content-Type", "")
        if request.path.endswith("/media") and not content_type.startswith("multipart/"):
            sentence = (
                "An upload must be sent as multipart/form-data; the request said "
                f"Content-Type: {content_type or '(none)'}."
            )
            return self.graph_reply(invalid_parameter("file", sentence), request)
        document = request.json if request.is_json else None
        error = None
        if document is not None:
            error = first_violation(self.contracts.validator(violation.schema), document)
        if error is None:
            param = violation.param or "body"
            error = invalid_parameter(param, f"Param {param} is invalid: {violation.message}")
        return self.graph_reply(error, request)

    def malformed_body_reply(self, request: RecordedRequest, route: Route) -> Reply:
        """A body that is not JSON (or not a form)."""
        sentence = "The request body could not be parsed."
        return self.graph_reply(invalid_parameter("body", sentence), request)

    def scope_key(self, request: RecordedRequest) -> str | None:
        """The phone-number id (or business account id) a Graph path names: a test worker
        whose system under test sends from its own number programs the scope of that
        name, and the mock serves that number in it (sends, media, profile)."""
        segments = request.path.strip("/").split("/")
        if segments and _GRAPH_VERSION.fullmatch(segments[0]):
            segments = segments[1:]
        return segments[0] if len(segments) > 1 else None

    def precheck(self, request: RecordedRequest, route: Route | None) -> Reply | None:
        """Every Graph call (and media download) needs the mock's access token (190); the
        app token exchange authenticates with the app secret, and the app's webhook
        subscription also takes the app access token (``<app_id>|<app_secret>``)."""
        name = route.name if route is not None else ""
        if name == APP_TOKEN_ROUTE:
            return None
        app_token = f"{self.app_id}|{self.app_secret}"
        try:
            check_access_token(
                request.headers.get("Authorization"),
                request.query.get("access_token"),
                expected=self.access_token,
                also=app_token if name == APP_SUBSCRIPTIONS_ROUTE else None,
            )
        except GraphError as error:
            return self.graph_reply(error, request)
        return None

    def sign_callback(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> dict[str, str]:
        """Sign each webhook body: ``X-Hub-Signature-256: sha256=<HMAC of the bytes>``."""
        return {**headers, SIGNATURE_HEADER: signature_header(self.app_secret, body)}

    def stack_environment(self) -> dict[str, str]:
        """``WHATSAPP_API_URL``, ``WHATSAPP_ACCESS_TOKEN``, ``WHATSAPP_PHONE_NUMBER_ID``, ..."""
        return environment(self.url, self.options)

    @classmethod
    def cli_options(cls) -> list[CliOption]:
        """``--webhook-url``, ``--app-secret``, ``--verify-token``, ``--access-token``,
        ``--phone-number-id``, ``--waba-id``, ``--display-phone-number``."""
        helps = {
            "webhook_url": "the bot's webhook URL (where messages and statuses are posted)",
            "app_secret": "signs every webhook (X-Hub-Signature-256)",
            "verify_token": "the hub.verify_token of the GET handshake",
            "access_token": "the bearer token every Graph call must carry",
            "phone_number_id": "the sending number's id",
            "waba_id": "the WhatsApp Business Account id",
            "display_phone_number": "the sending number as displayed",
            "app_id": "the Meta app's id (app access tokens, webhook subscriptions)",
        }
        return [CliOption(name, help) for name, help in helps.items()]

    def reset(self, *, keep_stubs: bool = True) -> None:
        """Back to a fresh account: options as started, no users, media, sends or
        conversations, default rules and statuses, the mock's own clock back to now."""
        super().reset(keep_stubs=keep_stubs)
        for name, value in self._baseline.as_dict().items():
            setattr(self, name, value)
        if self._own_clock:
            self.clock.unfreeze()
            self.clock.skew = 0.0
        self.delivery = DeliveryPolicy()
        self.cloud.rules.switches = RuleSwitches()
        self.cloud.statuses = StatusPlan()
        self.cloud.clear()

    def reseed(self, seed: int) -> None:
        """Restart the ids from `seed` (business-scoped user ids derive from it too)."""
        super().reseed(seed)
        self.cloud.users.seed = seed

    # ---- options and state ----------------------------------------------------------

    @property
    def options(self) -> WhatsAppOptions:
        """The options as they are now."""
        return WhatsAppOptions(
            self.webhook_url,
            self.app_secret,
            self.verify_token,
            self.access_token,
            self.phone_number_id,
            self.waba_id,
            self.display_phone_number,
            self.app_id,
        )

    @property
    def transcript(self) -> list[TranscriptEntry]:
        """Every conversation's entries, in order (see `conversation(user)` for one)."""
        return self.cloud.transcript.entries()

    @property
    def sent_messages(self) -> list[SentMessage]:
        """Every message the bot sent and the mock accepted, in order."""
        return self.cloud.sent

    def register_template(
        self,
        name: str,
        language: str = "en_US",
        components: list[Json] | None = None,
        *,
        category: str = "UTILITY",
    ) -> Template:
        """Register a template sends are checked against (placeholders ``{{1}}`` or
        ``{{name}}`` in the components' text give the parameter counts; without
        components any parameters are accepted)."""
        return self.cloud.templates.register(name, language, components, category=category)

    def allow_recipient(self, *numbers: str) -> None:
        """Put phone numbers on the test number's recipient list (131030 otherwise).

        Users who wrote to the bot, and numbers given to `expect_send_message`, are on it.
        """
        for number in numbers:
            self.cloud.rules.allowed.allow(normalize_phone(number))

    def with_rules(self, **switches: bool) -> MockWhatsApp:
        """Switch business rules on or off: ``allow_list``, ``service_window``,
        ``throughput``, ``pair_rate_limit``, ``templates`` (and ``statuses``)."""
        self.set_rules(**switches)
        return self

    def set_rules(self, **switches: bool) -> RulesOut:
        """`with_rules`, answering the switches now (for the admin API)."""
        rules = self.cloud.rules.switches
        for name, value in switches.items():
            if name == "statuses":
                plan = self.cloud.statuses
                self.cloud.statuses = StatusPlan(value, plan.steps, plan.delay_ms, plan.interval_ms)
            elif hasattr(rules, name):
                setattr(rules, name, value)
            else:
                raise ValueError(f"unknown rule {name!r}")
        return RulesOut(
            allow_list=rules.allow_list,
            service_window=rules.service_window,
            throughput=rules.throughput,
            pair_rate_limit=rules.pair_rate_limit,
            templates=rules.templates,
            statuses=self.cloud.statuses.enabled,
        )

    def with_status_webhooks(
        self,
        enabled: bool = True,
        *,
        steps: tuple[str, ...] = ("sent", "delivered", "read"),
        delay_ms: int = 20,
        interval_ms: int = 20,
    ) -> MockWhatsApp:
        """Which statuses follow each accepted send, and when (``enabled=False``: none,
        except the ``failed`` status of a send outside the 24-hour window)."""
        self.cloud.statuses = StatusPlan(enabled, steps, delay_ms, interval_ms)
        return self

    # ---- expectations ---------------------------------------------------------------

    def expect_send_message(self, to: str | None = None) -> MessageExpectation:
        """Expect the bot to send a message (to `to`, a phone number, when given).

        Chain ``.with_text(...)``, ``.of_type(...)``, ``.replying_to(wamid)``,
        ``.with_buttons(...)``, ``.times(n)``, ``.respond_with_error(code)``. The number
        joins the test number's recipient list.
        """
        criteria = SendCriteria(to=None if to is None else normalize_phone(to))
        if criteria.to is not None:
            self.cloud.rules.allowed.allow(criteria.to)
        return cast(MessageExpectation, self._expect_send(criteria, MessageExpectation))

    def expect_send_template(self, name: str, language: str | None = None) -> TemplateExpectation:
        """Expect the bot to send the template `name`; registers it when unknown (any
        parameters), so expecting a template also makes it sendable.

        Chain ``.in_language(...)``, ``.with_parameters(...)``, ``.to(number)``, ...
        """
        if not self.cloud.templates.knows(name) or (
            language is not None and self.cloud.templates.find(name, language) is None
        ):
            self.register_template(name, language or "en_US")
        criteria = SendCriteria(type="template", template_name=name, template_language=language)
        return cast(TemplateExpectation, self._expect_send(criteria, TemplateExpectation))

    def _expect_send(
        self, criteria: SendCriteria, handle: type[SendExpectation]
    ) -> SendExpectation:
        def matches(request: RecordedRequest) -> bool:
            return criteria.mismatch(request.json, self._recipient_of) is None

        matcher = And(
            all=[
                Method(value="POST"),
                Path(value=MESSAGES_PATH, op="regex"),
                Predicate(function=matches, description="the WhatsApp send criteria"),
            ]
        )
        expectation = self.add_expectation(ExpectationSpec(matcher=matcher), handle=handle)
        return cast(SendExpectation, expectation).bind(criteria, self.cloud.ids.fbtrace_id())

    def _recipient_of(self, body: Json) -> str | None:
        try:
            return self.cloud.users.resolve(
                to=body.get("to"), recipient=body.get("recipient")
            ).wa_id
        except GraphError:
            return None

    # ---- clients that hard-code Meta's hosts -----------------------------------------

    def httpx_transport(self, **options: Any) -> RerouteTransport:
        """An httpx transport sending graph.facebook.com and lookaside.fbsbx.com here::

        WhatsApp(..., session=httpx.Client(transport=mock.httpx_transport()))
        """
        from ._reroute_httpx import RerouteTransport

        return RerouteTransport(self.url, **options)

    def httpx_async_transport(self, **options: Any) -> AsyncRerouteTransport:
        """The async twin of `httpx_transport` (``httpx.AsyncClient``, pywa_async)."""
        from ._reroute_httpx import AsyncRerouteTransport

        return AsyncRerouteTransport(self.url, **options)

    def requests_adapter(self, **options: Any) -> RerouteAdapter:
        """A requests adapter for Meta's hosts: ``mock.requests_adapter().mount(session)``."""
        from ._reroute_requests import RerouteAdapter

        return RerouteAdapter(self.url, **options)

    def aiohttp_middleware(self) -> AiohttpMiddleware:
        """An aiohttp client middleware for Meta's hosts:
        ``aiohttp.ClientSession(middlewares=[mock.aiohttp_middleware()])``."""
        return aiohttp_middleware(self.url)

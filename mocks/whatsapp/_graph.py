"""The Graph API routes: what a bot calls, answered from the simulated platform.

Every route is served with and without a version segment (``/v23.0/...`` and ``/...``,
as whatsapp-sdk posts messages unversioned). The handlers only translate: the request
to a :class:`~mocks.whatsapp._cloud.WhatsAppCloud` call, its result or
:class:`~mocks.whatsapp._errors.GraphError` to a reply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from mocks.core import Callback, RecordedRequest, Reply, ReplyError, Route

from ._cloud import SendOutcome, WhatsAppCloud
from ._delivery import Handshake
from ._errors import GraphError, invalid_parameter, unknown_object

Handler = Callable[[RecordedRequest], Reply | Awaitable[Reply]]
VERSION = r"{version:v\d+\.\d+}"
#: The route that trades the app id and secret for an app access token (no bearer needed).
APP_TOKEN_ROUTE = "graph: app access token"
#: The route that also takes the app access token (``<app_id>|<app_secret>``).
APP_SUBSCRIPTIONS_ROUTE = "graph: app subscriptions"


class GraphHost(Protocol):
    """What the routes need of the mock."""

    cloud: WhatsAppCloud
    phone_number_id: str
    waba_id: str
    app_id: str
    app_secret: str
    webhook_url: str | None
    verify_token: str

    @property
    def url(self) -> str:
        """The mock's base URL (download links point at it)."""

    def graph_reply(self, error: GraphError, request: RecordedRequest | None) -> Reply:
        """The reply for a Graph error."""

    def status_callbacks(self, outcome: SendOutcome) -> list[Callback]:
        """The status webhooks an accepted send is followed by."""

    async def verify_webhook_async(
        self, url: str | None = None, verify_token: str | None = None
    ) -> Handshake:
        """Run the GET handshake against `url` with `verify_token`."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """One Graph operation, served under any version prefix."""

    method: str
    path: str
    handler: Handler
    request_schema: str | None = None
    response_schema: str | None = None
    body_format: Literal["json", "form", "query"] = "json"
    name: str = ""

    def route(self, prefix: str) -> Route:
        return Route(
            self.method,
            prefix + self.path,
            self.handler,
            name=self.name,
            request_schema=self.request_schema,
            response_schema=self.response_schema,
            body_format=self.body_format,
        )


class GraphRoutes:
    """The route table and its handlers."""

    def __init__(self, host: GraphHost) -> None:
        self.host = host

    def routes(self) -> list[Route]:
        """Every Graph route, versioned (any ``v<major>.<minor>``) and unversioned, and the
        media download."""
        entries = [
            _Entry(
                "POST",
                "/{phone_number_id}/messages",
                self.messages,
                "messages.request",
                "messages.response",
            ),
            _Entry(
                "POST",
                "/{phone_number_id}/media",
                self.upload,
                "media.upload.request",
                "media.upload.response",
                body_format="form",
            ),
            _Entry(
                "GET",
                "/{phone_number_id}/whatsapp_business_profile",
                self.profile,
                response_schema="business_profile.response",
            ),
            _Entry(
                "GET",
                "/{waba_id}/message_templates",
                self.list_templates,
                response_schema="templates.list.response",
            ),
            _Entry(
                "POST",
                "/{waba_id}/message_templates",
                self.create_template,
                "template.create.request",
                "template.create.response",
            ),
            _Entry(
                "DELETE",
                "/{waba_id}/message_templates",
                self.delete_template,
                response_schema="success.response",
            ),
            _Entry(
                "GET",
                "/oauth/access_token",
                self.app_token,
                response_schema="app_token.response",
                name=APP_TOKEN_ROUTE,
            ),
            _Entry(
                "POST",
                "/{app_id}/subscriptions",
                self.subscribe_app,
                response_schema="success.response",
                name=APP_SUBSCRIPTIONS_ROUTE,
            ),
            _Entry(
                "POST",
                "/{waba_id}/subscribed_apps",
                self.subscribe_account,
                response_schema="success.response",
            ),
            _Entry("GET", "/{object_id}", self.lookup, response_schema="lookup.response"),
            _Entry("DELETE", "/{object_id}", self.delete_media, response_schema="success.response"),
        ]
        versioned = [entry.route(f"/{VERSION}") for entry in entries]
        bare = [entry.route("") for entry in entries]
        download = Route("GET", "/whatsapp_business/attachments/", self.download)
        return [download, *versioned, *bare]

    # ---- helpers --------------------------------------------------------------------

    def _fail(self, error: GraphError, request: RecordedRequest) -> ReplyError:
        return ReplyError(self.host.graph_reply(error, request))

    def _own(self, request: RecordedRequest, name: str, expected: str) -> None:
        """Refuse a path naming another phone number or business account, unless the
        request was scoped by that id (a test worker's own number, see `scope_key`)."""
        given = request.path_params[name]
        if given != expected and given != request.scope:
            raise self._fail(unknown_object(given, request.method), request)

    # ---- messages -------------------------------------------------------------------

    def messages(self, request: RecordedRequest) -> Reply:
        """Send a message, or mark one read."""
        self._own(request, "phone_number_id", self.host.phone_number_id)
        body = request.json
        try:
            if "status" in body:
                return Reply.json(self.host.cloud.mark_read(body))
            outcome = self.host.cloud.send(body)
        except GraphError as error:
            raise self._fail(error, request) from None
        reply = Reply.json(outcome.response)
        reply.callbacks.extend(self.host.status_callbacks(outcome))
        return reply

    # ---- media ----------------------------------------------------------------------

    def upload(self, request: RecordedRequest) -> Reply:
        """Store an uploaded file and answer its id."""
        self._own(request, "phone_number_id", self.host.phone_number_id)
        parts = [part for part in request.files if part.name == "file"]
        if not parts:
            error = invalid_parameter("file", "The parameter file is required.")
            raise self._fail(error, request)
        part = parts[0]
        mime_type = request.form.get("type") or part.content_type
        item = self.host.cloud.upload(part.data, mime_type, part.filename)
        return Reply.json({"id": item.id})

    def lookup(self, request: RecordedRequest) -> Reply:
        """``GET /{id}``: a media item's metadata, the phone number, the account, a template."""
        object_id = request.path_params["object_id"]
        cloud = self.host.cloud
        try:
            item = cloud.media.get(object_id)
            if item is not None:
                return Reply.json(item.metadata(self.host.url))
            return Reply.json(cloud.business.lookup(object_id))
        except GraphError as error:
            raise self._fail(error, request) from None

    def delete_media(self, request: RecordedRequest) -> Reply:
        """``DELETE /{media-id}``."""
        try:
            return Reply.json(self.host.cloud.delete_media(request.path_params["object_id"]))
        except GraphError as error:
            raise self._fail(error, request) from None

    def download(self, request: RecordedRequest) -> Reply:
        """The bytes behind a media URL (the bearer token was checked before)."""
        item = self.host.cloud.media.by_token(request.query.get("hash", ""))
        if item is None or item.id != request.query.get("mid"):
            raise self._fail(unknown_object(request.query.get("mid", "")), request)
        headers = {"Content-Type": item.mime_type}
        if item.filename:
            headers["Content-Disposition"] = f'attachment; filename="{item.filename}"'
        return Reply(200, headers, item.data)

    # ---- account --------------------------------------------------------------------

    def profile(self, request: RecordedRequest) -> Reply:
        """The business profile of the sending number."""
        self._own(request, "phone_number_id", self.host.phone_number_id)
        return Reply.json({"data": [self.host.cloud.business.profile.to_json()]})

    def list_templates(self, request: RecordedRequest) -> Reply:
        """The account's templates (filters: name, language, status)."""
        self._own(request, "waba_id", self.host.waba_id)
        query = request.query
        listed = self.host.cloud.business.list_templates(
            name=query.get("name"), language=query.get("language"), status=query.get("status")
        )
        return Reply.json(listed)

    def create_template(self, request: RecordedRequest) -> Reply:
        """Register a template (approved at once)."""
        self._own(request, "waba_id", self.host.waba_id)
        return Reply.json(self.host.cloud.business.create_template(request.json))

    def delete_template(self, request: RecordedRequest) -> Reply:
        """Delete a template by name (``?name=``)."""
        self._own(request, "waba_id", self.host.waba_id)
        name = request.query.get("name")
        try:
            if not name:
                raise invalid_parameter("name", "The parameter name is required.")
            return Reply.json(self.host.cloud.business.delete_template(name))
        except GraphError as error:
            raise self._fail(error, request) from None

    # ---- webhook subscriptions ------------------------------------------------------

    def app_token(self, request: RecordedRequest) -> Reply:
        """``GET /oauth/access_token?grant_type=client_credentials``: the app access token."""
        query = request.query
        host = self.host
        if query.get("client_id") != host.app_id or query.get("client_secret") != host.app_secret:
            error = GraphError(
                1, "Error validating client secret.", title="Invalid client credentials"
            )
            raise self._fail(error, request)
        return Reply.json(
            {"access_token": f"{host.app_id}|{host.app_secret}", "token_type": "bearer"}
        )

    async def subscribe_app(self, request: RecordedRequest) -> Reply:
        """``POST /{app-id}/subscriptions``: set the app's callback URL (Meta runs the
        handshake against it first; a URL that does not echo the challenge is refused)."""
        self._own(request, "app_id", self.host.app_id)
        fields: dict[str, Any] = dict(request.query)
        fields.update(request.form)  # the same fields sent as a form body
        if request.is_json and isinstance(request.json, dict):
            fields.update(request.json)
        url, token = fields.get("callback_url"), fields.get("verify_token")
        return await self._subscribe(request, url, token)

    async def subscribe_account(self, request: RecordedRequest) -> Reply:
        """``POST /{waba-id}/subscribed_apps``: subscribe the app to the account, with an
        optional override callback URL (handshake first, as for the app's)."""
        self._own(request, "waba_id", self.host.waba_id)
        body = request.json if request.is_json and isinstance(request.json, dict) else {}
        url = body.get("override_callback_uri")
        if url is None:
            return Reply.json({"success": True})
        return await self._subscribe(request, url, body.get("verify_token"))

    async def _subscribe(
        self, request: RecordedRequest, url: str | None, verify_token: str | None
    ) -> Reply:
        for name, value in (("callback_url", url), ("verify_token", verify_token)):
            if not value:
                raise self._fail(
                    invalid_parameter(name, f"The parameter {name} is required."), request
                )
        assert url is not None and verify_token is not None
        handshake = await self.host.verify_webhook_async(url, verify_token)
        if not handshake.passed():
            error = GraphError(
                2200,
                f"(#2200) Callback verification failed with the following errors: "
                f"{handshake.failure()}",
                title="Callback verification failed",
            )
            raise self._fail(error, request)
        self.host.webhook_url = url
        self.host.verify_token = verify_token
        return Reply.json({"success": True})

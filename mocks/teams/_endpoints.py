"""The mock's HTTP routes: the Bot Connector API, the token endpoint, and the channel's
OpenID metadata and keys. Each handler decodes the request, calls the service, and
turns a `ConnectorError` or `AadError` into the answer the real service gives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..core import RecordedRequest, Reply, ReplyError, Route
from ._errors import AadError, ConnectorError
from ._keys import openid_metadata
from ._service import TeamsService
from ._tokens import CHANNEL_ISSUER

#: Path of the channel's OpenID metadata (a key-set generation may be inserted before
#: its last segment) and of its keys.
METADATA_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"
CONVERSATION = "/v3/conversations/{conversationId}"
#: What every Bot Connector path starts with (those calls need the bot's access token).
CONNECTOR_PREFIX = "/v3/"
#: The token endpoint's path below the tenant segment.
TOKEN_PATH = "/oauth2/v2.0/token"


def connector_reply(error: ConnectorError) -> Reply:
    """The connector's answer for `error`."""
    return Reply.json(error.body(), error.status, error.headers())


class TeamsEndpoints:
    """Builds the routes over a `TeamsService`; `base_url()` is the mock's URL."""

    def __init__(self, service: TeamsService, base_url: Callable[[], str]) -> None:
        self.service = service
        self.base_url = base_url

    def routes(self) -> list[Route]:
        """Every route of the mock, channel side first."""
        c = CONVERSATION
        return [
            Route("GET", METADATA_PATH, self._metadata, response_schema="openid_metadata.response"),
            Route("GET", KEYS_PATH, self._keys, response_schema="jwks.response"),
            Route(
                "GET",
                "/v1/.well-known/{generation}/openidconfiguration",
                self._metadata,
                response_schema="openid_metadata.response",
            ),
            Route(
                "GET",
                "/v1/.well-known/{generation}/keys",
                self._keys,
                response_schema="jwks.response",
            ),
            Route(
                "POST",
                "/{tenant}" + TOKEN_PATH,
                self._token,
                request_schema="token.request",
                response_schema="token.response",
                body_format="form",
                serve_invalid=True,
            ),
            Route(
                "GET",
                "/{tenant}/discovery/v2.0/keys",
                self._aad_keys,
                response_schema="jwks.response",
            ),
            Route(
                "POST",
                "/v3/conversations",
                self._create,
                request_schema="conversation_parameters.request",
                response_schema="conversation_resource.response",
            ),
            Route(
                "GET",
                "/v3/conversations",
                self._conversations,
                response_schema="conversations.response",
            ),
            Route(
                "POST",
                f"{c}/activities/history",
                self._history,
                request_schema="transcript.request",
                response_schema="resource.response",
            ),
            Route(
                "POST",
                f"{c}/activities",
                self._send,
                request_schema="activity",
                response_schema="resource.response",
            ),
            Route(
                "POST",
                f"{c}/activities/{{activityId}}",
                self._send,
                request_schema="activity",
                response_schema="resource.response",
            ),
            Route(
                "PUT",
                f"{c}/activities/{{activityId}}",
                self._update,
                request_schema="activity",
                response_schema="resource.response",
            ),
            Route("DELETE", f"{c}/activities/{{activityId}}", self._delete),
            Route(
                "GET",
                f"{c}/activities/{{activityId}}/members",
                self._activity_members,
                response_schema="members.response",
            ),
            Route("GET", f"{c}/members", self._members, response_schema="members.response"),
            Route(
                "GET", f"{c}/members/{{memberId}}", self._member, response_schema="member.response"
            ),
            Route("DELETE", f"{c}/members/{{memberId}}", self._remove_member),
            Route(
                "GET",
                f"{c}/pagedmembers",
                self._paged_members,
                response_schema="paged_members.response",
            ),
            Route(
                "POST",
                f"{c}/attachments",
                self._upload,
                request_schema="attachment_data.request",
                response_schema="resource.response",
            ),
            Route(
                "GET",
                "/v3/attachments/{attachmentId}",
                self._attachment_info,
                response_schema="attachment_info.response",
            ),
            Route("GET", "/v3/attachments/{attachmentId}/views/{viewId}", self._attachment_view),
            Route("GET", "/v3/teams/{teamId}", self._team, response_schema="team_details.response"),
            Route(
                "GET",
                "/v3/teams/{teamId}/conversations",
                self._team_channels,
                response_schema="team_channels.response",
            ),
        ]

    # the channel's metadata and keys ---------------------------------------------------

    def metadata_url(self, generation: str | None = None) -> str:
        """The metadata URL; with `generation`, the one pinned to that key set."""
        if generation is None:
            return self.base_url() + METADATA_PATH
        return f"{self.base_url()}/v1/.well-known/{generation}/openidconfiguration"

    def _metadata(self, request: RecordedRequest) -> Reply:
        generation = request.path_params.get("generation")
        keys = KEYS_PATH if generation is None else f"/v1/.well-known/{generation}/keys"
        return Reply.json(openid_metadata(CHANNEL_ISSUER, self.base_url() + keys))

    def _keys(self, request: RecordedRequest) -> Reply:
        return Reply.json(self.service.channel_keys.jwks())

    # Entra ID ---------------------------------------------------------------------------

    def _token(self, request: RecordedRequest) -> Reply:
        form = {name: request.form[name] for name in request.form}
        tenant = request.path_params["tenant"]
        try:
            answer = self.service.token_endpoint.grant(
                form, tenant, request.headers.get("Authorization"), mock_scope=request.scope
            )
        except AadError as error:
            return self.aad_reply(error)
        return Reply.json(answer, headers={"Cache-Control": "no-store, no-cache"})

    def aad_reply(self, error: AadError) -> Reply:
        """Entra ID's answer for `error` (trace ids from the seeded generator)."""
        moment = datetime.fromtimestamp(self.service.clock.now(), UTC)
        body = error.body(
            moment.strftime("%Y-%m-%d %H:%M:%SZ"), self.service.ids.guid(), self.service.ids.guid()
        )
        return Reply.json(body, error.status, {"Cache-Control": "no-store, no-cache"})

    def _aad_keys(self, request: RecordedRequest) -> Reply:
        keys = self.service.access_tokens.keys
        return Reply.json({"keys": [key.jwk() for key in keys.published()]})

    # the connector ----------------------------------------------------------------------

    @staticmethod
    def _call(action: Callable[[], Any], status: int = 200) -> Reply:
        """Run a connector operation: its document, an empty 200, or its error."""
        try:
            document = action()
        except ConnectorError as error:
            raise ReplyError(connector_reply(error)) from error
        if document is None:
            return Reply(status)
        return Reply.json(document, status)

    def _create(self, request: RecordedRequest) -> Reply:
        connector = self.service.connector
        return self._call(
            lambda: connector.create_conversation(request.json, scope=request.scope), 201
        )

    def _conversations(self, request: RecordedRequest) -> Reply:
        token = request.query.get("continuationToken")
        connector = self.service.connector
        return self._call(lambda: connector.conversations(token, scope=request.scope))

    def _history(self, request: RecordedRequest) -> Reply:
        conversation_id = request.path_params["conversationId"]
        return self._call(
            lambda: self.service.connector.send_history(conversation_id, request.json), 201
        )

    def _send(self, request: RecordedRequest) -> Reply:
        params = request.path_params
        conversation_id, reply_to = params["conversationId"], params.get("activityId")
        return self._call(
            lambda: self.service.connector.send(
                conversation_id, request.json, reply_to, scope=request.scope
            ),
            201,
        )

    def _update(self, request: RecordedRequest) -> Reply:
        params = request.path_params
        return self._call(
            lambda: self.service.connector.update(
                params["conversationId"], params["activityId"], request.json, scope=request.scope
            )
        )

    def _delete(self, request: RecordedRequest) -> Reply:
        params = request.path_params
        return self._call(
            lambda: self.service.connector.delete(
                params["conversationId"], params["activityId"], scope=request.scope
            )
        )

    def _activity_members(self, request: RecordedRequest) -> Reply:
        params = request.path_params
        return self._call(
            lambda: self.service.connector.activity_members(
                params["conversationId"], params["activityId"]
            )
        )

    def _members(self, request: RecordedRequest) -> Reply:
        conversation_id = request.path_params["conversationId"]
        return self._call(lambda: self.service.connector.members(conversation_id))

    def _member(self, request: RecordedRequest) -> Reply:
        params = request.path_params
        return self._call(
            lambda: self.service.connector.member(params["conversationId"], params["memberId"])
        )

    def _remove_member(self, request: RecordedRequest) -> Reply:
        params = request.path_params
        return self._call(
            lambda: self.service.connector.remove_member(
                params["conversationId"], params["memberId"]
            )
        )

    def _paged_members(self, request: RecordedRequest) -> Reply:
        conversation_id = request.path_params["conversationId"]
        size_text = request.query.get("pageSize")
        if size_text is not None and not size_text.strip().isdigit():
            error = ConnectorError.bad_argument(f"pageSize: {size_text!r} is not a number.")
            raise ReplyError(connector_reply(error))
        size = int(size_text) if size_text is not None else None
        token = request.query.get("continuationToken")
        return self._call(
            lambda: self.service.connector.paged_members(conversation_id, size, token)
        )

    def _upload(self, request: RecordedRequest) -> Reply:
        conversation_id = request.path_params["conversationId"]
        return self._call(
            lambda: self.service.connector.upload_attachment(conversation_id, request.json), 201
        )

    def _attachment_info(self, request: RecordedRequest) -> Reply:
        attachment_id = request.path_params["attachmentId"]
        return self._call(lambda: self.service.connector.attachment(attachment_id).info())

    def _attachment_view(self, request: RecordedRequest) -> Reply:
        params = request.path_params
        try:
            data, content_type = self.service.connector.attachment_view(
                params["attachmentId"], params["viewId"]
            )
        except ConnectorError as error:
            raise ReplyError(connector_reply(error)) from error
        return Reply(200, {"Content-Type": content_type}, data)

    def _team(self, request: RecordedRequest) -> Reply:
        team_id = request.path_params["teamId"]
        return self._call(lambda: self.service.connector.team_details(team_id))

    def _team_channels(self, request: RecordedRequest) -> Reply:
        team_id = request.path_params["teamId"]
        return self._call(lambda: self.service.connector.team_channels(team_id))

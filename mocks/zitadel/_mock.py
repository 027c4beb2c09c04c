"""`MockZitadel`: the provider served on the shared engine, with its domain vocabulary."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urlencode

from ..core import (
    AdminRoute,
    And,
    BaseMock,
    Body,
    Callback,
    Expectation,
    ExpectationSpec,
    Method,
    Predicate,
    RecordedRequest,
    Reply,
    ReplyContext,
    Responder,
    Route,
)
from ..core import Path as PathMatcher
from ..jose import Clock, SigningKey
from . import _discovery as paths
from . import _totp as totp
from ._actions import Action, ActionFunction
from ._admin import ZitadelAdmin
from ._api import API_PREFIXES, CONNECT_PREFIX
from ._client_auth import basic_credentials, query_unescape
from ._errors import ErrorKind, OAuthError, ZitadelError
from ._http import HttpRequest, HttpResult
from ._login_page import PASSWORD_PATH
from ._model import (
    AccessTokenType,
    ActionRule,
    ActionTrigger,
    AppKind,
    Application,
    InstanceFeatures,
    Organization,
    Project,
    SecuritySettings,
    ServiceUser,
    StubConfig,
    TokenLifetimes,
    User,
    UserGrant,
)
from ._provider import ZitadelProvider
from ._tokens import TokenResponse

#: Contracts per provider route name: (request schema, response schema, body format).
_CONTRACTS: dict[str, tuple[str | None, str | None, Literal["json", "form", "query"]]] = {
    "discovery": (None, "discovery.response", "json"),
    "jwks": (None, "jwks.response", "json"),
    "token": ("token.request", "token.response", "form"),
    "introspect": ("introspect.request", "introspect.response", "form"),
    "revoke": ("revoke.request", None, "form"),
    "userinfo": (None, "userinfo.response", "json"),
    "device_authorization": (
        "device_authorization.request",
        "device_authorization.response",
        "form",
    ),
    "add_human_user": ("user.add_human.request", "user.add_human.response", "json"),
    "get_user": (None, "user.get.response", "json"),
    "list_users": ("user.list.request", "user.list.response", "json"),
    "delete_user": (None, "user.delete.response", "json"),
    "set_password": ("user.set_password.request", "user.set_password.response", "json"),
    "create_session": ("session.create.request", "session.create.response", "json"),
    "set_session": (None, "session.set.response", "json"),
    "get_session": (None, "session.get.response", "json"),
    "get_auth_request": (None, "oidc.get_auth_request.response", "json"),
    "create_callback": ("oidc.create_callback.request", "oidc.create_callback.response", "json"),
    "add_personal_access_token": (None, "user.add_pat.response", "json"),
    "create_authorization": (
        "authorization.create.request",
        "authorization.create.response",
        "json",
    ),
    "add_organization": (None, "org.add.response", "json"),
}
#: API routes whose contract violations Zitadel itself refuses (protojson rejects unknown
#: fields): answered with Zitadel's 400 naming the field instead of being served.
_REFUSED_WHEN_INVALID = frozenset({"create_session", "create_callback", "create_authorization"})
#: Endpoints `fail_next` knows, by name.
ENDPOINTS = {
    "token": ("POST", paths.TOKEN_PATH),
    "introspect": ("POST", paths.INTROSPECT_PATH),
    "revoke": ("POST", paths.REVOKE_PATH),
    "userinfo": (None, paths.USERINFO_PATH),
    "device_authorization": ("POST", paths.DEVICE_AUTHORIZATION_PATH),
    "keys": ("GET", paths.KEYS_PATH),
    "discovery": ("GET", paths.DISCOVERY_PATH),
    "authorize": (None, paths.AUTHORIZE_PATH),
}
#: A stub configuration: the model, its dict, or a JSON/YAML file.
ConfigSource = StubConfig | dict[str, Any] | str | Path
_STATUS_KINDS: dict[int, ErrorKind] = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    409: "already_exists",
    501: "unimplemented",
    503: "unavailable",
    504: "deadline_exceeded",
}


class KeyFile(dict[str, str]):
    """A service user's key file (Zitadel's JSON format); `user` is the service user."""

    def __init__(self, content: dict[str, str], user: ServiceUser) -> None:
        super().__init__(content)
        self.user = user


class ForcedIntrospection(Responder):
    """Answers introspection of one token as active or inactive, whatever its state."""

    kind: Literal["zitadel_introspection"] = "zitadel_introspection"
    active: bool = True

    async def reply(self, context: ReplyContext) -> Reply:
        mock = context.mock
        assert isinstance(mock, MockZitadel)
        request = mock.http_request(context.request)
        with mock.lock:
            result = mock.provider.endpoints.introspect(request, forced=self.active)
        return mock.to_reply(result)


class MockZitadel(BaseMock):
    """A Zitadel-faithful OpenID Connect provider with a real login page.

    With nothing programmed it is a working Zitadel instance: one organization, one
    project (`project_id`), the endpoints at Zitadel's paths, a login name page and a
    password page, and the v2 user API. Tests create applications and users, then drive
    any OIDC client, SDK or browser against `url`.

    Example::

        with MockZitadel.start() as zitadel:
            app = zitadel.create_application(
                "shop", kind="web", redirect_uris=["http://127.0.0.1:8000/callback"]
            )
            alice = zitadel.create_test_user("alice@example.com", password="Secret1!")
            tokens = zitadel.expect_login(alice)  # what her next login will get
            ...  # the app logs alice in through zitadel.url
            zitadel.verify()
    """

    service: ClassVar[str] = "zitadel"
    error_schema: ClassVar[str | None] = "error"

    def __init__(
        self,
        *,
        issuer: str | None = None,
        config: ConfigSource | Sequence[ConfigSource] | None = None,
        clock: Clock | None = None,
        auto_login: bool = False,
        **options: Any,
    ) -> None:
        #: Serializes the provider's state between the server thread and the test thread.
        self.lock = threading.RLock()
        self._issuer = issuer.rstrip("/") if issuer else None
        self._configs: list[StubConfig] = []
        self._auto_login = auto_login
        self.clock = clock or Clock()
        super().__init__(**options)
        self.provider = self._new_provider()
        sources = [config] if isinstance(config, StubConfig | dict | str | Path) else config
        for source in sources or []:
            self.configure(source)

    def _new_provider(self) -> ZitadelProvider:
        provider = ZitadelProvider(seed=self.seed, clock=self.clock)
        for stub in self._configs:
            provider.apply_stub(stub)
        provider.state.auto_login = self._auto_login
        provider.state.ids.branch(self.state.stream_seed)
        return provider

    # ---- routes ---------------------------------------------------------------------

    def build_routes(self) -> list[Route]:
        """Every Zitadel endpoint the provider serves, with its contracts.

        A request breaking its contract is still served (`serve_invalid`): the provider
        validates what Zitadel validates and answers Zitadel's own error, and `verify()`
        reports the violation. The newer API calls, whose whole body the contract
        describes, are refused with Zitadel's 400 naming the field instead.
        """
        template = ZitadelProvider(seed=0, clock=Clock(fixed=0))
        routes = []
        for index, route in enumerate(template.routes):
            request_schema, response_schema, body_format = _CONTRACTS.get(
                route.name, (None, None, "json")
            )
            if route.path.startswith(CONNECT_PREFIX) and route.name in ("get_user", "delete_user"):
                request_schema = f"user.{route.name.removesuffix('_user')}.request"
            routes.append(
                Route(
                    route.method,
                    route.path,
                    self._handler(index),
                    name=route.name,
                    request_schema=request_schema,
                    response_schema=response_schema,
                    body_format=body_format,
                    serve_invalid=route.name not in _REFUSED_WHEN_INVALID,
                )
            )
        return routes

    def _handler(self, index: int) -> Any:
        """The engine's handler for the provider's route `index` (of the current provider)."""

        def handle(entry: RecordedRequest) -> Reply:
            with self.lock:
                handler = self.provider.routes[index].handler
                return self.to_reply(handler(self.http_request(entry)))

        return handle

    def admin_routes(self) -> list[AdminRoute]:
        """``/__admin/zitadel/...``: applications, users, tokens, keys and clock over HTTP."""
        return ZitadelAdmin(self).routes()

    @property
    def issuer(self) -> str:
        """The issuer: the mock's base URL (or the `issuer` option), without trailing slash."""
        return self._issuer or self.url

    def stack_environment(self) -> dict[str, str]:
        """What ``python -m mocks`` prints for a system under test that uses Zitadel."""
        return {
            "ZITADEL_ISSUER": self.issuer,
            "ZITADEL_URL": self.issuer,
            "ZITADEL_PROJECT_ID": self.project_id,
        }

    def http_request(self, entry: RecordedRequest) -> HttpRequest:
        """The provider's view of a recorded request."""
        cookies: dict[str, str] = {}
        for header in entry.headers.getall("Cookie", []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            cookies.update({name: morsel.value for name, morsel in jar.items()})
        return HttpRequest.build(
            entry.method,
            entry.path,
            self.issuer,
            query={key: entry.query[key] for key in entry.query},
            body=entry.body,
            headers=dict(entry.headers.items()),
            cookies=cookies,
            path_params=entry.path_params,
        )

    def to_reply(self, result: HttpResult) -> Reply:
        """The engine's reply for a provider result: cookies become Set-Cookie (``Secure``
        when the issuer is https), outbound requests become the reply's callbacks."""
        headers = dict(result.headers)
        if len(result.cookies) > 1:
            raise ValueError(f"one cookie per reply, got {sorted(result.cookies)}")
        attributes = "Path=/; HttpOnly; SameSite=Lax"
        if self.issuer.startswith("https://"):
            attributes += "; Secure"
        for name, value in result.cookies.items():
            if value is None:
                headers["Set-Cookie"] = f"{name}=; Max-Age=0; {attributes}"
            else:
                headers["Set-Cookie"] = f"{name}={value}; {attributes}"
        if result.has_json:
            reply = Reply.json(result.json, result.status, headers)
        elif result.html is not None:
            reply = Reply.text(
                result.html, result.status, headers, content_type="text/html; charset=utf-8"
            )
        else:
            reply = Reply(result.status, headers)
        reply.callbacks = [
            Callback(
                url=outbound.url,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                body=urlencode(outbound.form),
                sign=False,
                template=False,
                retry_on="any_failure",
            )
            for outbound in result.outbound
        ]
        return reply

    def scope_key(self, request: RecordedRequest) -> str | None:
        """The OAuth client id (HTTP Basic, else the form's or the query's ``client_id``):
        a scope named after the application a test worker created catches its system's
        authorize, token, introspection and revocation calls."""
        basic = basic_credentials(request.headers.get("Authorization"))
        if basic is not None:
            return query_unescape(basic[0])
        return request.query.get("client_id") or request.form.get("client_id")

    # ---- error envelopes --------------------------------------------------------------

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """Errors in Zitadel's envelopes: REST or Connect bodies on the user API, OAuth
        ``{"error", "error_description"}`` everywhere else."""
        path = request.path if request is not None else ""
        if path.startswith(API_PREFIXES):
            text = f"{message} ({field})" if field else message
            error = ZitadelError(_STATUS_KINDS.get(status, "internal"), "MOCK-injected", text)
            body = error.connect_body() if path.startswith(CONNECT_PREFIX) else error.rest_body()
            return Reply.json(body, status)
        code: Any = "invalid_request"
        if status >= 500:
            code = "temporarily_unavailable" if status == 503 else "server_error"
        elif status in (401, 403):
            code = "invalid_client" if path == paths.TOKEN_PATH else "access_denied"
        return Reply.json(OAuthError(code, message or code, status).body(), status)

    # ---- configuration ------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        """The instance as JSON: issuer, organization, projects, applications, users."""
        with self.lock:
            directory = self.provider.state.directory
            return {
                "issuer": self.issuer,
                "project_id": self.project_id,
                "zitadel_project_id": directory.zitadel_project_id,
                "organization": directory.org.model_dump(mode="json"),
                "organizations": [
                    o.model_dump(mode="json") for o in directory.organizations.values()
                ],
                "projects": [p.model_dump(mode="json") for p in directory.projects.values()],
                "applications": [
                    a.model_dump(mode="json") for a in directory.applications.values()
                ],
                "users": [
                    u.model_dump(mode="json", exclude={"password"})
                    for u in directory.users.values()
                ],
                "service_users": [
                    u.model_dump(mode="json") for u in directory.service_users.values()
                ],
                "grants": [g.model_dump(mode="json") for g in directory.user_grants.values()],
                "auto_login": self.provider.state.auto_login,
                "now": self.clock.now(),
            }

    def find_user(self, user_id: str) -> User | None:
        """A human user by id."""
        with self.lock:
            return self.provider.state.directory.find_user(user_id)

    def find_principal(self, user_id: str) -> User | ServiceUser | None:
        """A human or machine user by id."""
        with self.lock:
            return self.provider.state.directory.find_principal(user_id)

    def find_application(self, client_id: str) -> Application | None:
        """An application by client id."""
        with self.lock:
            return self.provider.state.directory.find_client(client_id)

    @property
    def auto_login(self) -> bool:
        """Whether the login pages are skipped."""
        return self.provider.state.auto_login

    def configure(self, config: ConfigSource) -> None:
        """Apply a stub configuration (a dict, a model, or a JSON/YAML file); kept over resets."""
        stub = load_config(config)
        with self.lock:
            self.provider.apply_stub(stub)
            self._configs.append(stub)

    @property
    def project_id(self) -> str:
        """The default project's id: the audience of its applications' tokens."""
        return self.provider.project_id

    def create_project(
        self, name: str, roles: Iterable[str] = (), *, project_role_assertion: bool = False
    ) -> Project:
        """Add another project (its id is the audience of its applications' tokens)."""
        with self.lock:
            return self.provider.state.directory.create_project(
                name, roles, project_role_assertion=project_role_assertion
            )

    def create_organization(self, name: str, primary_domain: str | None = None) -> Organization:
        """Add an organization (its users log in with ``user@{primary_domain}`` too)."""
        with self.lock:
            return self.provider.state.directory.create_organization(name, primary_domain)

    def grant_roles(
        self,
        user: User | ServiceUser,
        *roles: str,
        project_id: str | None = None,
        org_id: str | None = None,
    ) -> UserGrant:
        """Grant `roles` of the default (or given) project to `user`, on behalf of `org_id`
        (default: the project's organization); role claims name that organization."""
        if not roles:
            raise ValueError("roles: grant at least one role")
        with self.lock:
            directory = self.provider.state.directory
            if project_id is not None and project_id not in directory.projects:
                raise ValueError(f"project_id: no project {project_id}")
            if org_id is not None and org_id not in directory.organizations:
                raise ValueError(f"org_id: no organization {org_id}")
            grant = directory.grant(user, roles, project_id, org_id=org_id)
            assert grant is not None
            return grant

    def grants_of(self, user: User | ServiceUser) -> list[UserGrant]:
        """The user's grants (roles per project and granting organization)."""
        with self.lock:
            return self.provider.state.directory.grants_of(user.id)

    def add_roles(self, *roles: str, project_id: str | None = None) -> None:
        """Define roles on the default (or the given) project."""
        with self.lock:
            directory = self.provider.state.directory
            directory.add_roles(project_id or directory.default_project_id, roles)

    @property
    def features(self) -> InstanceFeatures:
        """The instance's feature flags; assign fields to switch them, e.g.
        ``mock.features.token_exchange = True`` (token exchange is off by default)."""
        return self.provider.state.directory.features

    @property
    def security(self) -> SecuritySettings:
        """The security policy, e.g. ``mock.security.impersonation = True``."""
        return self.provider.state.directory.security

    def allow_impersonation(self, user: User | ServiceUser, allowed: bool = True) -> None:
        """Let `user` impersonate others through token exchange (Zitadel's
        ``*_END_USER_IMPERSONATOR`` roles); the security policy must allow it too."""
        with self.lock:
            impersonators = self.provider.state.directory.impersonators
            if allowed:
                impersonators.add(user.id)
            else:
                impersonators.discard(user.id)

    @property
    def lifetimes(self) -> TokenLifetimes:
        """Token lifetimes (Zitadel's defaults); assign fields to change them, e.g.
        ``mock.lifetimes.access_token = timedelta(minutes=5)``."""
        return self.provider.state.directory.lifetimes

    def create_application(
        self,
        name: str,
        kind: AppKind = "web",
        *,
        redirect_uris: Iterable[str] = (),
        post_logout_redirect_uris: Iterable[str] = (),
        access_token_type: AccessTokenType = "opaque",
        **settings: Any,
    ) -> Application:
        """Register an application: `client_id`, and `client_secret` or `key_file`.

        `kind`: "web" (confidential, client_secret_basic), "spa" and "native" (public,
        PKCE), "api" (introspection only). `settings` sets any other `Application` field,
        e.g. ``auth_method="private_key_jwt"``, ``dev_mode=True``,
        ``id_token_userinfo_assertion=True``, ``grant_types=[...]``.
        """
        with self.lock:
            return self.provider.create_application(
                name,
                kind,
                redirect_uris=redirect_uris,
                post_logout_redirect_uris=post_logout_redirect_uris,
                access_token_type=access_token_type,
                **settings,
            )

    def create_service_user(self, name: str, **options: Any) -> KeyFile:
        """Add a service (machine) user; returns its key file in Zitadel's JSON format.

        ``key_file.user`` is the `ServiceUser` (its `username` and `secret` serve the
        client_credentials grant).
        """
        if options.get("with_key") is False:
            raise ValueError(
                "with_key: create_service_user returns a key file; use add_service_user"
            )
        user = self.add_service_user(name, **options)
        assert user.key_file is not None
        return KeyFile(user.key_file, user)

    def add_service_user(self, name: str, **options: Any) -> ServiceUser:
        """Add a service user, with a key file and a secret unless told otherwise."""
        with self.lock:
            return self.provider.create_service_user(name, **options)

    def create_personal_access_token(
        self, user: ServiceUser, *, expires_at: float | None = None
    ) -> str:
        """A personal access token for a service user (never expiring unless `expires_at`,
        epoch seconds): a bearer token for Zitadel's APIs and for introspection."""
        with self.lock:
            if self.provider.state.directory.service_users.get(user.id) is not user:
                raise ValueError(f"user: {user.username} is not a service user of this mock")
            return self.provider.state.tokens.personal_access_token(user, expires_at).token

    def create_test_user(
        self,
        email: str,
        password: str | None = "Password1!",
        roles: Iterable[str] = (),
        **profile: Any,
    ) -> User:
        """Add a human user who can log in with `email` and `password`; `roles` are granted
        on the default project. `profile`: given_name, family_name, phone, metadata, ..."""
        with self.lock:
            return self.provider.create_test_user(email, password, roles, **profile)

    def enable_totp(self, user: User, secret: str | None = None) -> str:
        """Register a TOTP authenticator for `user` (a new base32 secret unless given):
        from now on the login asks for its code after the password."""
        with self.lock:
            return self.provider.enable_totp(user, secret)

    def totp_code(self, user: User, at: float | None = None) -> str:
        """The code `user`'s authenticator shows now on the mock's clock (or at `at`),
        the same code ``pyotp.TOTP(secret).at(...)`` gives."""
        if not user.totp_secret:
            raise ValueError(f"totp_secret: {user.username} has no TOTP authenticator")
        return totp.code_at(user.totp_secret, self.clock.now() if at is None else at)

    def require_mfa(self, required: bool = True, *, org_id: str | None = None) -> None:
        """The organization's login policy "force MFA": every login needs a second factor;
        a user without one registers a TOTP app on the login pages first."""
        with self.lock:
            directory = self.provider.state.directory
            org = directory.organizations.get(org_id or directory.default_org_id)
            if org is None:
                raise ValueError(f"org_id: no organization {org_id}")
            org.force_mfa = required

    def set_auto_login(self, user: User | None = None, *, enabled: bool = True) -> None:
        """Skip the login pages: authorize logs in the ``login_hint`` user, else `user`."""
        with self.lock:
            self.provider.set_auto_login(user, enabled=enabled)

    def add_action(
        self,
        name: str,
        function: ActionFunction | None = None,
        *,
        claims: Mapping[str, Any] | None = None,
        trigger: ActionTrigger = "pre_userinfo_creation",
        client_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Register a "complement token" action: `function(context)` returns claims to add
        (or None), or `claims` are added as they are (for one client or user if given).

        ``pre_userinfo_creation`` claims go into ID tokens, userinfo and introspection,
        ``pre_access_token_creation`` ones into JWT access tokens. Existing claims win
        and ``urn:zitadel:iam*`` keys are ignored, as in Zitadel.
        """
        if (function is None) == (claims is None):
            raise ValueError("function: give a function or claims, not both")
        if function is not None:
            action = Action(name, trigger, function)
        else:
            rule = ActionRule(
                name=name,
                trigger=trigger,
                claims=dict(claims or {}),
                client_id=client_id,
                user_id=user_id,
            )
            action = Action.from_rule(rule)
        with self.lock:
            self.provider.state.tokens.actions.add(action)

    def remove_action(self, name: str) -> bool:
        """Forget an action; False if none has that name."""
        with self.lock:
            return self.provider.state.tokens.actions.remove(name)

    # ---- expectations -------------------------------------------------------------------

    def expect_login(self, user: User, password: str | None = None) -> TokenResponse:
        """Expect `user` to log in (with `password`, which becomes theirs, if given).

        Returns the `TokenResponse` the code exchange of that login will answer: its
        `access_token` and `refresh_token` are fixed now, the rest is filled in then.
        `verify()` fails if the login did not happen.
        """
        with self.lock:
            if password is not None:
                user.password = password
            tokens = self.provider.state.tokens.reserve(user.id)
        wanted = user.id

        def logs_in(request: RecordedRequest) -> bool:
            form = self.http_request(request).form
            with self.lock:
                found = self.provider.state.directory.find_user_by_login_name(
                    form.get("loginName", "")
                )
                return (
                    found is not None
                    and found.id == wanted
                    and form.get("password", "") == (found.password or "")
                )

        spec = ExpectationSpec(
            name=f"login of {user.username}",
            matcher=And(
                all=[
                    Method(value="POST"),
                    PathMatcher(value=PASSWORD_PATH),
                    Predicate(function=logs_in, description=f"login of {user.username}"),
                ]
            ),
            times=1,
        )
        self.add_expectation(spec)
        return tokens

    def expect_token_refresh(self) -> Expectation:
        """Expect a refresh_token grant; chain ``.times(n)``, ``.with_error(...)``, ..."""
        spec = ExpectationSpec(
            name="token refresh",
            matcher=And(
                all=[
                    Method(value="POST"),
                    PathMatcher(value=paths.TOKEN_PATH),
                    Body(value="grant_type=refresh_token", op="contains"),
                ]
            ),
        )
        return self.add_expectation(spec)

    def expect_introspect(self, token: str, active: bool = True) -> Expectation:
        """Answer introspection of `token` as `active` (after the usual client check)."""
        spec = ExpectationSpec(
            name=f"introspect ({'active' if active else 'inactive'})",
            matcher=And(
                all=[
                    Method(value="POST"),
                    PathMatcher(value=paths.INTROSPECT_PATH),
                    Body(value=f"token={quote(token, safe='')}", op="contains"),
                ]
            ),
            response=ForcedIntrospection(active=active),
        )
        return self.add_expectation(spec)

    def fail_next(
        self,
        endpoint: str,
        error: str = "invalid_grant",
        description: str = "",
        *,
        status: int = 400,
    ) -> Expectation:
        """Make the next request to `endpoint` ("token", "introspect", "userinfo", ...) fail
        with the OAuth `error`. For a timeout or a dropped connection chain the engine's
        ``.with_latency(ms)`` or ``.with_fault(...)`` on ``expect(...)`` instead."""
        method, path = ENDPOINTS[endpoint]
        body = {"error": error, **({"error_description": description} if description else {})}
        return self.expect(method, path, priority=1).respond(status=status, json=body).once()

    # ---- test helpers -------------------------------------------------------------------

    def issue_token(
        self,
        user: User | ServiceUser,
        client: Application,
        *,
        scopes: Iterable[str] = ("openid", "profile", "email"),
        expires_in: int | None = None,
    ) -> TokenResponse:
        """Tokens for `user` and `client` without a browser (as after a login)."""
        with self.lock:
            return self.provider.issue_token(
                user, client, issuer=self.issuer, scopes=scopes, expires_in=expires_in
            )

    def expire(self, token: str) -> bool:
        """Make an access token, refresh token or authorization code expired now."""
        with self.lock:
            return self.provider.expire(token)

    def revoke(self, token: str) -> bool:
        """Revoke an access token, or a refresh token and its session."""
        with self.lock:
            return self.provider.revoke(token)

    def sign_jwt(self, claims: Mapping[str, Any], kid: str | None = None) -> str:
        """A JWT signed with the provider's current key, carrying the claims a test chooses.

        For testing an app's own token validation against the mock (an expired token, a
        foreign issuer, another audience), and for showing that the mock's endpoints
        refuse such tokens: they accept only tokens they issued. Claims not given default
        to ``iss`` (the issuer), ``aud`` (``[project_id]``), ``iat``/``nbf`` (now), ``exp``
        (now + the access token lifetime) and a fresh ``jti``; a claim given as None is
        left out. `kid` picks a published key by id; an id the JWKS does not list signs
        with the current key but names that id in the header (an "unknown key").

        Example::

            expired = zitadel.sign_jwt({"sub": alice.id, "exp": 0})
            foreign = zitadel.sign_jwt({"sub": alice.id, "iss": "https://evil.example"})
        """
        with self.lock:
            return self.provider.sign_jwt(claims, issuer=self.issuer, kid=kid)

    def rotate_keys(self) -> SigningKey:
        """Sign with a new key; the previous public key stays in the JWKS."""
        with self.lock:
            return self.provider.rotate_keys()

    def freeze_time(self, at: float | None = None) -> None:
        """Freeze the provider's clock (at `at`, epoch seconds, or now)."""
        self.clock.freeze(at)

    def advance_time(self, seconds: float) -> None:
        """Move the provider's clock forward (tokens expire, codes time out)."""
        self.clock.advance(seconds)

    def set_clock_skew(self, seconds: float) -> None:
        """Run the provider's clock `seconds` ahead (negative: behind) of its clients."""
        self.clock.skew = seconds

    def reset(self, *, keep_stubs: bool = True) -> None:
        """Back to the state after start: the engine's reset, and the instance rebuilt from
        the seed and the configuration (the same project, configured users and keys),
        the clock on wall time. What tests create or are issued after that (users,
        tokens, codes) gets ids no earlier generation used."""
        super().reset(keep_stubs=keep_stubs)
        with self.lock:
            self.clock.unfreeze()
            self.clock.skew = 0.0
            self.provider = self._new_provider()


def load_config(config: ConfigSource) -> StubConfig:
    """A stub configuration from a model, a dict, or a JSON/YAML file."""
    if isinstance(config, StubConfig):
        return config
    if isinstance(config, dict):
        return StubConfig.model_validate(config)
    text = Path(config).read_text()
    if str(config).endswith((".yaml", ".yml")):
        import yaml

        return StubConfig.model_validate(yaml.safe_load(text) or {})
    return StubConfig.model_validate_json(text)

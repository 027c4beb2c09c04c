"""The provider: Zitadel's endpoints as plain functions of a request, plus the test helpers.

`ZitadelProvider` holds one instance's state and exposes every endpoint as a
`Route` (method, path, handler) that takes an `HttpRequest` and returns an `HttpResult`.
The mock server wires these routes into the engine; tests can also call them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core import Router
from ..jose import Clock, SigningKey, encode_jwt
from . import _discovery as paths
from . import _login_page as pages
from . import _totp as totp
from ._actions import Action
from ._api import ApiHandler, Rpc, Service
from ._authorize import Authorizer
from ._claims import allowed_scopes
from ._credentials_api import CredentialsApi
from ._discovery import discovery_document
from ._endpoints import Endpoints
from ._http import HttpRequest, HttpResult
from ._instance_api import InstanceApi
from ._login import LoginPages
from ._logout import Logout
from ._model import AccessTokenType, AppKind, Application, ServiceUser, StubConfig, User
from ._oidc_api import OidcApi
from ._org_api import OrgApi
from ._session_api import SessionApi
from ._state import State
from ._tokens import IssueRequest, TokenResponse
from ._user_api import UserApi

Handler = Callable[[HttpRequest], HttpResult]


@dataclass(frozen=True)
class Route:
    """One endpoint: its method, its path template (``{name}`` captures) and its handler."""

    method: str
    path: str
    handler: Handler
    #: A short name, used for contracts ("token" -> contracts/zitadel/token.*.json).
    name: str


class ZitadelProvider:
    """A Zitadel instance in memory: directory, keys, tokens, login, and its endpoints.

    Example::

        provider = ZitadelProvider(seed=1)
        app = provider.create_application("web", redirect_uris=["http://127.0.0.1/cb"])
        alice = provider.create_test_user("alice@example.com", password="Secret1!")
        tokens = provider.issue_token(alice, app, scopes=["openid", "offline_access"],
                                      issuer="http://127.0.0.1:8080")
        result = provider.handle(HttpRequest.build("GET", "/oauth/v2/keys", "http://127.0.0.1:8080"))
    """

    def __init__(self, seed: int | str = 0, clock: Clock | None = None) -> None:
        self.state = State.create(seed, clock)
        self.authorizer = Authorizer(self.state)
        self.login = LoginPages(self.state, self.authorizer)
        self.logout = Logout(self.state)
        self.endpoints = Endpoints(self.state)
        self.api = ApiHandler(self.state)
        self.users_api = UserApi(self.state)
        self.services: list[Service] = [
            self.users_api,
            CredentialsApi(self.state),
            SessionApi(self.state, self.logout),
            OidcApi(self.state, self.authorizer),
            OrgApi(self.state),
            InstanceApi(self.state),
        ]
        self.routes = self._routes()
        self.router: Router[Route] = Router(self.routes)

    # ---- routing --------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        login, endpoints = self.login, self.endpoints
        authorizer, logout = self.authorizer, self.logout

        routes = [
            Route("GET", paths.DISCOVERY_PATH, self.discovery, "discovery"),
            Route("GET", paths.KEYS_PATH, self.jwks, "jwks"),
            Route("GET", paths.AUTHORIZE_PATH, authorizer.authorize, "authorize"),
            Route("POST", paths.AUTHORIZE_PATH, authorizer.authorize, "authorize"),
            Route("GET", pages.AUTHORIZE_CALLBACK_PATH, authorizer.callback, "authorize_callback"),
            Route("GET", pages.LOGIN_PATH, login.login_page, "login"),
            Route("POST", pages.LOGIN_NAME_PATH, login.login_name, "login_name"),
            Route("POST", pages.PASSWORD_PATH, login.password, "password"),
            Route("POST", pages.MFA_VERIFY_PATH, login.mfa_verify, "mfa_verify"),
            Route("POST", pages.MFA_INIT_VERIFY_PATH, login.mfa_init_verify, "mfa_init_verify"),
            Route("GET", pages.DEVICE_PATH, login.device_page, "device_page"),
            Route("POST", pages.DEVICE_PATH, login.device_code, "device_code"),
            Route("GET", pages.LOGOUT_DONE_PATH, self.logout_done, "logout_done"),
            Route("GET", "/favicon.ico", self.favicon, "favicon"),
            Route("POST", paths.TOKEN_PATH, endpoints.token, "token"),
            Route("POST", paths.INTROSPECT_PATH, endpoints.introspect, "introspect"),
            Route("POST", paths.REVOKE_PATH, endpoints.revoke, "revoke"),
            Route("GET", paths.USERINFO_PATH, endpoints.userinfo, "userinfo"),
            Route("POST", paths.USERINFO_PATH, endpoints.userinfo, "userinfo"),
            Route(
                "POST",
                paths.DEVICE_AUTHORIZATION_PATH,
                endpoints.device_authorization,
                "device_authorization",
            ),
            Route("GET", paths.END_SESSION_PATH, logout.end_session, "end_session"),
            Route("POST", paths.END_SESSION_PATH, logout.end_session, "end_session"),
        ]
        for rpc in self.rpcs():
            handler = self.api.handler(rpc.call)
            routes.append(Route("POST", rpc.connect_path, handler, rpc.name_of_route))
            if rpc.rest is not None:
                routes.append(Route(rpc.rest[0], rpc.rest[1], handler, rpc.name_of_route))
        return routes

    def rpcs(self) -> list[Rpc]:
        """Every API method the provider serves."""
        return [rpc for service in self.services for rpc in service.rpcs()]

    def find_route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route serving `method` `path`, with its captures."""
        return self.router.resolve(method.upper(), path)

    def handle(self, req: HttpRequest) -> HttpResult:
        """Serve one request (404 JSON when no route matches)."""
        found = self.find_route(req.method, req.path)
        if found is None:
            return HttpResult.of_json({"error": "not_found"}, 404)
        route, captures = found
        req.path_params.update(captures)
        return route.handler(req)

    # ---- simple endpoints -----------------------------------------------------------

    def discovery(self, req: HttpRequest) -> HttpResult:
        """``/.well-known/openid-configuration``."""
        features = self.state.directory.features
        document = discovery_document(
            req.base_url,
            token_exchange=features.token_exchange,
            back_channel_logout=features.back_channel_logout,
        )
        return HttpResult.of_json(document)

    def jwks(self, req: HttpRequest) -> HttpResult:
        """``/oauth/v2/keys``: the published signing keys."""
        return HttpResult.of_json(self.state.keys.jwks(), headers={"Cache-Control": "max-age=300"})

    def favicon(self, req: HttpRequest) -> HttpResult:
        """Browsers ask for it; the mock has no icon (204, so it is not an unmatched request)."""
        return HttpResult(status=204)

    def logout_done(self, req: HttpRequest) -> HttpResult:
        """Where logout lands without a post-logout redirect."""
        return HttpResult.of_html(pages.logout_done_page())

    # ---- configuration ----------------------------------------------------------------

    @property
    def project_id(self) -> str:
        """The id of the default project (the audience of its applications' tokens)."""
        return self.state.directory.default_project_id

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
        """Register an application of the default project (see `Directory.create_application`)."""
        return self.state.directory.create_application(
            name,
            kind,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uris,
            access_token_type=access_token_type,
            **settings,
        )

    def create_service_user(self, name: str, **options: Any) -> ServiceUser:
        """Add a machine user with a key file (`ServiceUser.key_file`) and a secret."""
        return self.state.directory.create_service_user(name, **options)

    def create_test_user(
        self,
        email: str,
        password: str | None = "Password1!",
        roles: Iterable[str] = (),
        **profile: Any,
    ) -> User:
        """Add a human user; `roles` are granted on the default project."""
        return self.state.directory.create_user(email, password, roles, **profile)

    def apply_stub(self, stub: StubConfig | dict[str, Any]) -> None:
        """Configure from a stub file's content."""
        config = stub if isinstance(stub, StubConfig) else StubConfig.model_validate(stub)
        self.state.directory.apply(config)
        for rule in config.actions:
            self.state.tokens.actions.add(Action.from_rule(rule))
        self.state.keys.public_key_lifetime = config.lifetimes.public_key.total_seconds()

    def enable_totp(self, user: User, secret: str | None = None) -> str:
        """Register a TOTP authenticator for `user`; returns its base32 secret."""
        user.totp_secret = secret or totp.new_secret(self.state.ids.random_bytes(20))
        self.state.directory.touch(user)
        return user.totp_secret

    def set_auto_login(self, user: User | None = None, *, enabled: bool = True) -> None:
        """Skip the login pages: log in the ``login_hint`` user, or else `user`."""
        self.state.auto_login = enabled
        self.state.auto_login_user_id = user.id if user else None

    # ---- test helpers -------------------------------------------------------------------

    def issue_token(
        self,
        user: User | ServiceUser,
        client: Application,
        *,
        issuer: str,
        scopes: Iterable[str] = ("openid", "profile", "email"),
        expires_in: int | None = None,
    ) -> TokenResponse:
        """Tokens for `user` and `client` without a browser, as if they had logged in.

        A refresh token is included when the scopes have ``offline_access`` and the client
        may refresh. `expires_in` shortens (or lengthens) the access token's life.
        """
        scope_list = allowed_scopes(scopes)
        wants_refresh = "offline_access" in scope_list and "refresh_token" in client.grant_types
        response = self.state.tokens.issue(
            issuer,
            IssueRequest(
                principal=user,
                client_id=client.client_id,
                app=client,
                project_id=client.project_id,
                scopes=scope_list,
                audience=[client.project_id, client.client_id],
                amr=["pwd"],
                refresh=wants_refresh,
                access_token_type=client.access_token_type,
            ),
        )
        if expires_in is not None:
            record = self.state.store.access_tokens[response.access_token]
            record.expires_at = record.issued_at + expires_in
            response.expires_in = expires_in
        return response

    def expire(self, token: str) -> bool:
        """Make an access token, refresh token or code expired from now on."""
        return self.state.store.expire(token)

    def revoke(self, token: str) -> bool:
        """Revoke an access token, or a refresh token (and its session's access tokens)."""
        return self.state.store.revoke(token)

    def sign_jwt(self, claims: Mapping[str, Any], *, issuer: str, kid: str | None = None) -> str:
        """A JWT with `claims`, signed like the provider's tokens (see `MockZitadel.sign_jwt`)."""
        now = self.state.clock.timestamp()
        lifetime = int(self.state.directory.lifetimes.access_token.total_seconds())
        document: dict[str, Any] = {
            "iss": issuer,
            "aud": [self.project_id],
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": self.state.ids.next_id(),
        }
        document.update(claims)
        document = {name: value for name, value in document.items() if value is not None}
        key = self.state.keys.find(kid) if kid is not None else None
        signer = key or self.state.keys.current
        return encode_jwt(document, signer.private_key, kid if kid is not None else signer.kid)

    def rotate_keys(self) -> SigningKey:
        """Sign with a new key from now on; the previous public key stays published."""
        return self.state.keys.rotate()

    def reset(self) -> None:
        """Forget every code, token, session and pending login (the configuration stays)."""
        self.state.store.clear()
        self.state.device.clear()
        self.state.auth_requests.clear()
        self.state.sessions.clear()
        self.state.tokens.reservations.clear()

"""MockZitadel's admin routes: its configuration and test helpers over HTTP.

They live under ``/__admin/zitadel`` beside the engine's own admin routes, are served by
the engine's admin router and listed in ``/__admin/openapi.json``, so a test in any
language can do what the Python API does::

    curl -X POST $MOCK/__admin/zitadel/applications -d '{"name": "web", "kind": "web",
         "redirect_uris": ["http://127.0.0.1:8000/callback"]}'
    curl -X POST $MOCK/__admin/zitadel/users -d '{"email": "alice@example.com",
         "password": "Secret1!", "roles": ["admin"]}'
    curl $MOCK/__admin/zitadel

Bodies are validated with the models below: an unknown or missing field is a 400 naming
it, exactly as the engine's own admin routes answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ..core import AdminCall, AdminError, AdminRoute
from ..jose import Clock, SigningKey
from ._model import (
    AccessTokenType,
    AppKind,
    Application,
    AuthMethod,
    Gender,
    ServiceUser,
    StubConfig,
    User,
)
from ._tokens import TokenResponse

PREFIX = "/__admin/zitadel"
T = TypeVar("T")


class ZitadelHost(Protocol):
    """What the admin routes use of `MockZitadel`."""

    clock: Clock

    @property
    def issuer(self) -> str: ...

    @property
    def project_id(self) -> str: ...

    def overview(self) -> dict[str, Any]: ...

    def configure(self, config: StubConfig) -> None: ...

    def create_application(
        self, name: str, kind: AppKind = "web", **options: Any
    ) -> Application: ...

    def create_test_user(
        self, email: str, password: str | None = ..., roles: Iterable[str] = (), **profile: Any
    ) -> User: ...

    def add_service_user(self, name: str, **options: Any) -> ServiceUser: ...

    def find_user(self, user_id: str) -> User | None: ...

    def find_principal(self, user_id: str) -> User | ServiceUser | None: ...

    def find_application(self, client_id: str) -> Application | None: ...

    def expect_login(self, user: User, password: str | None = None) -> TokenResponse: ...

    def issue_token(
        self,
        user: User | ServiceUser,
        client: Application,
        *,
        scopes: Iterable[str] = ...,
        expires_in: int | None = None,
    ) -> TokenResponse: ...

    def expire(self, token: str) -> bool: ...

    def revoke(self, token: str) -> bool: ...

    def rotate_keys(self) -> SigningKey: ...

    def set_auto_login(self, user: User | None = None, *, enabled: bool = True) -> None: ...

    @property
    def auto_login(self) -> bool: ...


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationInput(_Input):
    """An application to register on the default project."""

    name: str = Field(min_length=1)
    kind: AppKind = "web"
    redirect_uris: list[str] = Field(default_factory=list)
    post_logout_redirect_uris: list[str] = Field(default_factory=list)
    access_token_type: AccessTokenType = "opaque"
    auth_method: AuthMethod | None = None
    #: Any other `Application` field (grant_types, dev_mode, id_token_role_assertion, ...).
    settings: dict[str, Any] = Field(default_factory=dict)


class UserInput(_Input):
    """A human user to add (roles are granted on the default project)."""

    email: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str | None = "Password1!"
    roles: list[str] = Field(default_factory=list)
    username: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    nick_name: str | None = None
    display_name: str | None = None
    preferred_language: str | None = None
    gender: Gender | None = None
    phone: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class ServiceUserInput(_Input):
    """A machine user to add (with a secret and a key file unless told otherwise)."""

    name: str = Field(min_length=1)
    description: str = ""
    roles: list[str] = Field(default_factory=list)
    access_token_type: AccessTokenType = "opaque"
    with_secret: bool = True
    with_key: bool = True


class LoginInput(_Input):
    """Whose next login (through the login pages) gets tokens known in advance."""

    user_id: str
    password: str | None = None


class TokenInput(_Input):
    """Tokens to issue without a browser."""

    user_id: str
    client_id: str
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    expires_in: int | None = Field(None, ge=1)


class TokenRef(_Input):
    """One token."""

    token: str = Field(min_length=1)


class ClockInput(_Input):
    """Changes to the provider's clock, applied in this order: unfreeze, freeze, skew, advance."""

    unfreeze: bool = False
    freeze: float | None = None
    skew: float | None = None
    advance: float | None = Field(None, ge=0)


class AutoLoginInput(_Input):
    """Skip the login pages (logging in `user_id`, or the ``login_hint`` user)."""

    enabled: bool = True
    user_id: str | None = None


class ZitadelAdmin:
    """The handlers of ``/__admin/zitadel/...`` for one mock."""

    def __init__(self, mock: ZitadelHost) -> None:
        self.mock = mock

    def overview(self, call: AdminCall) -> dict[str, Any]:
        return self.mock.overview()

    def config(self, call: AdminCall) -> dict[str, Any]:
        self.mock.configure(call.body)
        return self.mock.overview()

    def create_application(self, call: AdminCall) -> dict[str, Any]:
        body: ApplicationInput = call.body
        options = body.model_dump(exclude={"name", "kind", "settings"})
        app = _refused_as_400(
            lambda: self.mock.create_application(body.name, body.kind, **options, **body.settings)
        )
        return app.model_dump(mode="json")

    def create_user(self, call: AdminCall) -> dict[str, Any]:
        body: UserInput = call.body
        profile = body.model_dump(exclude={"email", "password", "roles"}, exclude_none=True)
        user = _refused_as_400(
            lambda: self.mock.create_test_user(body.email, body.password, body.roles, **profile)
        )
        return user.model_dump(mode="json", exclude={"password"})

    def create_service_user(self, call: AdminCall) -> dict[str, Any]:
        body: ServiceUserInput = call.body
        user = self.mock.add_service_user(body.name, **body.model_dump(exclude={"name"}))
        return {"user": user.model_dump(mode="json"), "key_file": user.key_file}

    def _user(self, user_id: str) -> User:
        user = self.mock.find_user(user_id)
        if user is None:
            raise AdminError(404, f"user_id: no user {user_id}", "user_id")
        return user

    def expect_login(self, call: AdminCall) -> dict[str, Any]:
        body: LoginInput = call.body
        tokens = self.mock.expect_login(self._user(body.user_id), body.password)
        return {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token}

    def issue_token(self, call: AdminCall) -> dict[str, Any]:
        body: TokenInput = call.body
        principal = self.mock.find_principal(body.user_id)
        if principal is None:
            raise AdminError(404, f"user_id: no user {body.user_id}", "user_id")
        app = self.mock.find_application(body.client_id)
        if app is None:
            raise AdminError(404, f"client_id: no application {body.client_id}", "client_id")
        tokens = self.mock.issue_token(
            principal, app, scopes=body.scopes, expires_in=body.expires_in
        )
        return tokens.body()

    def expire(self, call: AdminCall) -> dict[str, Any]:
        return {"expired": self.mock.expire(call.body.token)}

    def revoke(self, call: AdminCall) -> dict[str, Any]:
        return {"revoked": self.mock.revoke(call.body.token)}

    def rotate(self, call: AdminCall) -> dict[str, Any]:
        return {"kid": self.mock.rotate_keys().kid}

    def clock(self, call: AdminCall) -> dict[str, Any]:
        body: ClockInput = call.body
        clock = self.mock.clock
        if body.unfreeze:
            clock.unfreeze()
        if body.freeze is not None:
            clock.freeze(body.freeze)
        if body.skew is not None:
            clock.skew = body.skew
        if body.advance is not None:
            clock.advance(body.advance)
        return {"now": clock.now(), "frozen": clock.frozen, "skew": clock.skew}

    def auto_login(self, call: AdminCall) -> dict[str, Any]:
        body: AutoLoginInput = call.body
        user = self._user(body.user_id) if body.user_id else None
        self.mock.set_auto_login(user, enabled=body.enabled)
        return {"auto_login": self.mock.auto_login}

    def routes(self) -> list[AdminRoute]:
        """The ``/__admin/zitadel`` table."""

        unknown = ((404, "No such user or application (`error.field` names it)", "Error"),)

        def post(
            path: str, handler: Any, summary: str, body: Any, status: int = 200, **more: Any
        ) -> AdminRoute:
            return AdminRoute(
                "POST", PREFIX + path, handler, summary, body=body, status=status, **more
            )

        return [
            AdminRoute(
                "GET", PREFIX, self.overview, "The instance: organization, projects, apps, users"
            ),
            post("/config", self.config, "Apply a stub configuration", StubConfig),
            post(
                "/applications",
                self.create_application,
                "Register an application",
                ApplicationInput,
                201,
            ),
            post("/users", self.create_user, "Add a human user", UserInput, 201),
            post(
                "/service-users",
                self.create_service_user,
                "Add a machine user with a key file",
                ServiceUserInput,
                201,
            ),
            post(
                "/logins",
                self.expect_login,
                "Expect a user's next login",
                LoginInput,
                201,
                responses=unknown,
            ),
            post(
                "/tokens",
                self.issue_token,
                "Issue tokens without a browser",
                TokenInput,
                201,
                responses=unknown,
            ),
            post("/tokens/expire", self.expire, "Expire a token from now on", TokenRef),
            post("/tokens/revoke", self.revoke, "Revoke a token", TokenRef),
            AdminRoute("POST", PREFIX + "/keys/rotate", self.rotate, "Rotate the signing key"),
            post("/clock", self.clock, "Freeze, skew or advance the clock", ClockInput),
            post(
                "/auto-login",
                self.auto_login,
                "Skip the login pages",
                AutoLoginInput,
                responses=unknown,
            ),
        ]


def _refused_as_400(make: Callable[[], T]) -> T:
    """Run `make`; a ValueError ("field: why") from the directory becomes a 400 naming it."""
    try:
        return make()
    except ValueError as exc:
        field = str(exc).partition(":")[0] if ":" in str(exc) else None
        raise AdminError(400, str(exc), field) from exc


__all__ = ["PREFIX", "ZitadelAdmin"]

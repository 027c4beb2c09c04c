"""MockZitadel's admin routes: its configuration and test helpers over HTTP.

They live under ``/__admin/zitadel`` beside the engine's own admin routes, are served by
the engine's admin router and listed in ``/__admin/openapi.json``, so a test in any
language can do what the Python API does::

    curl -X POST $MOCK/__admin/zitadel/applications -d '{"name": "web", "kind": "web",
         "redirect_uris": ["http://127.0.0.1:8000/callback"]}'
    curl -X POST $MOCK/__admin/zitadel/users -d '{"email": "alice@example.com",
         "password": "Secret1!", "roles": ["admin"]}'
    curl $MOCK/__admin/zitadel

Bodies are validated with the models of `_admin_models`: an unknown or missing field is
a 400 naming it, exactly as the engine's own admin routes answer. What creates
something (an application, a user, a token, a grant, ...) answers 201; a user,
application or organization that does not exist is a 404 naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from ..core import AdminCall, AdminError, AdminRoute
from ..jose import Clock, SigningKey
from ._actions import ActionFunction
from ._admin_models import (
    ApplicationInput,
    AutoLoginInput,
    ClockInput,
    FeaturesInput,
    GrantInput,
    ImpersonatorInput,
    JwtInput,
    LoginInput,
    MfaPolicyInput,
    OrganizationInput,
    PersonalAccessTokenInput,
    SecurityInput,
    ServiceUserInput,
    TokenInput,
    TokenRef,
    TotpInput,
    UserInput,
)
from ._model import (
    ActionRule,
    ActionTrigger,
    AppKind,
    Application,
    InstanceFeatures,
    Organization,
    SecuritySettings,
    ServiceUser,
    StubConfig,
    User,
    UserGrant,
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

    def grants_of(self, user: User | ServiceUser) -> list[UserGrant]: ...

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

    @property
    def features(self) -> InstanceFeatures: ...

    @property
    def security(self) -> SecuritySettings: ...

    def create_organization(self, name: str, primary_domain: str | None = None) -> Organization: ...

    def require_mfa(self, required: bool = True, *, org_id: str | None = None) -> None: ...

    def grant_roles(
        self,
        user: User | ServiceUser,
        *roles: str,
        project_id: str | None = None,
        org_id: str | None = None,
    ) -> UserGrant: ...

    def create_personal_access_token(
        self, user: ServiceUser, *, expires_at: float | None = None
    ) -> str: ...

    def enable_totp(self, user: User, secret: str | None = None) -> str: ...

    def sign_jwt(self, claims: dict[str, Any], kid: str | None = None) -> str: ...

    def allow_impersonation(self, user: User | ServiceUser, allowed: bool = True) -> None: ...

    def add_action(
        self,
        name: str,
        function: ActionFunction | None = None,
        *,
        claims: Mapping[str, Any] | None = None,
        trigger: ActionTrigger = "pre_userinfo_creation",
        client_id: str | None = None,
        user_id: str | None = None,
    ) -> None: ...

    def remove_action(self, name: str) -> bool: ...


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
        app = _refused(
            lambda: self.mock.create_application(body.name, body.kind, **options, **body.settings)
        )
        return app.model_dump(mode="json")

    def create_user(self, call: AdminCall) -> dict[str, Any]:
        body: UserInput = call.body
        profile = body.model_dump(exclude={"email", "password", "roles"}, exclude_none=True)
        user = _refused(
            lambda: self.mock.create_test_user(body.email, body.password, body.roles, **profile)
        )
        grants = [g.model_dump(mode="json") for g in self.mock.grants_of(user)]
        return {**user.model_dump(mode="json", exclude={"password"}), "grants": grants}

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

    def _principal(self, user_id: str) -> User | ServiceUser:
        principal = self.mock.find_principal(user_id)
        if principal is None:
            raise AdminError(404, f"user_id: no user {user_id}", "user_id")
        return principal

    def create_organization(self, call: AdminCall) -> dict[str, Any]:
        body: OrganizationInput = call.body
        org = self.mock.create_organization(body.name, body.primary_domain)
        if body.force_mfa:
            self.mock.require_mfa(org_id=org.id)
            org.force_mfa = True
        return org.model_dump(mode="json")

    def grant(self, call: AdminCall) -> dict[str, Any]:
        body: GrantInput = call.body
        principal = self._principal(body.user_id)
        grant = _refused(
            lambda: self.mock.grant_roles(
                principal, *body.roles, project_id=body.project_id, org_id=body.org_id
            )
        )
        return grant.model_dump(mode="json")

    def personal_access_token(self, call: AdminCall) -> dict[str, Any]:
        body: PersonalAccessTokenInput = call.body
        principal = self._principal(body.user_id)
        if not isinstance(principal, ServiceUser):
            raise AdminError(400, "user_id: not a service user", "user_id")
        token = self.mock.create_personal_access_token(principal, expires_at=body.expires_at)
        return {"token": token}

    def enable_totp(self, call: AdminCall) -> dict[str, Any]:
        body: TotpInput = call.body
        secret = self.mock.enable_totp(self._user(call.params["user_id"]), body.secret)
        return {"secret": secret}

    def sign_jwt(self, call: AdminCall) -> dict[str, Any]:
        body: JwtInput = call.body
        return {"token": self.mock.sign_jwt(body.claims, body.kid)}

    def impersonator(self, call: AdminCall) -> dict[str, Any]:
        body: ImpersonatorInput = call.body
        self.mock.allow_impersonation(self._principal(body.user_id), body.allowed)
        return {"user_id": body.user_id, "allowed": body.allowed}

    def features(self, call: AdminCall) -> dict[str, Any]:
        body: FeaturesInput = call.body
        features = self.mock.features
        for name, value in body.model_dump(exclude_unset=True).items():
            setattr(features, name, value)
        return features.model_dump(mode="json")

    def security(self, call: AdminCall) -> dict[str, Any]:
        body: SecurityInput = call.body
        self.mock.security.impersonation = body.impersonation
        return self.mock.security.model_dump(mode="json")

    def mfa_policy(self, call: AdminCall) -> dict[str, Any]:
        body: MfaPolicyInput = call.body
        _refused(lambda: self.mock.require_mfa(body.required, org_id=body.org_id))
        return {"required": body.required, "org_id": body.org_id}

    def add_action(self, call: AdminCall) -> dict[str, Any]:
        rule: ActionRule = call.body
        self.mock.add_action(
            rule.name,
            claims=rule.claims,
            trigger=rule.trigger,
            client_id=rule.client_id,
            user_id=rule.user_id,
        )
        return rule.model_dump(mode="json")

    def remove_action(self, call: AdminCall) -> dict[str, Any]:
        name = call.params["name"]
        if not self.mock.remove_action(name):
            raise AdminError(404, f"name: no action {name}", "name")
        return {"removed": name}

    def routes(self) -> list[AdminRoute]:
        """The ``/__admin/zitadel`` table."""

        unknown = ((404, "No such user, application or organization (`error.field`)", "Error"),)

        def post(
            path: str, handler: Any, summary: str, body: Any, status: int = 200, **more: Any
        ) -> AdminRoute:
            return AdminRoute(
                "POST", PREFIX + path, handler, summary, body=body, status=status, **more
            )

        def lookup(path: str, handler: Any, summary: str, body: Any, status: int) -> AdminRoute:
            return post(path, handler, summary, body, status, responses=unknown)

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
                "/organizations",
                self.create_organization,
                "Add an organization",
                OrganizationInput,
                201,
            ),
            lookup("/grants", self.grant, "Grant a user roles of a project", GrantInput, 201),
            lookup(
                "/personal-access-tokens",
                self.personal_access_token,
                "Create a personal access token for a service user",
                PersonalAccessTokenInput,
                201,
            ),
            lookup(
                "/users/{user_id}/totp",
                self.enable_totp,
                "Register a TOTP authenticator for a user",
                TotpInput,
                201,
            ),
            lookup("/logins", self.expect_login, "Expect a user's next login", LoginInput, 201),
            lookup("/tokens", self.issue_token, "Issue tokens without a browser", TokenInput, 201),
            post("/jwts", self.sign_jwt, "Sign a JWT with the provider's key", JwtInput, 201),
            post("/tokens/expire", self.expire, "Expire a token from now on", TokenRef),
            post("/tokens/revoke", self.revoke, "Revoke a token", TokenRef),
            AdminRoute("POST", PREFIX + "/keys/rotate", self.rotate, "Rotate the signing key"),
            post("/clock", self.clock, "Freeze, skew or advance the clock", ClockInput),
            lookup("/auto-login", self.auto_login, "Skip the login pages", AutoLoginInput, 200),
            post("/features", self.features, "Switch feature flags", FeaturesInput),
            post("/security", self.security, "Set the security policy", SecurityInput),
            lookup(
                "/policies/mfa",
                self.mfa_policy,
                "Require a second factor in an organization",
                MfaPolicyInput,
                200,
            ),
            lookup(
                "/impersonators",
                self.impersonator,
                "Allow a user to impersonate through token exchange",
                ImpersonatorInput,
                200,
            ),
            post("/actions", self.add_action, "Add a complement-token action", ActionRule, 201),
            AdminRoute(
                "DELETE",
                PREFIX + "/actions/{name}",
                self.remove_action,
                "Remove an action",
                responses=((404, "No such action (`error.field` names it)", "Error"),),
            ),
        ]


def _refused(make: Callable[[], T]) -> T:
    """Run `make`; a ValueError ("field: why") from the mock becomes a 400 naming the
    field, or a 404 when what it names does not exist ("field: no ...")."""
    try:
        return make()
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        status = 404 if reason.startswith("no ") else 400
        raise AdminError(status, str(exc), field if reason else None) from exc


__all__ = ["PREFIX", "ZitadelAdmin"]

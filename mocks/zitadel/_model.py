"""The configuration a Zitadel instance holds, as pydantic models.

An instance has organizations; an organization owns projects (with roles), users and
service users; a project owns applications. Users are granted project roles. The models
are plain data; `Directory` (in `_directory`) creates and looks them up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AppKind = Literal["web", "spa", "native", "api"]
AuthMethod = Literal["none", "client_secret_basic", "client_secret_post", "private_key_jwt"]
AccessTokenType = Literal["opaque", "jwt"]
Gender = Literal["", "female", "male", "diverse"]
UserState = Literal["active", "inactive", "locked", "initial"]
#: When a "complement token" action runs (Zitadel's triggers of that flow).
ActionTrigger = Literal["pre_userinfo_creation", "pre_access_token_creation"]

GRANT_AUTHORIZATION_CODE = "authorization_code"
GRANT_REFRESH_TOKEN = "refresh_token"
GRANT_CLIENT_CREDENTIALS = "client_credentials"
GRANT_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_IMPLICIT = "implicit"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TokenLifetimes(_Model):
    """How long things live; the defaults are Zitadel's (cmd/defaults.yaml)."""

    access_token: timedelta = timedelta(hours=12)
    id_token: timedelta = timedelta(hours=12)
    refresh_token_idle: timedelta = timedelta(days=30)
    refresh_token: timedelta = timedelta(days=90)
    #: How long an authorization code may wait to be exchanged.
    auth_code: timedelta = timedelta(minutes=10)
    device_code: timedelta = timedelta(minutes=5)
    device_poll_interval: timedelta = timedelta(seconds=5)
    #: How long a rotated-out signing key stays in the JWKS.
    public_key: timedelta = timedelta(hours=30)


class Organization(_Model):
    """An organization: the resource owner of users and projects."""

    id: str
    name: str
    primary_domain: str
    #: The login policy's "force MFA": every user must pass a second factor, and one
    #: without a factor registers one (a TOTP app) on the next login.
    force_mfa: bool = False
    state: Literal["active", "inactive"] = "active"
    created_at: float = 0.0
    changed_at: float = 0.0


class ProjectRole(_Model):
    """A role defined on a project."""

    key: str
    display_name: str = ""
    group: str = ""


class Project(_Model):
    """A project: applications share its id as their audience, users are granted its roles."""

    id: str
    name: str
    org_id: str
    roles: list[ProjectRole] = Field(default_factory=list)
    #: "Assert roles on authentication": roles appear without being asked for by scope.
    project_role_assertion: bool = False

    def role_keys(self) -> list[str]:
        """The keys of the project's roles."""
        return [role.key for role in self.roles]


class Application(_Model):
    """An OIDC or API application of a project.

    `kind` decides the defaults: "web" is confidential (a client secret, basic auth),
    "spa" and "native" are public (no secret, PKCE required), "api" only introspects
    (basic auth or a key file).
    """

    id: str
    name: str
    kind: AppKind
    project_id: str
    client_id: str
    client_secret: str | None = None
    auth_method: AuthMethod = "client_secret_basic"
    redirect_uris: list[str] = Field(default_factory=list)
    post_logout_redirect_uris: list[str] = Field(default_factory=list)
    response_types: list[str] = Field(default_factory=lambda: ["code"])
    grant_types: list[str] = Field(default_factory=lambda: [GRANT_AUTHORIZATION_CODE])
    access_token_type: AccessTokenType = "opaque"
    #: Put profile, email and phone claims into the ID token, not only into userinfo.
    id_token_userinfo_assertion: bool = False
    #: Put role claims into the ID token.
    id_token_role_assertion: bool = False
    #: Put role claims into JWT access tokens.
    access_token_role_assertion: bool = False
    #: Zitadel's development mode: allows http and non-registered loopback redirects.
    dev_mode: bool = False
    #: Added to exp and subtracted from iat/nbf/auth_time (Zitadel allows 0-5 s).
    clock_skew: timedelta = timedelta(0)
    #: Public keys for private_key_jwt, by key id (PKIX PEM).
    public_keys: dict[str, str] = Field(default_factory=dict)
    #: The key file of the last key added, in Zitadel's JSON format.
    key_file: dict[str, str] | None = None
    #: Where logout tokens are POSTed (OpenID Back-Channel Logout 1.0); None: not sent.
    back_channel_logout_uri: str | None = None
    #: A custom login UI (Zitadel's "login V2"): authorize sends browsers to
    #: ``{login_v2_base_uri}/login?authRequest=V2_...`` and the UI finishes the login
    #: through the OIDC API v2.
    login_v2_base_uri: str | None = None

    @property
    def is_public(self) -> bool:
        """True for clients without credentials (SPA, native)."""
        return self.auth_method == "none"

    @property
    def is_oidc(self) -> bool:
        """False for API applications, which cannot start logins."""
        return self.kind != "api"


class User(_Model):
    """A human user with a password, profile, project grants and metadata."""

    id: str
    org_id: str
    username: str
    email: str
    email_verified: bool = True
    given_name: str = ""
    family_name: str = ""
    nick_name: str = ""
    display_name: str = ""
    preferred_language: str = "en"
    gender: Gender = ""
    phone: str = ""
    phone_verified: bool = False
    #: Plain text: a mock keeps passwords only to compare them.
    password: str | None = None
    password_change_required: bool = False
    #: The base32 secret of a registered TOTP authenticator (None: no second factor).
    totp_secret: str | None = None
    state: UserState = "active"
    #: Metadata values as text; claims carry them base64url encoded, as Zitadel does.
    metadata: dict[str, str] = Field(default_factory=dict)
    created_at: float = 0.0
    changed_at: float = 0.0
    sequence: int = 1

    @property
    def name(self) -> str:
        """The display name, falling back to given and family name."""
        return self.display_name or f"{self.given_name} {self.family_name}".strip()

    def login_names(self, org: Organization) -> list[str]:
        """The names the user can log in with: the username, and username@org-domain."""
        return [self.username, f"{self.username}@{org.primary_domain}"]


class ServiceUser(_Model):
    """A machine user: logs in with a key file (JWT profile) or a secret (client credentials)."""

    id: str
    org_id: str
    username: str
    name: str
    description: str = ""
    #: The client secret for the client_credentials grant (None: no secret).
    secret: str | None = None
    access_token_type: AccessTokenType = "opaque"
    #: Public keys by key id (PKIX PEM).
    public_keys: dict[str, str] = Field(default_factory=dict)
    #: The key file of the last key added, in Zitadel's JSON format.
    key_file: dict[str, str] | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    created_at: float = 0.0
    changed_at: float = 0.0
    sequence: int = 1


class InstanceFeatures(_Model):
    """Zitadel's feature flags the mock honours (set with the feature service v2 too)."""

    #: RFC 8693 token exchange (``oidc_token_exchange``): off by default, as in Zitadel.
    token_exchange: bool = False
    #: OpenID Back-Channel Logout: logout tokens to apps that registered a URI.
    back_channel_logout: bool = True
    #: Send every login to a custom login UI (login V2) at `login_v2_base_uri`.
    login_v2_required: bool = False
    login_v2_base_uri: str | None = None


class SecuritySettings(_Model):
    """The instance's security policy."""

    #: Token exchange may impersonate (a subject other than the actor).
    impersonation: bool = False


class UserGrant(_Model):
    """Roles of a project granted to a user by an organization (Zitadel's user grant,
    called an "authorization" in the v2 API). Role claims name the granting organization:
    ``{role: {org_id: org_primary_domain}}``."""

    id: str
    user_id: str
    project_id: str
    org_id: str
    roles: list[str] = Field(default_factory=list)
    created_at: float = 0.0
    changed_at: float = 0.0
    sequence: int = 1


class ActionRule(_Model):
    """An action as JSON: static claims, for every token or one client's or user's."""

    name: str = Field(min_length=1)
    trigger: ActionTrigger = "pre_userinfo_creation"
    claims: dict[str, Any] = Field(min_length=1)
    #: Only for tokens of this client id.
    client_id: str | None = None
    #: Only for tokens of this user id.
    user_id: str | None = None


class UserSpec(_Model):
    """A user as a stub file declares it."""

    email: str
    password: str | None = "Password1!"
    username: str | None = None
    id: str | None = None
    given_name: str = "Test"
    family_name: str = "User"
    display_name: str = ""
    nick_name: str = ""
    preferred_language: str = "en"
    phone: str = ""
    roles: list[str] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)
    totp_secret: str | None = None


class ApplicationSpec(_Model):
    """An application as a stub file declares it."""

    name: str
    kind: AppKind = "web"
    redirect_uris: list[str] = Field(default_factory=list)
    post_logout_redirect_uris: list[str] = Field(default_factory=list)
    access_token_type: AccessTokenType = "opaque"
    auth_method: AuthMethod | None = None
    client_id: str | None = None
    client_secret: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


class ServiceUserSpec(_Model):
    """A service user as a stub file declares it."""

    name: str
    description: str = ""
    roles: list[str] = Field(default_factory=list)
    access_token_type: AccessTokenType = "opaque"


class StubConfig(_Model):
    """What a stub file (JSON or YAML) may configure at start.

    Example::

        {"organization": {"name": "ACME", "primary_domain": "acme.localhost"},
         "project": {"name": "shop", "roles": ["admin", "viewer"]},
         "applications": [{"name": "web", "kind": "web",
                           "redirect_uris": ["http://127.0.0.1:8000/callback"]}],
         "users": [{"email": "alice@example.com", "password": "Secret1!", "roles": ["admin"]}],
         "service_users": [{"name": "robot"}],
         "lifetimes": {"access_token": 3600}}
    """

    organization: dict[str, str] = Field(default_factory=dict)
    project: dict[str, Any] = Field(default_factory=dict)
    applications: list[ApplicationSpec] = Field(default_factory=list)
    users: list[UserSpec] = Field(default_factory=list)
    service_users: list[ServiceUserSpec] = Field(default_factory=list)
    lifetimes: TokenLifetimes = Field(default_factory=TokenLifetimes)
    features: InstanceFeatures = Field(default_factory=InstanceFeatures)
    #: "Complement token" actions as JSON rules (static claims).
    actions: list[ActionRule] = Field(default_factory=list)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

"""The bodies MockZitadel's admin routes take, validated before a handler runs.

An unknown or missing field answers 400 naming it (the engine's admin router validates
with these models), so ``{"mail": ...}`` instead of ``{"email": ...}`` is refused as
``email: Field required`` and ``mail: Extra inputs are not permitted``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._model import AccessTokenType, AppKind, AuthMethod, Gender


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


_TEN_YEARS = 10 * 365 * 24 * 3600


class ClockInput(_Input):
    """Changes to the provider's clock, applied in this order: unfreeze, freeze, skew, advance."""

    unfreeze: bool = False
    #: Epoch seconds (up to the year 2100).
    freeze: float | None = Field(None, ge=0, le=4_102_444_800)
    skew: float | None = Field(None, ge=-_TEN_YEARS, le=_TEN_YEARS)
    advance: float | None = Field(None, ge=0, le=_TEN_YEARS)


class AutoLoginInput(_Input):
    """Skip the login pages (logging in `user_id`, or the ``login_hint`` user)."""

    enabled: bool = True
    user_id: str | None = None


class OrganizationInput(_Input):
    """An organization to add."""

    name: str = Field(min_length=1)
    primary_domain: str | None = None
    #: The login policy's "force MFA".
    force_mfa: bool = False


class GrantInput(_Input):
    """Roles of a project to grant a user (on behalf of an organization)."""

    user_id: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)
    project_id: str | None = None
    org_id: str | None = None


class PersonalAccessTokenInput(_Input):
    """A personal access token for a service user."""

    user_id: str = Field(min_length=1)
    #: Epoch seconds; None: never expires.
    expires_at: float | None = None


class TotpInput(_Input):
    """Register a TOTP authenticator (a new secret unless one is given)."""

    secret: str | None = Field(None, pattern=r"^[A-Z2-7]{16,}$")


class JwtInput(_Input):
    """A JWT to sign with the provider's key (see `MockZitadel.sign_jwt`)."""

    claims: dict[str, Any] = Field(default_factory=dict)
    kid: str | None = None


class ImpersonatorInput(_Input):
    """A user allowed (or no longer allowed) to impersonate through token exchange."""

    user_id: str = Field(min_length=1)
    allowed: bool = True


class FeaturesInput(_Input):
    """Feature flags to change (the ones left out stay)."""

    token_exchange: bool | None = None
    back_channel_logout: bool | None = None
    login_v2_required: bool | None = None
    login_v2_base_uri: str | None = None


class SecurityInput(_Input):
    """The security policy."""

    impersonation: bool


class MfaPolicyInput(_Input):
    """The login policy's "force MFA" of an organization (default: the default one)."""

    required: bool = True
    org_id: str | None = None

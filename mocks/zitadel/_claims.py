"""Zitadel's scopes and the claims they produce (userinfo, ID token, JWT access token).

The rules follow Zitadel's `internal/api/oidc` package: standard OIDC scopes give profile,
email and phone claims (in ID tokens only with "user info inside ID token"); Zitadel's
reserved scopes add metadata (base64url), resource-owner claims, organization claims,
extra audiences and project roles in the shape ``{role: {orgId: orgPrimaryDomain}}``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from ._directory import Directory
from ._model import ServiceUser, User

SCOPE_OPENID = "openid"
SCOPE_PROFILE = "profile"
SCOPE_EMAIL = "email"
SCOPE_PHONE = "phone"
SCOPE_ADDRESS = "address"
SCOPE_OFFLINE_ACCESS = "offline_access"
STANDARD_SCOPES = frozenset(
    {SCOPE_OPENID, SCOPE_PROFILE, SCOPE_EMAIL, SCOPE_PHONE, SCOPE_ADDRESS, SCOPE_OFFLINE_ACCESS}
)

SCOPE_PROJECT_ROLE_PREFIX = "urn:zitadel:iam:org:project:role:"
SCOPE_PROJECTS_ROLES = "urn:zitadel:iam:org:projects:roles"
SCOPE_PROJECT_ID_PREFIX = "urn:zitadel:iam:org:project:id:"
SCOPE_AUD_SUFFIX = ":aud"
SCOPE_ZITADEL_AUDIENCE = "urn:zitadel:iam:org:project:id:zitadel:aud"
SCOPE_USER_METADATA = "urn:zitadel:iam:user:metadata"
SCOPE_RESOURCE_OWNER = "urn:zitadel:iam:user:resourceowner"
SCOPE_ORG_ID_PREFIX = "urn:zitadel:iam:org:id:"
SCOPE_ORG_DOMAIN_PREFIX = "urn:zitadel:iam:org:domain:primary:"
SCOPE_ROLES_ORG_PREFIX = "urn:zitadel:iam:org:roles:id:"
SCOPE_IDP_PREFIX = "urn:zitadel:iam:org:idp:id:"

CLAIM_PROJECT_ROLES = "urn:zitadel:iam:org:project:roles"
CLAIM_PROJECT_ROLES_FORMAT = "urn:zitadel:iam:org:project:{}:roles"
CLAIM_USER_METADATA = SCOPE_USER_METADATA
CLAIM_RESOURCE_OWNER_ID = "urn:zitadel:iam:user:resourceowner:id"
CLAIM_RESOURCE_OWNER_NAME = "urn:zitadel:iam:user:resourceowner:name"
CLAIM_RESOURCE_OWNER_DOMAIN = "urn:zitadel:iam:user:resourceowner:primary_domain"
CLAIM_ORG_ID = "urn:zitadel:iam:org:id"
CLAIM_ORG_DOMAIN = "urn:zitadel:iam:org:domain:primary"

_ZITADEL_SCOPE_PREFIXES = (
    SCOPE_PROJECT_ROLE_PREFIX,
    SCOPE_PROJECT_ID_PREFIX,
    SCOPE_ORG_ID_PREFIX,
    SCOPE_ORG_DOMAIN_PREFIX,
    SCOPE_ROLES_ORG_PREFIX,
    SCOPE_IDP_PREFIX,
)
_ZITADEL_SCOPES = frozenset({SCOPE_PROJECTS_ROLES, SCOPE_USER_METADATA, SCOPE_RESOURCE_OWNER})


def allowed_scopes(scopes: Iterable[str]) -> list[str]:
    """The requested scopes Zitadel keeps; unknown scopes are dropped silently, as it does."""
    kept: list[str] = []
    for scope in scopes:
        if scope in kept:
            continue
        if (
            scope in STANDARD_SCOPES
            or scope in _ZITADEL_SCOPES
            or scope.startswith(_ZITADEL_SCOPE_PREFIXES)
        ):
            kept.append(scope)
    return kept


def audience_from_scopes(scopes: Iterable[str], zitadel_project_id: str) -> list[str]:
    """Project ids asked for with ``urn:zitadel:iam:org:project:id:{id}:aud`` scopes."""
    audience: list[str] = []
    for scope in scopes:
        if scope.startswith(SCOPE_PROJECT_ID_PREFIX) and scope.endswith(SCOPE_AUD_SUFFIX):
            project = scope[len(SCOPE_PROJECT_ID_PREFIX) : -len(SCOPE_AUD_SUFFIX)]
            project = zitadel_project_id if project == "zitadel" else project
            if project and project not in audience:
                audience.append(project)
    return audience


def requested_org_id(scopes: Iterable[str], directory: Directory) -> str | None:
    """The organization a login is restricted to by an org id or org domain scope."""
    for scope in scopes:
        if scope.startswith(SCOPE_ORG_ID_PREFIX):
            return scope[len(SCOPE_ORG_ID_PREFIX) :]
        if scope.startswith(SCOPE_ORG_DOMAIN_PREFIX):
            domain = scope[len(SCOPE_ORG_DOMAIN_PREFIX) :]
            org = next(
                (o for o in directory.organizations.values() if o.primary_domain == domain), None
            )
            return org.id if org else "unknown-org"
    return None


def metadata_claim(metadata: dict[str, str]) -> dict[str, str]:
    """Metadata values base64url-encoded without padding, as Zitadel puts them in claims."""
    return {
        key: base64.urlsafe_b64encode(value.encode()).rstrip(b"=").decode()
        for key, value in metadata.items()
    }


def _profile_claims(principal: User | ServiceUser, preferred_username: str) -> dict[str, Any]:
    claims: dict[str, Any]
    if isinstance(principal, User):
        claims = {
            "name": principal.name,
            "given_name": principal.given_name,
            "family_name": principal.family_name,
            "nickname": principal.nick_name,
            "gender": principal.gender,
            "locale": principal.preferred_language,
        }
    else:
        claims = {"name": principal.name}
    claims["updated_at"] = int(principal.changed_at)
    claims["preferred_username"] = preferred_username
    # Zitadel marshals these with omitempty.
    return {key: value for key, value in claims.items() if value not in ("", None)}


def _org_claims(directory: Directory, principal: User | ServiceUser) -> dict[str, str]:
    org = directory.org_of(principal.org_id)
    return {
        CLAIM_RESOURCE_OWNER_ID: org.id,
        CLAIM_RESOURCE_OWNER_NAME: org.name,
        CLAIM_RESOURCE_OWNER_DOMAIN: org.primary_domain,
    }


def _role_audience(
    scopes: list[str],
    project_id: str,
    zitadel_project_id: str,
    *,
    project_role_assertion: bool,
    current_project_only: bool,
) -> tuple[list[str], list[str]]:
    prefix = SCOPE_PROJECT_ROLE_PREFIX
    requested = [s[len(prefix) :] for s in scopes if s.startswith(prefix)]
    audience: list[str] = []
    if not current_project_only and (requested or SCOPE_PROJECTS_ROLES in scopes):
        audience = audience_from_scopes(scopes, zitadel_project_id)
    wants_project = (
        project_role_assertion
        or current_project_only
        or audience
        or requested
        or SCOPE_PROJECTS_ROLES in scopes
    )
    if wants_project and project_id and project_id not in audience:
        audience.append(project_id)
    return audience, requested


def role_claims(
    directory: Directory,
    principal: User | ServiceUser,
    project_id: str,
    role_audience: list[str],
    requested_roles: list[str],
    role_orgs: list[str] | None = None,
) -> dict[str, Any]:
    """The role claims: the per-project form for each project, and the short form for this
    one. Each role maps the organizations that granted it to their primary domains;
    `role_orgs` (from ``urn:zitadel:iam:org:roles:id:{id}`` scopes) keeps only those."""
    projects: dict[str, dict[str, dict[str, str]]] = {}
    for pid in role_audience:
        for grant in directory.grants_of(principal.id, pid):
            if role_orgs and grant.org_id not in role_orgs:
                continue
            domain = directory.org_of(grant.org_id).primary_domain
            for role in grant.roles:
                if requested_roles and role not in requested_roles:
                    continue
                projects.setdefault(pid, {}).setdefault(role, {})[grant.org_id] = domain
    claims: dict[str, Any] = {}
    if project_id in projects:
        claims[CLAIM_PROJECT_ROLES] = projects[project_id]
    for pid, roles in projects.items():
        claims[CLAIM_PROJECT_ROLES_FORMAT.format(pid)] = roles
    return claims


def user_info(
    directory: Directory,
    principal: User | ServiceUser,
    scopes: list[str],
    project_id: str,
    *,
    project_role_assertion: bool,
    userinfo_assertion: bool,
    role_assertion: bool,
    current_project_only: bool = False,
) -> dict[str, Any]:
    """The claims Zitadel asserts for `principal` under `scopes`.

    `userinfo_assertion` decides whether profile, email and phone appear; `role_assertion`
    whether role claims do. Reserved scopes (metadata, resource owner, org) always count.
    """
    claims: dict[str, Any] = {"sub": principal.id}
    for scope in scopes:
        if scope == SCOPE_PROFILE and userinfo_assertion:
            claims.update(_profile_claims(principal, principal.username))
        elif scope == SCOPE_EMAIL and userinfo_assertion and isinstance(principal, User):
            claims["email"] = principal.email
            if principal.email_verified:
                claims["email_verified"] = True
        elif scope == SCOPE_PHONE and userinfo_assertion and isinstance(principal, User):
            if principal.phone:
                claims["phone_number"] = principal.phone
            if principal.phone_verified:
                claims["phone_number_verified"] = True
        elif scope == SCOPE_USER_METADATA and principal.metadata:
            claims[CLAIM_USER_METADATA] = metadata_claim(principal.metadata)
        elif scope == SCOPE_RESOURCE_OWNER:
            claims.update(_org_claims(directory, principal))
        elif scope.startswith(SCOPE_ORG_DOMAIN_PREFIX):
            claims[CLAIM_ORG_DOMAIN] = scope[len(SCOPE_ORG_DOMAIN_PREFIX) :]
        elif scope.startswith(SCOPE_ORG_ID_PREFIX):
            claims[CLAIM_ORG_ID] = scope[len(SCOPE_ORG_ID_PREFIX) :]
            claims.update(_org_claims(directory, principal))
    if role_assertion:
        audience, requested = _role_audience(
            scopes,
            project_id,
            directory.zitadel_project_id,
            project_role_assertion=project_role_assertion,
            current_project_only=current_project_only,
        )
        if (project_id and requested) or audience:
            role_orgs = [
                s[len(SCOPE_ROLES_ORG_PREFIX) :]
                for s in scopes
                if s.startswith(SCOPE_ROLES_ORG_PREFIX)
            ]
            claims.update(
                role_claims(directory, principal, project_id, audience, requested, role_orgs)
            )
    return claims


def private_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The non-standard claims (Zitadel's urn:zitadel:* ones): what JWT access tokens carry."""
    return {key: value for key, value in claims.items() if key.startswith("urn:zitadel:")}

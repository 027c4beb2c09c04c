"""The directory of an instance: organizations, projects, applications and users.

It creates them with Zitadel-shaped ids, secrets and key files, and answers the lookups
the OIDC endpoints need (a client by id, a user by login name, a public key by id).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from ..jose import Clock, derive_rsa_key, load_public_pem, private_pem, public_pem
from ._ids import IdGenerator
from ._model import (
    GRANT_AUTHORIZATION_CODE,
    GRANT_DEVICE_CODE,
    GRANT_REFRESH_TOKEN,
    AccessTokenType,
    AppKind,
    Application,
    AuthMethod,
    InstanceFeatures,
    Organization,
    Project,
    ProjectRole,
    SecuritySettings,
    ServiceUser,
    StubConfig,
    TokenLifetimes,
    User,
    UserGrant,
)

_DEFAULT_AUTH: dict[str, AuthMethod] = {
    "web": "client_secret_basic",
    "spa": "none",
    "native": "none",
    "api": "client_secret_basic",
}
_DEFAULT_GRANTS: dict[str, list[str]] = {
    "web": [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN],
    "spa": [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN],
    "native": [GRANT_AUTHORIZATION_CODE, GRANT_REFRESH_TOKEN, GRANT_DEVICE_CODE],
    "api": [],
}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "project"


class Directory:
    """Everything an instance is configured with, and the lookups on it.

    A fresh directory has one organization and one project (the "default project" that
    `create_application` and the `roles` of `create_user` use unless told otherwise).

    Example::

        directory = Directory(IdGenerator(0), Clock())
        app = directory.create_application("web", redirect_uris=["http://127.0.0.1/cb"])
        alice = directory.create_user("alice@example.com", password="Secret1!", roles=["admin"])
    """

    def __init__(
        self,
        ids: IdGenerator,
        clock: Clock,
        *,
        org_name: str = "ACME",
        org_domain: str = "acme.localhost",
        project_name: str = "Acme",
    ) -> None:
        self.ids = ids
        self.clock = clock
        self.lifetimes = TokenLifetimes()
        self.features = InstanceFeatures()
        self.security = SecuritySettings()
        self.organizations: dict[str, Organization] = {}
        self.projects: dict[str, Project] = {}
        self.applications: dict[str, Application] = {}
        self.users: dict[str, User] = {}
        self.service_users: dict[str, ServiceUser] = {}
        self.user_grants: dict[str, UserGrant] = {}
        #: Users allowed to impersonate others through token exchange.
        self.impersonators: set[str] = set()
        now = clock.now()
        org = Organization(
            id=ids.next_id(),
            name=org_name,
            primary_domain=org_domain,
            created_at=now,
            changed_at=now,
        )
        self.organizations[org.id] = org
        self.default_org_id = org.id
        #: The instance's own ZITADEL project: the audience of tokens for its APIs.
        self.zitadel_project_id = ids.next_id()
        self.default_project_id = self.create_project(project_name).id

    # ---- organizations and projects -------------------------------------------------

    @property
    def org(self) -> Organization:
        """The default organization."""
        return self.organizations[self.default_org_id]

    @property
    def project(self) -> Project:
        """The default project."""
        return self.projects[self.default_project_id]

    def org_of(self, org_id: str) -> Organization:
        """The organization with this id (the default one when it is unknown)."""
        return self.organizations.get(org_id, self.org)

    def create_organization(
        self, name: str, primary_domain: str | None = None, *, org_id: str | None = None
    ) -> Organization:
        """Add an organization (its primary domain defaults to ``{name}.localhost``)."""
        domain = primary_domain or f"{_slug(name).replace('_', '-')}.localhost"
        now = self.clock.now()
        org = Organization(
            id=org_id or self.ids.next_id(),
            name=name,
            primary_domain=domain,
            created_at=now,
            changed_at=now,
        )
        self.organizations[org.id] = org
        return org

    def create_project(
        self,
        name: str,
        roles: Iterable[str] = (),
        *,
        org_id: str | None = None,
        project_role_assertion: bool = False,
    ) -> Project:
        """Add a project with `roles` to the default (or the given) organization."""
        project = Project(
            id=self.ids.next_id(),
            name=name,
            org_id=org_id or self.default_org_id,
            project_role_assertion=project_role_assertion,
        )
        self.projects[project.id] = project
        self.add_roles(project.id, roles)
        return project

    def add_roles(self, project_id: str, roles: Iterable[str]) -> None:
        """Define `roles` on the project (known ones are left as they are)."""
        project = self.projects[project_id]
        known = set(project.role_keys())
        new = [ProjectRole(key=key, display_name=key) for key in roles if key not in known]
        if new:
            project.roles = [*project.roles, *new]

    # ---- applications ---------------------------------------------------------------

    def create_application(
        self,
        name: str,
        kind: AppKind = "web",
        *,
        redirect_uris: Iterable[str] = (),
        post_logout_redirect_uris: Iterable[str] = (),
        access_token_type: AccessTokenType = "opaque",
        auth_method: AuthMethod | None = None,
        project_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        **settings: Any,
    ) -> Application:
        """Register an application; `settings` sets any other `Application` field.

        A confidential application gets a generated client secret, one with
        ``auth_method="private_key_jwt"`` a key file (`Application.key_file`).
        """
        if kind not in _DEFAULT_AUTH:
            raise ValueError(f"kind: must be one of {', '.join(_DEFAULT_AUTH)}, not {kind!r}")
        project = self.projects[project_id or self.default_project_id]
        method = auth_method or _DEFAULT_AUTH[kind]
        app_id = self.ids.next_id()
        secret = None
        if method in ("client_secret_basic", "client_secret_post"):
            secret = client_secret or self.ids.secret(64)
        fields: dict[str, Any] = {
            "response_types": ["code"] if kind != "api" else [],
            "grant_types": list(_DEFAULT_GRANTS[kind]),
        }
        fields.update(settings)
        app = Application(
            id=app_id,
            name=name,
            kind=kind,
            project_id=project.id,
            client_id=client_id or f"{app_id}@{_slug(project.name)}",
            client_secret=secret,
            auth_method=method,
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(post_logout_redirect_uris),
            access_token_type=access_token_type,
            **fields,
        )
        self.applications[app.id] = app
        if method == "private_key_jwt":
            self.add_application_key(app)
        return app

    def add_application_key(self, app: Application) -> dict[str, str]:
        """Generate a key pair for private_key_jwt and return its key file."""
        key_id, key = self._new_key_pair(f"app-key-{app.id}")
        app.public_keys = {**app.public_keys, key_id: public_pem(key.public_key())}
        app.key_file = {
            "type": "application",
            "keyId": key_id,
            "key": private_pem(key),
            "appId": app.id,
            "clientId": app.client_id,
        }
        return app.key_file

    def find_client(self, client_id: str) -> Application | None:
        """The application with this client id."""
        return next((a for a in self.applications.values() if a.client_id == client_id), None)

    # ---- users ----------------------------------------------------------------------

    def create_user(
        self,
        email: str,
        password: str | None = "Password1!",
        roles: Iterable[str] = (),
        *,
        username: str | None = None,
        user_id: str | None = None,
        org_id: str | None = None,
        project_id: str | None = None,
        metadata: dict[str, str] | None = None,
        **profile: Any,
    ) -> User:
        """Add a human user; `roles` are granted on the default (or given) project.

        Roles the project does not define yet are added to it. `profile` sets any other
        `User` field (given_name, family_name, phone, preferred_language, ...).
        """
        now = self.clock.now()
        local = email.split("@", 1)[0]
        profile.setdefault("given_name", local.capitalize() or "Test")
        profile.setdefault("family_name", "User")
        user = User(
            id=user_id or self.ids.next_id(),
            org_id=org_id or self.default_org_id,
            username=username or email,
            email=email,
            password=password,
            metadata=dict(metadata or {}),
            created_at=now,
            changed_at=now,
            **profile,
        )
        self.users[user.id] = user
        self.grant(user, roles, project_id)
        return user

    def grant(
        self,
        principal: User | ServiceUser,
        roles: Iterable[str],
        project_id: str | None = None,
        *,
        org_id: str | None = None,
    ) -> UserGrant | None:
        """Grant `roles` of a project (default: the default project) to a user, on behalf
        of `org_id` (default: the project's organization). Roles the project does not
        define yet are added to it; an existing grant of that organization gains them."""
        roles = list(roles)
        if not roles:
            return None
        pid = project_id or self.default_project_id
        self.add_roles(pid, roles)
        owner = org_id or self.projects[pid].org_id
        for existing in self.grants_of(principal.id, pid):
            if existing.org_id == owner:
                existing.roles = existing.roles + [r for r in roles if r not in existing.roles]
                existing.changed_at = self.clock.now()
                existing.sequence += 1
                return existing
        now = self.clock.now()
        grant = UserGrant(
            id=self.ids.next_id(),
            user_id=principal.id,
            project_id=pid,
            org_id=owner,
            roles=list(dict.fromkeys(roles)),
            created_at=now,
            changed_at=now,
        )
        self.user_grants[grant.id] = grant
        return grant

    def grants_of(self, user_id: str, project_id: str | None = None) -> list[UserGrant]:
        """A user's grants (on one project, when given), oldest first."""
        return [
            grant
            for grant in self.user_grants.values()
            if grant.user_id == user_id and project_id in (None, grant.project_id)
        ]

    def roles(self, user_id: str, project_id: str) -> list[str]:
        """The role keys a user holds on a project, from all its grants."""
        keys: list[str] = []
        for grant in self.grants_of(user_id, project_id):
            keys += [role for role in grant.roles if role not in keys]
        return keys

    def remove_principal(self, user_id: str) -> User | ServiceUser | None:
        """Delete a human or machine user and its grants."""
        principal = self.users.pop(user_id, None) or self.service_users.pop(user_id, None)
        for grant in self.grants_of(user_id):
            del self.user_grants[grant.id]
        return principal

    def create_service_user(
        self,
        name: str,
        *,
        description: str = "",
        roles: Iterable[str] = (),
        access_token_type: AccessTokenType = "opaque",
        with_secret: bool = True,
        with_key: bool = True,
    ) -> ServiceUser:
        """Add a machine user with a client secret and a key file (both optional)."""
        now = self.clock.now()
        user = ServiceUser(
            id=self.ids.next_id(),
            org_id=self.default_org_id,
            username=name,
            name=name,
            description=description,
            secret=self.ids.secret(64) if with_secret else None,
            access_token_type=access_token_type,
            created_at=now,
            changed_at=now,
        )
        self.service_users[user.id] = user
        self.grant(user, roles)
        if with_key:
            self.add_service_user_key(user)
        return user

    def add_service_user_key(self, user: ServiceUser) -> dict[str, str]:
        """Generate a key pair for the JWT profile grant and return its key file."""
        key_id, key = self._new_key_pair(f"machine-key-{user.id}")
        user.public_keys = {**user.public_keys, key_id: public_pem(key.public_key())}
        user.key_file = {
            "type": "serviceaccount",
            "keyId": key_id,
            "key": private_pem(key),
            "userId": user.id,
        }
        return user.key_file

    def _new_key_pair(self, purpose: str) -> tuple[str, rsa.RSAPrivateKey]:
        key_id = self.ids.next_id()
        return key_id, derive_rsa_key(self.ids.derive_seed(f"{purpose}-{key_id}"))

    def find_user(self, user_id: str) -> User | None:
        """The human user with this id."""
        return self.users.get(user_id)

    def find_principal(self, user_id: str) -> User | ServiceUser | None:
        """The human or machine user with this id."""
        return self.users.get(user_id) or self.service_users.get(user_id)

    def find_user_by_login_name(self, login_name: str) -> User | None:
        """The human user whose username, username@org-domain or email this is.

        Like Zitadel, the comparison ignores case.
        """
        wanted = login_name.strip().lower()
        for user in self.users.values():
            names = [n.lower() for n in user.login_names(self.org_of(user.org_id))]
            if wanted in names or wanted == user.email.lower():
                return user
        return None

    def find_service_user_by_username(self, username: str) -> ServiceUser | None:
        """The machine user with this username (its client id for client credentials)."""
        wanted = username.lower()
        for user in self.service_users.values():
            org = self.org_of(user.org_id)
            if wanted in (user.username.lower(), f"{user.username}@{org.primary_domain}".lower()):
                return user
        return None

    def public_key(self, owner_id: str, key_id: str) -> rsa.RSAPublicKey | None:
        """The public key `key_id` of a service user (by id) or application (by client id)."""
        principal = self.service_users.get(owner_id)
        keys = principal.public_keys if principal else None
        if keys is None:
            app = self.find_client(owner_id)
            keys = app.public_keys if app else {}
        pem = keys.get(key_id)
        return load_public_pem(pem) if pem else None

    def touch(self, user: User | ServiceUser) -> None:
        """Record a change of the user (change date and sequence)."""
        user.changed_at = self.clock.now()
        user.sequence += 1

    # ---- stub files -----------------------------------------------------------------

    def apply(self, stub: StubConfig) -> None:
        """Create what a stub file declares."""
        if stub.organization:
            org = self.org
            org.name = stub.organization.get("name", org.name)
            org.primary_domain = stub.organization.get("primary_domain", org.primary_domain)
        if stub.project:
            project = self.project
            project.name = stub.project.get("name", project.name)
            project.project_role_assertion = bool(
                stub.project.get("project_role_assertion", project.project_role_assertion)
            )
            self.add_roles(project.id, stub.project.get("roles", []))
        self.lifetimes = stub.lifetimes
        self.features = stub.features
        self.security = stub.security
        for app in stub.applications:
            self.create_application(
                app.name,
                app.kind,
                redirect_uris=app.redirect_uris,
                post_logout_redirect_uris=app.post_logout_redirect_uris,
                access_token_type=app.access_token_type,
                auth_method=app.auth_method,
                client_id=app.client_id,
                client_secret=app.client_secret,
                **app.settings,
            )
        for spec in stub.users:
            self.create_user(
                spec.email,
                spec.password,
                spec.roles,
                username=spec.username,
                user_id=spec.id,
                metadata=spec.metadata,
                given_name=spec.given_name,
                family_name=spec.family_name,
                display_name=spec.display_name,
                nick_name=spec.nick_name,
                preferred_language=spec.preferred_language,
                phone=spec.phone,
                totp_secret=spec.totp_secret,
            )
        for machine in stub.service_users:
            self.create_service_user(
                machine.name,
                description=machine.description,
                roles=machine.roles,
                access_token_type=machine.access_token_type,
            )

"""Provisioning through the v2 APIs: organizations, project roles and authorizations.

What an application calls to onboard a customer: add an organization
(``zitadel.org.v2.OrganizationService``), define roles on its project
(``zitadel.project.v2.ProjectService``) and grant users roles
(``zitadel.authorization.v2.AuthorizationService``, Zitadel's user grants). The grants
then appear in the users' role claims, naming the organization that granted them.
"""

from __future__ import annotations

from typing import Any

from . import _errors as errors
from ._api import (
    Rpc,
    get,
    invalid_argument,
    list_details,
    message,
    object_details,
    paged,
    repeated,
    timestamp,
)
from ._errors import ZitadelError
from ._http import HttpRequest
from ._model import Organization, ProjectRole, UserGrant
from ._state import State

ORG_SERVICE = "zitadel.org.v2.OrganizationService"
PROJECT_SERVICE = "zitadel.project.v2.ProjectService"
AUTHORIZATION_SERVICE = "zitadel.authorization.v2.AuthorizationService"
ORG_INVALID = ZitadelError("invalid_argument", "ORG-mruNY", "Errors.Org.Invalid")
ORG_EXISTS = ZitadelError("already_exists", "ORG-lapo2m", "Errors.Org.AlreadyExists")
ORG_NOT_FOUND = ZitadelError("not_found", "QUERY-iTTGJ", "Errors.Org.NotFound")
PROJECT_NOT_FOUND = ZitadelError("not_found", "QUERY-ngVgh", "Errors.Project.NotFound")
ROLE_EXISTS = ZitadelError("already_exists", "COMMAND-HD5sd", "Errors.Project.Role.AlreadyExists")
ROLE_NOT_FOUND = ZitadelError(
    "invalid_argument", "COMMAND-m9m4V", "Errors.UserGrant.RoleKeyNotFound"
)
GRANT_EXISTS = ZitadelError("already_exists", "COMMAND-Ug3af", "Errors.UserGrant.AlreadyExists")
GRANT_NOT_FOUND = ZitadelError("not_found", "COMMAND-Kgeu1", "Errors.UserGrant.NotFound")
_ORG_STATES = {"active": "ORGANIZATION_STATE_ACTIVE", "inactive": "ORGANIZATION_STATE_INACTIVE"}


class OrgApi:
    """AddOrganization, ListOrganizations, AddProjectRole and the authorization calls."""

    def __init__(self, state: State) -> None:
        self.state = state

    def rpcs(self) -> list[Rpc]:
        """The methods and their REST routes."""
        return [
            Rpc(ORG_SERVICE, "AddOrganization", self.add_org, ("POST", "/v2/organizations")),
            Rpc(
                ORG_SERVICE,
                "ListOrganizations",
                self.list_orgs,
                ("POST", "/v2/organizations/_search"),
            ),
            Rpc(PROJECT_SERVICE, "AddProjectRole", self.add_role),
            Rpc(AUTHORIZATION_SERVICE, "CreateAuthorization", self.create_authorization),
            Rpc(AUTHORIZATION_SERVICE, "ListAuthorizations", self.list_authorizations),
            Rpc(AUTHORIZATION_SERVICE, "DeleteAuthorization", self.delete_authorization),
        ]

    # ---- organizations --------------------------------------------------------------

    def add_org(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """AddOrganization: a new organization (admins are users to create or existing)."""
        directory = self.state.directory
        name = str(get(body, "name") or "").strip()
        if not name:
            raise ORG_INVALID
        wanted_id = str(get(body, "organizationId") or get(body, "orgId") or "")
        taken = any(o.name == name for o in directory.organizations.values())
        if taken or (wanted_id and wanted_id in directory.organizations):
            raise ORG_EXISTS
        for admin in repeated(body, "admins"):
            if not isinstance(admin, dict) or not get(admin, "userId"):
                raise invalid_argument("admins")
            if directory.find_principal(str(get(admin, "userId"))) is None:
                raise errors.USER_NOT_FOUND
        org = directory.create_organization(name, org_id=wanted_id or None)
        return {
            "details": self._details(org),
            "organizationId": org.id,
            "createdAdmins": [],
        }

    def _details(self, org: Organization) -> dict[str, Any]:
        return object_details(1, org.changed_at, org.id, org.created_at)

    def org_document(self, org: Organization) -> dict[str, Any]:
        """A ``zitadel.org.v2.Organization`` as protojson."""
        return {
            "id": org.id,
            "details": self._details(org),
            "state": _ORG_STATES[org.state],
            "name": org.name,
            "primaryDomain": org.primary_domain,
        }

    def list_orgs(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """ListOrganizations with id, name, domain and state queries."""
        found = list(self.state.directory.organizations.values())
        for query in repeated(body, "queries"):
            if not isinstance(query, dict):
                raise invalid_argument("queries")
            found = [org for org in found if self._org_matches(org, query)]
        page = paged(found, message(body, "query"))
        return {
            "details": list_details(len(found), self.state.clock.now()),
            "result": [self.org_document(org) for org in page],
        }

    @staticmethod
    def _org_matches(org: Organization, query: dict[str, Any]) -> bool:
        if message(query, "idQuery"):
            return org.id == str(get(message(query, "idQuery"), "id") or "")
        texts = {"nameQuery": ("name", org.name), "domainQuery": ("domain", org.primary_domain)}
        for name, (field, value) in texts.items():
            sub = message(query, name)
            if sub:
                wanted = str(get(sub, field) or "")
                method = str(get(sub, "method") or "TEXT_QUERY_METHOD_EQUALS")
                if method.endswith("_IGNORE_CASE"):
                    value, wanted = value.lower(), wanted.lower()
                if "CONTAINS" in method:
                    return wanted in value
                if "STARTS_WITH" in method:
                    return value.startswith(wanted)
                return value == wanted
        state = message(query, "stateQuery")
        if state:
            return _ORG_STATES[org.state] == str(get(state, "state") or "")
        return True

    # ---- project roles --------------------------------------------------------------

    def add_role(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """AddProjectRole: define a role key on a project."""
        project = self.state.directory.projects.get(str(get(body, "projectId") or ""))
        if project is None:
            raise PROJECT_NOT_FOUND
        key = str(get(body, "roleKey") or "")
        if not key:
            raise invalid_argument("roleKey")
        if key in project.role_keys():
            raise ROLE_EXISTS
        role = ProjectRole(
            key=key,
            display_name=str(get(body, "displayName") or key),
            group=str(get(body, "group") or ""),
        )
        project.roles = [*project.roles, role]
        return {"creationDate": timestamp(self.state.clock.now())}

    # ---- authorizations (user grants) -------------------------------------------------

    def create_authorization(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """CreateAuthorization: grant a user roles of a project, on behalf of an organization."""
        directory = self.state.directory
        user = directory.find_principal(str(get(body, "userId") or ""))
        if user is None:
            raise errors.USER_NOT_FOUND
        project = directory.projects.get(str(get(body, "projectId") or ""))
        if project is None:
            raise PROJECT_NOT_FOUND
        org_id = str(get(body, "organizationId") or "") or project.org_id
        if org_id not in directory.organizations:
            raise ORG_NOT_FOUND
        roles = [str(role) for role in repeated(body, "roleKeys")]
        if any(role not in project.role_keys() for role in roles):
            raise ROLE_NOT_FOUND
        if any(g.org_id == org_id for g in directory.grants_of(user.id, project.id)):
            raise GRANT_EXISTS
        now = self.state.clock.now()
        grant = UserGrant(
            id=self.state.ids.next_id(),
            user_id=user.id,
            project_id=project.id,
            org_id=org_id,
            roles=list(dict.fromkeys(roles)),
            created_at=now,
            changed_at=now,
        )
        directory.user_grants[grant.id] = grant
        return {"id": grant.id, "creationDate": timestamp(now)}

    def list_authorizations(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """ListAuthorizations, filtered by ids, users, project, organization or role."""
        found = list(self.state.directory.user_grants.values())
        for query in repeated(body, "filters"):
            if not isinstance(query, dict):
                raise invalid_argument("filters")
            found = [grant for grant in found if self._grant_matches(grant, query)]
        return {
            "pagination": {"totalResult": str(len(found)), "appliedLimit": "100"},
            "authorizations": [self.grant_document(grant) for grant in found],
        }

    @staticmethod
    def _grant_matches(grant: UserGrant, query: dict[str, Any]) -> bool:
        def ids(name: str) -> list[str]:
            return [str(i) for i in repeated(message(query, name), "ids")]

        if message(query, "authorizationIds"):
            return grant.id in ids("authorizationIds")
        if message(query, "inUserIds"):
            return grant.user_id in ids("inUserIds")
        for name, value in (("projectId", grant.project_id), ("organizationId", grant.org_id)):
            if message(query, name):
                return value == str(get(message(query, name), "id") or "")
        if message(query, "roleKey"):
            return str(get(message(query, "roleKey"), "key") or "") in grant.roles
        return True

    def grant_document(self, grant: UserGrant) -> dict[str, Any]:
        """A ``zitadel.authorization.v2.Authorization`` as protojson."""
        directory = self.state.directory
        project = directory.projects.get(grant.project_id)
        org = directory.org_of(grant.org_id)
        user = directory.find_principal(grant.user_id)
        roles = {role.key: role for role in project.roles} if project else {}
        user_document: dict[str, Any] = {"id": grant.user_id}
        if user is not None:
            name = user.name
            user_document.update(
                preferredLoginName=user.username, displayName=name, organizationId=user.org_id
            )
        return {
            "id": grant.id,
            "creationDate": timestamp(grant.created_at),
            "changeDate": timestamp(grant.changed_at),
            "project": {
                "id": grant.project_id,
                "name": project.name if project else "",
                "organizationId": project.org_id if project else "",
            },
            "organization": {"id": org.id, "name": org.name},
            "user": user_document,
            "state": "STATE_ACTIVE",
            "roles": [
                {
                    "key": key,
                    "displayName": roles[key].display_name if key in roles else key,
                    "group": roles[key].group if key in roles else "",
                }
                for key in grant.roles
            ],
        }

    def delete_authorization(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """DeleteAuthorization: the roles disappear from the user's next tokens."""
        grant = self.state.directory.user_grants.pop(str(get(body, "id") or ""), None)
        if grant is None:
            raise GRANT_NOT_FOUND
        return {"deletionDate": timestamp(self.state.clock.now())}

"""Zitadel's v2 user API: add, get, list, delete users, set passwords and metadata.

Served on the REST paths (``POST /v2/users/human``, ``GET /v2/users/{id}`` ...) and on the
Connect paths the official SDKs call (``POST /zitadel.user.v2.UserService/AddHumanUser``
...). Bodies are protojson: camelCase names (snake_case accepted on input), 64-bit numbers
as strings, enums as their names, timestamps as RFC 3339. Every call needs a bearer token
this provider issued.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from . import _errors as errors
from ._api import (
    BAD_BODY,
    Rpc,
    get,
    list_details,
    message,
    paged,
    param,
    repeated,
    timestamp,
)
from ._errors import ZitadelError
from ._http import HttpRequest
from ._model import ServiceUser, User
from ._state import State

SERVICE = "zitadel.user.v2.UserService"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_GENDERS = {"": "GENDER_UNSPECIFIED", "female": "GENDER_FEMALE", "male": "GENDER_MALE"}
_GENDERS["diverse"] = "GENDER_DIVERSE"
_STATES = {
    "active": "USER_STATE_ACTIVE",
    "inactive": "USER_STATE_INACTIVE",
    "locked": "USER_STATE_LOCKED",
    "initial": "USER_STATE_INITIAL",
}

PROFILE_EMPTY = ZitadelError("invalid_argument", "USER-4GB8s", "Errors.User.Profile.Empty")
GIVEN_NAME_EMPTY = ZitadelError(
    "invalid_argument", "USER-UCej2", "Errors.User.Profile.FirstNameEmpty"
)
FAMILY_NAME_EMPTY = ZitadelError(
    "invalid_argument", "USER-4hB7d", "Errors.User.Profile.LastNameEmpty"
)
EMAIL_EMPTY = ZitadelError("invalid_argument", "EMAIL-spblu", "Errors.User.Email.Empty")
EMAIL_INVALID = ZitadelError("invalid_argument", "EMAIL-599BI", "Errors.User.Email.Invalid")
USER_EXISTS = ZitadelError("already_exists", "COMMAND-k2unb", "Errors.User.AlreadyExists")
ORG_NOT_FOUND = ZitadelError("not_found", "QUERY-iTTGJ", "Errors.Org.NotFound")
PASSWORD_INVALID = ZitadelError("invalid_argument", "COMMAND-3M0fs", "Errors.User.Password.Invalid")
PASSWORD_EMPTY = ZitadelError("invalid_argument", "COMMAND-Dg2wa", "Errors.User.Password.Empty")
NOT_HUMAN = ZitadelError("failed_precondition", "COMMAND-3M9ds", "Errors.User.NotHuman")
METADATA_INVALID = ZitadelError("invalid_argument", "META-2m00f", "Errors.Metadata.Invalid")
METADATA_NOT_FOUND = ZitadelError("not_found", "META-ui3n8", "Errors.Metadata.NotFound")


class UserApi:
    """The v2 UserService calls the mock serves."""

    def __init__(self, state: State) -> None:
        self.state = state

    def rpcs(self) -> list[Rpc]:
        """The UserService methods, with the REST routes of those that have one."""
        user = "/v2/users/{user_id}"
        return [
            Rpc(SERVICE, "AddHumanUser", self.add_human_user, ("POST", "/v2/users/human")),
            Rpc(SERVICE, "ListUsers", self.list_users, ("POST", "/v2/users")),
            Rpc(SERVICE, "GetUserByID", self.get_user, ("GET", user), "get_user"),
            Rpc(SERVICE, "DeleteUser", self.delete_user, ("DELETE", user)),
            Rpc(SERVICE, "SetPassword", self.set_password, ("POST", f"{user}/password")),
            Rpc(SERVICE, "SetUserMetadata", self.set_metadata, ("POST", f"{user}/metadata")),
            Rpc(
                SERVICE, "ListUserMetadata", self.list_metadata, ("POST", f"{user}/metadata/search")
            ),
            Rpc(
                SERVICE, "DeleteUserMetadata", self.delete_metadata, ("DELETE", f"{user}/metadata")
            ),
        ]

    def _details(self, principal: User | ServiceUser) -> dict[str, Any]:
        return {
            "sequence": str(principal.sequence),
            "changeDate": timestamp(principal.changed_at),
            "resourceOwner": principal.org_id,
            "creationDate": timestamp(principal.created_at),
        }

    def _principal(self, user_id: str) -> User | ServiceUser:
        principal = self.state.directory.find_principal(user_id)
        if principal is None:
            raise errors.USER_NOT_FOUND
        return principal

    def user_document(self, principal: User | ServiceUser) -> dict[str, Any]:
        """A ``zitadel.user.v2.User`` as protojson."""
        org = self.state.directory.org_of(principal.org_id)
        login_names = [principal.username, f"{principal.username}@{org.primary_domain}"]
        document: dict[str, Any] = {
            "userId": principal.id,
            "details": self._details(principal),
            "state": _STATES.get(getattr(principal, "state", "active"), "USER_STATE_ACTIVE"),
            "username": principal.username,
            "loginNames": login_names,
            "preferredLoginName": principal.username,
        }
        if isinstance(principal, User):
            profile = {
                "givenName": principal.given_name,
                "familyName": principal.family_name,
                "nickName": principal.nick_name,
                "displayName": principal.name,
                "preferredLanguage": principal.preferred_language,
                "gender": _GENDERS[principal.gender],
            }
            human: dict[str, Any] = {
                "profile": {k: v for k, v in profile.items() if v},
                "email": {"email": principal.email, "isVerified": principal.email_verified},
                "phone": {"phone": principal.phone, "isVerified": principal.phone_verified}
                if principal.phone
                else {},
            }
            if principal.password_change_required:
                human["passwordChangeRequired"] = True
            document["human"] = human
        else:
            document["machine"] = {
                "name": principal.name,
                "description": principal.description,
                "hasSecret": principal.secret is not None,
                "accessTokenType": "ACCESS_TOKEN_TYPE_JWT"
                if principal.access_token_type == "jwt"
                else "ACCESS_TOKEN_TYPE_BEARER",
            }
        return document

    # ---- the calls ------------------------------------------------------------------

    def add_human_user(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """AddHumanUser: create a user from profile, email, optional password and metadata."""
        directory = self.state.directory
        profile, email = message(body, "profile"), message(body, "email")
        if not profile:
            raise PROFILE_EMPTY
        if not get(profile, "givenName"):
            raise GIVEN_NAME_EMPTY
        if not get(profile, "familyName"):
            raise FAMILY_NAME_EMPTY
        address = str(get(email, "email") or "")
        if not address:
            raise EMAIL_EMPTY
        if not _EMAIL.match(address):
            raise EMAIL_INVALID
        username = str(get(body, "username") or address)
        user_id = str(get(body, "userId") or "") or None
        org_id = self._org_id(message(body, "organization"))
        taken = directory.find_user_by_login_name(username) is not None
        taken = taken or directory.find_service_user_by_username(username) is not None
        if taken or (user_id and directory.find_principal(user_id)):
            raise USER_EXISTS
        password_obj = message(body, "password")
        phone_obj = message(body, "phone")
        gender = str(get(profile, "gender") or "GENDER_UNSPECIFIED")
        user = directory.create_user(
            address,
            password=str(get(password_obj, "password") or "") or None,
            username=username,
            user_id=user_id,
            org_id=org_id,
            metadata=self._metadata(repeated(body, "metadata")),
            given_name=str(get(profile, "givenName")),
            family_name=str(get(profile, "familyName")),
            nick_name=str(get(profile, "nickName") or ""),
            display_name=str(get(profile, "displayName") or ""),
            preferred_language=str(get(profile, "preferredLanguage") or "en"),
            gender={v: k for k, v in _GENDERS.items()}.get(gender, ""),
            email_verified=bool(get(email, "isVerified")),
            phone=str(get(phone_obj, "phone") or ""),
            phone_verified=bool(get(phone_obj, "isVerified")),
            password_change_required=bool(get(password_obj, "changeRequired")),
        )
        response: dict[str, Any] = {"userId": user.id, "details": self._details(user)}
        if get(email, "returnCode") is not None:
            response["emailCode"] = self.state.ids.choice_string("ABCDEFGHJKLMNPQRSTUVWXYZ", 6)
        if get(phone_obj, "returnCode") is not None:
            response["phoneCode"] = self.state.ids.choice_string("0123456789", 6)
        return response

    def _org_id(self, organization: dict[str, Any]) -> str:
        directory = self.state.directory
        org_id = str(get(organization, "orgId") or "")
        domain = get(organization, "orgDomain")
        if org_id:
            if org_id not in directory.organizations:
                raise ORG_NOT_FOUND
            return org_id
        if domain:
            for org in directory.organizations.values():
                if org.primary_domain == domain:
                    return org.id
            raise ORG_NOT_FOUND
        return directory.default_org_id

    @staticmethod
    def _metadata(entries: list[Any]) -> dict[str, str]:
        metadata: dict[str, str] = {}
        for entry in entries:
            if not isinstance(entry, dict) or not entry.get("key"):
                raise BAD_BODY
            raw = str(entry.get("value", ""))
            try:
                value = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_")
                metadata[str(entry["key"])] = value.decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise BAD_BODY from None
        return metadata

    # ---- metadata ---------------------------------------------------------------------

    def set_metadata(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """SetUserMetadata: set keys (values are protojson bytes, base64)."""
        principal = self._principal(param(req, body, "userId"))
        entries = get(body, "metadata")
        if not isinstance(entries, list) or not entries:
            raise METADATA_INVALID
        principal.metadata = {**principal.metadata, **self._metadata(entries)}
        self.state.directory.touch(principal)
        return {"setDate": timestamp(principal.changed_at)}

    def list_metadata(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """ListUserMetadata: every key with its value (base64) and dates."""
        principal = self._principal(param(req, body, "userId"))
        entries = [
            {
                "key": key,
                "value": base64.b64encode(value.encode()).decode(),
                "creationDate": timestamp(principal.created_at),
                "changeDate": timestamp(principal.changed_at),
            }
            for key, value in sorted(principal.metadata.items())
        ]
        pagination = {"totalResult": str(len(entries)), "appliedLimit": "100"}
        return {"pagination": pagination, "metadata": entries}

    def delete_metadata(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """DeleteUserMetadata: remove keys (all must exist)."""
        principal = self._principal(param(req, body, "userId"))
        keys = get(body, "keys")
        if req.method == "DELETE" and not keys:
            keys = req.query.get("keys", "").split(",") if req.query.get("keys") else []
        if not isinstance(keys, list) or not keys:
            raise METADATA_INVALID
        if any(str(key) not in principal.metadata for key in keys):
            raise METADATA_NOT_FOUND
        principal.metadata = {k: v for k, v in principal.metadata.items() if k not in keys}
        self.state.directory.touch(principal)
        return {"deletionDate": timestamp(principal.changed_at)}

    def get_user(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """GetUserByID."""
        principal = self._principal(param(req, body, "userId"))
        return {"details": self._details(principal), "user": self.user_document(principal)}

    def delete_user(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """DeleteUser: the user and its sessions' tokens stop working."""
        principal = self._principal(param(req, body, "userId"))
        directory = self.state.directory
        directory.remove_principal(principal.id)
        for session in self.state.store.sessions.values():
            if session.user_id == principal.id:
                session.active = False
        details = {**self._details(principal), "changeDate": timestamp(self.state.clock.now())}
        return {"details": details}

    def set_password(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """SetPassword: optionally checks the current password."""
        principal = self._principal(param(req, body, "userId"))
        if not isinstance(principal, User):
            raise NOT_HUMAN
        new = message(body, "newPassword")
        password = str(get(new, "password") or "")
        if not password:
            raise PASSWORD_EMPTY
        current = get(body, "currentPassword")
        if current is not None and current != principal.password:
            raise PASSWORD_INVALID
        principal.password = password
        principal.password_change_required = bool(get(new, "changeRequired"))
        self.state.directory.touch(principal)
        return {"details": self._details(principal)}

    def list_users(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """ListUsers with the common queries (ids, user name, email, login name, org, ...)."""
        directory = self.state.directory
        everyone: list[User | ServiceUser] = [*directory.users.values()]
        everyone += list(directory.service_users.values())
        queries = repeated(body, "queries")
        matched = [p for p in everyone if all(self._matches(p, q) for q in queries)]
        page = paged(matched, message(body, "query"))
        return {
            "details": list_details(len(matched), self.state.clock.now()),
            "result": [self.user_document(p) for p in page],
        }

    def _matches(self, principal: User | ServiceUser, query: Any) -> bool:
        if not isinstance(query, dict):
            raise BAD_BODY
        human = principal if isinstance(principal, User) else None
        org = self.state.directory.org_of(principal.org_id)
        text_queries: dict[str, tuple[str, str | None]] = {
            "userNameQuery": ("userName", principal.username),
            "emailQuery": ("emailAddress", human.email if human else None),
            "loginNameQuery": ("loginName", principal.username),
            "displayNameQuery": ("displayName", human.name if human else principal.name),
            "firstNameQuery": ("firstName", human.given_name if human else None),
            "lastNameQuery": ("lastName", human.family_name if human else None),
            "nickNameQuery": ("nickName", human.nick_name if human else None),
        }
        for name, (field, value) in text_queries.items():
            sub = get(query, name)
            if isinstance(sub, dict):
                wanted = str(get(sub, field) or "")
                method = str(get(sub, "method") or "TEXT_QUERY_METHOD_EQUALS")
                if name == "loginNameQuery":
                    candidates = [principal.username, f"{principal.username}@{org.primary_domain}"]
                    return any(_text_match(c, wanted, method) for c in candidates)
                return value is not None and _text_match(value, wanted, method)
        ids = message(query, "inUserIdsQuery")
        if ids:
            return principal.id in repeated(ids, "userIds")
        org_query = message(query, "organizationIdQuery")
        if org_query:
            return principal.org_id == str(get(org_query, "organizationId"))
        type_query = message(query, "typeQuery")
        if type_query:
            wanted_type = str(get(type_query, "type"))
            return (wanted_type == "TYPE_HUMAN") == (human is not None)
        state_query = message(query, "stateQuery")
        if state_query:
            wanted_state = str(get(state_query, "state"))
            return _STATES.get(getattr(principal, "state", "active")) == wanted_state
        emails = message(query, "inUserEmailsQuery")
        if emails:
            return human is not None and human.email in repeated(emails, "userEmails")
        and_query, or_query, not_query = (
            message(query, "andQuery"),
            message(query, "orQuery"),
            message(query, "notQuery"),
        )
        if and_query:
            return all(self._matches(principal, q) for q in repeated(and_query, "queries"))
        if or_query:
            return any(self._matches(principal, q) for q in repeated(or_query, "queries"))
        if not_query:
            return not self._matches(principal, get(not_query, "query") or {})
        return True


def _text_match(value: str, wanted: str, method: str) -> bool:
    if method.endswith("_IGNORE_CASE"):
        value, wanted = value.lower(), wanted.lower()
        method = method.removesuffix("_IGNORE_CASE")
    if method == "TEXT_QUERY_METHOD_STARTS_WITH":
        return value.startswith(wanted)
    if method == "TEXT_QUERY_METHOD_CONTAINS":
        return wanted in value
    if method == "TEXT_QUERY_METHOD_ENDS_WITH":
        return value.endswith(wanted)
    return value == wanted

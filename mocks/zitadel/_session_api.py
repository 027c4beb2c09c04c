"""Zitadel's session API v2 (``zitadel.session.v2.SessionService``, ``/v2/sessions``).

What a custom login UI uses to log a user in: create a session with checks (the user,
their password, a TOTP code), add checks later, read it, delete it. Every change
returns a new session token, which the OIDC API v2 takes to finish a login. Deleting a
session ends the logins made with it, and sends back-channel logout tokens.
"""

from __future__ import annotations

from typing import Any

from . import _errors as errors
from . import _totp as totp
from ._api import (
    Rpc,
    duration,
    get,
    invalid_argument,
    list_details,
    message,
    object_details,
    param,
    repeated,
    timestamp,
)
from ._errors import ZitadelError
from ._http import HttpRequest, HttpResult
from ._logout import Logout
from ._model import User
from ._sessions import Session
from ._state import State

SERVICE = "zitadel.session.v2.SessionService"
SESSION_NOT_FOUND = ZitadelError("not_found", "QUERY-SDf3g", "Errors.Session.NotExisting")
SESSION_TOKEN_INVALID = ZitadelError(
    "permission_denied", "COMMAND-sGr42", "Errors.Session.Token.Invalid"
)
USER_ID_MISSING = ZitadelError("failed_precondition", "COMMAND-Sfw3f", "Errors.User.UserIDMissing")
PASSWORD_INVALID = ZitadelError("invalid_argument", "COMMAND-3M0fs", "Errors.User.Password.Invalid")
PASSWORD_NOT_SET = ZitadelError(
    "failed_precondition", "COMMAND-s34ht", "Errors.User.Password.NotSet"
)
USER_LOCKED = ZitadelError("failed_precondition", "COMMAND-JLK35", "Errors.User.Locked")
OTP_NOT_READY = ZitadelError(
    "failed_precondition", "COMMAND-3Mif9s", "Errors.User.MFA.OTP.NotReady"
)
OTP_INVALID = ZitadelError("invalid_argument", "EVENT-8isk2", "Errors.User.MFA.OTP.InvalidCode")
LIFETIME_NEGATIVE = ZitadelError(
    "invalid_argument", "COMMAND-asEG4", "Errors.Session.PositiveLifetime"
)


class SessionApi:
    """CreateSession, SetSession, GetSession, DeleteSession, ListSessions."""

    def __init__(self, state: State, logout: Logout) -> None:
        self.state = state
        self.logout = logout

    def rpcs(self) -> list[Rpc]:
        """The SessionService methods and their REST routes."""
        one = "/v2/sessions/{session_id}"
        return [
            Rpc(SERVICE, "CreateSession", self.create_session, ("POST", "/v2/sessions")),
            Rpc(SERVICE, "SetSession", self.set_session, ("PATCH", one)),
            Rpc(SERVICE, "GetSession", self.get_session, ("GET", one)),
            Rpc(SERVICE, "DeleteSession", self.delete_session, ("DELETE", one)),
            Rpc(SERVICE, "ListSessions", self.list_sessions, ("POST", "/v2/sessions/search")),
        ]

    # ---- the calls ------------------------------------------------------------------

    def create_session(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """CreateSession: a new session, with the checks of the request applied first."""
        lifetime = self._lifetime(body)
        checks = message(body, "checks")
        session = Session(id="", token="", created_at=0.0, changed_at=0.0)
        self._apply_checks(session, checks)  # refuses before anything is stored
        created = self.state.sessions.create(lifetime=lifetime)
        for name in ("user_id", "user_checked_at", "password_checked_at", "totp_checked_at"):
            setattr(created, name, getattr(session, name))
        created.metadata = self._metadata(body)
        return {
            "details": self._details(created),
            "sessionId": created.id,
            "sessionToken": created.token,
        }

    def set_session(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """SetSession: more checks (a TOTP code after the password, say); a new token."""
        session = self._session(req, body)
        lifetime = self._lifetime(body)
        self._apply_checks(session, message(body, "checks"))
        session.metadata.update(self._metadata(body))
        if lifetime is not None:
            session.expires_at = self.state.clock.now() + lifetime
        self.state.sessions.touch(session)
        return {"details": self._details(session), "sessionToken": session.token}

    def get_session(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """GetSession: the session's factors, dates and metadata."""
        if req.method == "GET":
            body = {**body, "sessionToken": req.query.get("sessionToken", "")}
        return {"session": self.session_document(self._session(req, body))}

    def delete_session(self, req: HttpRequest, body: dict[str, Any]) -> HttpResult:
        """DeleteSession: the session ends, its logins' tokens die, apps are told."""
        session = self._session(req, body)
        outbound = self.logout.terminate(req.base_url, session)
        now = self.state.clock.now()
        owner = self.state.directory.default_org_id
        result = HttpResult.of_json({"details": object_details(session.sequence + 1, now, owner)})
        result.outbound = outbound
        return result

    def list_sessions(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """ListSessions, filtered by ids or user id queries."""
        found = list(self.state.sessions.sessions.values())
        for query in repeated(body, "queries"):
            if not isinstance(query, dict):
                raise invalid_argument("queries")
            ids = message(query, "idsQuery")
            if ids:
                wanted = [str(i) for i in repeated(ids, "ids")]
                found = [s for s in found if s.id in wanted]
            user = message(query, "userIdQuery")
            if user:
                found = [s for s in found if s.user_id == str(get(user, "id") or "")]
        return {
            "details": list_details(len(found), self.state.clock.now()),
            "sessions": [self.session_document(s) for s in found],
        }

    # ---- helpers --------------------------------------------------------------------

    def _session(self, req: HttpRequest, body: dict[str, Any]) -> Session:
        session = self.state.sessions.get(param(req, body, "sessionId"))
        if session is None:
            raise SESSION_NOT_FOUND
        token = get(body, "sessionToken")
        if token and token != session.token:
            raise SESSION_TOKEN_INVALID
        return session

    def _lifetime(self, body: dict[str, Any]) -> float | None:
        value = get(body, "lifetime")
        if value is None:
            return None
        seconds = duration(value, "lifetime")
        if seconds < 0:
            raise LIFETIME_NEGATIVE
        return seconds or None

    @staticmethod
    def _metadata(body: dict[str, Any]) -> dict[str, str]:
        metadata = get(body, "metadata") or {}
        if not isinstance(metadata, dict):
            raise invalid_argument("metadata")
        return {str(key): str(value) for key, value in metadata.items()}

    def _apply_checks(self, session: Session, checks: dict[str, Any]) -> None:
        """Run the user, password and TOTP checks on `session` (all or nothing)."""
        now = self.state.clock.now()
        user_check = message(checks, "user")
        user: User | None = None
        if user_check:
            user = self._checked_user(user_check)
            if session.user_id and session.user_id != user.id:
                raise ZitadelError("invalid_argument", "SESSION-kvdbd", "Errors.User.UserIDWrong")
        elif session.user_id:
            user = self.state.directory.find_user(session.user_id)
        password = message(checks, "password")
        totp_check = message(checks, "totp")
        if (password or totp_check) and user is None:
            raise USER_ID_MISSING
        if password and user is not None:
            if user.state == "locked":
                raise USER_LOCKED
            if user.password is None:
                raise PASSWORD_NOT_SET
            if str(get(password, "password") or "") != user.password:
                raise PASSWORD_INVALID
        if totp_check and user is not None:
            if not user.totp_secret:
                raise OTP_NOT_READY
            if not totp.verify(user.totp_secret, str(get(totp_check, "code") or ""), now):
                raise OTP_INVALID
        if user is not None and user_check:
            session.user_id, session.user_checked_at = user.id, now
        if password:
            session.password_checked_at = now
        if totp_check:
            session.totp_checked_at = now

    def _checked_user(self, check: dict[str, Any]) -> User:
        directory = self.state.directory
        user_id, login_name = get(check, "userId"), get(check, "loginName")
        if user_id:
            user = directory.find_user(str(user_id))
        elif login_name:
            user = directory.find_user_by_login_name(str(login_name))
        else:
            raise invalid_argument("checks.user")
        if user is None:
            raise errors.USER_NOT_FOUND
        return user

    def _details(self, session: Session) -> dict[str, Any]:
        owner = self.state.directory.default_org_id
        return object_details(session.sequence, session.changed_at, owner, session.created_at)

    def session_document(self, session: Session) -> dict[str, Any]:
        """A ``zitadel.session.v2.Session`` as protojson."""
        factors: dict[str, Any] = {}
        user = self.state.directory.find_user(session.user_id) if session.user_id else None
        if user is not None and session.user_checked_at is not None:
            factors["user"] = {
                "verifiedAt": timestamp(session.user_checked_at),
                "id": user.id,
                "loginName": user.username,
                "displayName": user.name,
                "organizationId": user.org_id,
            }
        if session.password_checked_at is not None:
            factors["password"] = {"verifiedAt": timestamp(session.password_checked_at)}
        if session.totp_checked_at is not None:
            factors["totp"] = {"verifiedAt": timestamp(session.totp_checked_at)}
        document: dict[str, Any] = {
            "id": session.id,
            "creationDate": timestamp(session.created_at),
            "changeDate": timestamp(session.changed_at),
            "sequence": str(session.sequence),
            "factors": factors,
        }
        if session.metadata:
            document["metadata"] = dict(session.metadata)
        if session.expires_at is not None:
            document["expirationDate"] = timestamp(session.expires_at)
        return document

"""Tokens: authorization codes, OIDC sessions, access/refresh/ID tokens and their store.

Zitadel keeps an "OIDC session" per login of a client; the session carries the access
token and, when ``offline_access`` was granted, one refresh token that is replaced on
every refresh (the previous one dies). Access tokens are opaque by default and JWTs for
applications (or service users) configured that way. Every expiry is checked against an
injectable `Clock`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from ..jose import Clock, JWTError, KeySet, check_claims, token_hash
from ..jose import encode_jwt as encode
from ..jose import parse_jwt as parse
from ._actions import Actions
from ._claims import SCOPE_OPENID, private_claims, user_info
from ._directory import Directory
from ._ids import IdGenerator
from ._model import AccessTokenType, Application, ServiceUser, User


@dataclass
class TokenResponse:
    """What the token endpoint returns; also handed out in advance by `reserve`.

    A reserved response has its `access_token` (and `refresh_token`) fixed before the
    login happens; the rest is filled in when the tokens are issued (`issued` turns True).
    """

    access_token: str
    token_type: str = "Bearer"
    expires_in: int = 0
    refresh_token: str | None = None
    id_token: str | None = None
    state: str | None = None
    issued: bool = False
    #: RFC 8693 responses: what `access_token` is, and the granted scope.
    issued_token_type: str | None = None
    scope: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body, without empty members (Zitadel marshals them with omitempty)."""
        document: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": self.token_type,
        }
        if self.refresh_token:
            document["refresh_token"] = self.refresh_token
        if self.expires_in:
            document["expires_in"] = self.expires_in
        if self.id_token:
            document["id_token"] = self.id_token
        if self.state:
            document["state"] = self.state
        if self.issued_token_type:
            document["issued_token_type"] = self.issued_token_type
        if self.scope is not None:
            document["scope"] = self.scope
        return document


@dataclass
class AuthorizationCode:
    """A single-use code, bound to its client, redirect URI and PKCE challenge."""

    code: str
    client_id: str
    redirect_uri: str
    user_id: str
    scopes: list[str]
    audience: list[str]
    nonce: str
    state: str
    auth_time: int
    amr: list[str]
    sid: str
    code_challenge: str
    code_challenge_method: str
    expires_at: float
    used: bool = False


@dataclass
class OIDCSession:
    """One login of one client: the grant behind an access token and its refresh token."""

    id: str
    user_id: str
    client_id: str
    project_id: str
    scopes: list[str]
    audience: list[str]
    auth_time: int
    amr: list[str]
    nonce: str
    sid: str
    access_token_type: AccessTokenType
    #: The id of the only refresh token that still works (None: no refresh token).
    refresh_token_id: str | None = None
    refresh_expires_at: float = 0.0
    refresh_idle_expires_at: float = 0.0
    active: bool = True
    #: RFC 8693 ``act``: who acts for the user (token exchange with an actor).
    actor: dict[str, Any] | None = None


@dataclass
class AccessToken:
    """An issued access token, opaque or JWT; `id` is the JWT's `jti`."""

    token: str
    id: str
    session_id: str
    subject: str
    client_id: str
    scopes: list[str]
    audience: list[str]
    issued_at: int
    expires_at: int
    kind: AccessTokenType
    revoked: bool = False
    #: A personal access token of a (machine) user: no session, no client, long-lived.
    pat: bool = False
    #: The actor of an exchanged token (RFC 8693 ``act``), when another user acts.
    actor: dict[str, Any] | None = None


#: The scopes Zitadel gives a personal access token.
PAT_SCOPES = [
    "openid",
    "profile",
    "urn:zitadel:iam:user:metadata",
    "urn:zitadel:iam:user:resourceowner",
]


@dataclass
class RefreshToken:
    """An issued refresh token; it works while it is its session's current one."""

    token: str
    id: str
    session_id: str
    client_id: str


@dataclass
class IssueRequest:
    """Everything needed to issue tokens for one grant."""

    principal: User | ServiceUser
    client_id: str
    scopes: list[str]
    audience: list[str]
    project_id: str = ""
    app: Application | None = None
    auth_time: int | None = None
    amr: list[str] = field(default_factory=list)
    nonce: str = ""
    sid: str = ""
    state: str = ""
    refresh: bool = False
    access_token_type: AccessTokenType = "opaque"
    actor: dict[str, Any] | None = None


Failure = Literal["unknown", "expired", "revoked", "invalid"]


class TokenStore:
    """Codes, sessions and tokens, with the lookups that check single use and expiry."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.codes: dict[str, AuthorizationCode] = {}
        self.sessions: dict[str, OIDCSession] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.access_by_id: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}

    def clear(self) -> None:
        """Forget every code, session and token."""
        for table in (
            self.codes,
            self.sessions,
            self.access_tokens,
            self.access_by_id,
            self.refresh_tokens,
        ):
            table.clear()

    def add_code(self, code: AuthorizationCode) -> None:
        """Store a new authorization code."""
        self.codes[code.code] = code

    def find_code(self, code: str) -> AuthorizationCode | None:
        """The code if it exists, whether used or expired (the caller decides)."""
        return self.codes.get(code)

    def add_access_token(self, token: AccessToken) -> None:
        """Store an issued access token under its string and its id."""
        self.access_tokens[token.token] = token
        self.access_by_id[token.id] = token

    def active_access_token(self, token: AccessToken) -> Failure | None:
        """None when the token is usable, else why not."""
        session = self.sessions.get(token.session_id)
        if token.revoked or (session is not None and not session.active):
            return "revoked"
        if token.expires_at <= self.clock.now():
            return "expired"
        return None

    def refresh_session(self, token: str) -> tuple[OIDCSession | None, RefreshToken | None]:
        """The session whose current refresh token this is (None, None if it is not)."""
        record = self.refresh_tokens.get(token)
        if record is None:
            return None, None
        session = self.sessions.get(record.session_id)
        if session is None or not session.active or session.refresh_token_id != record.id:
            return None, record
        now = self.clock.now()
        if session.refresh_expires_at <= now or session.refresh_idle_expires_at <= now:
            return None, record
        return session, record

    def expire(self, token: str) -> bool:
        """Make a code, access token or refresh token expired now; False if unknown."""
        now = self.clock.now()
        if token in self.codes:
            self.codes[token].expires_at = now - 1
            return True
        if token in self.access_tokens:
            self.access_tokens[token].expires_at = int(now) - 1
            return True
        record = self.refresh_tokens.get(token)
        if record and record.session_id in self.sessions:
            session = self.sessions[record.session_id]
            session.refresh_expires_at = now - 1
            return True
        return False

    def revoke(self, token: str) -> bool:
        """Revoke an access token, or a refresh token with its session; False if unknown."""
        if token in self.access_tokens:
            self.access_tokens[token].revoked = True
            return True
        record = self.refresh_tokens.get(token)
        if record and record.session_id in self.sessions:
            session = self.sessions[record.session_id]
            if session.refresh_token_id == record.id:
                session.refresh_token_id = None
                for access in self.access_by_id.values():
                    if access.session_id == session.id:
                        access.revoked = True
            return True
        return False


def pkce_s256(verifier: str) -> str:
    """The S256 code challenge of a PKCE verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class TokenIssuer:
    """Mints tokens: sessions, opaque or JWT access tokens, refresh tokens and ID tokens.

    Example::

        issuer = TokenIssuer(directory, keys, store, ids, clock)
        response = issuer.issue("http://127.0.0.1:8080", IssueRequest(
            principal=alice, client_id=app.client_id, app=app, project_id=app.project_id,
            scopes=["openid", "offline_access"], audience=[app.project_id, app.client_id],
            refresh=True))
    """

    def __init__(
        self,
        directory: Directory,
        keys: KeySet,
        store: TokenStore,
        ids: IdGenerator,
        clock: Clock,
        actions: Actions | None = None,
    ) -> None:
        self.directory = directory
        #: The "complement token" actions run when tokens are minted.
        self.actions = actions or Actions()
        self.keys = keys
        self.store = store
        self.ids = ids
        self.clock = clock
        #: Responses promised in advance, by user id (see `reserve`).
        self.reservations: dict[str, list[TokenResponse]] = {}

    def reserve(self, user_id: str, *, refresh: bool = True) -> TokenResponse:
        """Fix the tokens the next login of this user gets, so a test can compare them."""
        response = TokenResponse(
            access_token=self.ids.token(48),
            refresh_token=self.ids.token(48) if refresh else None,
        )
        self.reservations.setdefault(user_id, []).append(response)
        return response

    def personal_access_token(
        self, principal: User | ServiceUser, expires_at: float | None
    ) -> AccessToken:
        """A new personal access token for `principal` (Zitadel's default: until 9999)."""
        now = self.clock.timestamp()
        record = AccessToken(
            token=self.ids.token(48),
            id=self.ids.next_id(),
            session_id="",
            subject=principal.id,
            client_id="",
            scopes=list(PAT_SCOPES),
            audience=[self.directory.zitadel_project_id],
            issued_at=now,
            expires_at=int(expires_at) if expires_at is not None else 253402300799,
            kind="opaque",
            pat=True,
        )
        self.store.add_access_token(record)
        return record

    def _take_reservation(self, user_id: str) -> TokenResponse | None:
        waiting = self.reservations.get(user_id)
        return waiting.pop(0) if waiting else None

    # ---- issuing --------------------------------------------------------------------

    def issue(
        self, issuer: str, request: IssueRequest, *, use_reservation: bool = False
    ) -> TokenResponse:
        """Create a session and its tokens for `request`."""
        now = self.clock.timestamp()
        session = OIDCSession(
            id=f"V2_{self.ids.next_id()}",
            user_id=request.principal.id,
            client_id=request.client_id,
            project_id=request.project_id,
            scopes=list(request.scopes),
            audience=list(request.audience),
            auth_time=request.auth_time if request.auth_time is not None else now,
            amr=list(request.amr),
            nonce=request.nonce,
            sid=request.sid,
            access_token_type=request.access_token_type,
            actor=request.actor,
        )
        self.store.sessions[session.id] = session
        reserved = self._take_reservation(session.user_id) if use_reservation else None
        refresh_token = None
        if request.refresh:
            wanted = reserved.refresh_token if reserved else None
            refresh_token = self._new_refresh_token(session, wanted)
        response = self._respond(issuer, session, request.app, reserved, include_nonce=True)
        response.refresh_token = refresh_token
        response.state = request.state or None
        response.issued = True
        return response

    def id_token_only(self, issuer: str, request: IssueRequest) -> tuple[str, int]:
        """An ID token alone (token exchange's ``id_token`` type), and its lifetime."""
        response = self.issue(issuer, request)
        record = self.store.access_tokens.pop(response.access_token)
        self.store.access_by_id.pop(record.id, None)
        session = self.store.sessions[record.session_id]
        principal = request.principal
        skew = int(request.app.clock_skew.total_seconds()) if request.app else 0
        token = self._id_token(issuer, session, principal, request.app, "", False, skew)
        return token, int(self.directory.lifetimes.id_token.total_seconds())

    def refresh(
        self, issuer: str, session: OIDCSession, app: Application | None, scopes: list[str]
    ) -> TokenResponse:
        """Rotate the session's refresh token and issue a new access (and ID) token."""
        if scopes:
            session.scopes = list(scopes)
        refresh_token = self._new_refresh_token(session, None, renew=True)
        response = self._respond(issuer, session, app, None, include_nonce=False)
        response.refresh_token = refresh_token
        response.issued = True
        return response

    def _new_refresh_token(
        self, session: OIDCSession, token: str | None, *, renew: bool = False
    ) -> str:
        lifetimes = self.directory.lifetimes
        now = self.clock.now()
        token_id = f"rt_{self.ids.next_id()}"
        value = token or self.ids.token(48)
        session.refresh_token_id = token_id
        if not renew:
            session.refresh_expires_at = now + lifetimes.refresh_token.total_seconds()
        session.refresh_idle_expires_at = now + lifetimes.refresh_token_idle.total_seconds()
        self.store.refresh_tokens[value] = RefreshToken(
            token=value, id=token_id, session_id=session.id, client_id=session.client_id
        )
        return value

    def _respond(
        self,
        issuer: str,
        session: OIDCSession,
        app: Application | None,
        reserved: TokenResponse | None,
        *,
        include_nonce: bool,
    ) -> TokenResponse:
        principal = self.directory.find_principal(session.user_id)
        if principal is None:
            raise LookupError(f"no user {session.user_id}")
        lifetime = int(self.directory.lifetimes.access_token.total_seconds())
        skew = int(app.clock_skew.total_seconds()) if app else 0
        now = self.clock.timestamp()
        token_id = f"{session.id}-at_{self.ids.next_id()}"
        record = AccessToken(
            token="",
            id=token_id,
            session_id=session.id,
            subject=principal.id,
            client_id=session.client_id,
            scopes=list(session.scopes),
            audience=list(session.audience),
            issued_at=now,
            expires_at=now + lifetime,
            kind=session.access_token_type,
            actor=session.actor,
        )
        if session.access_token_type == "jwt":
            record.token = self._jwt_access_token(issuer, record, principal, session, app, skew)
        else:
            record.token = reserved.access_token if reserved else self.ids.token(48)
        self.store.add_access_token(record)
        response = reserved or TokenResponse(access_token=record.token)
        response.access_token = record.token
        response.expires_in = lifetime
        if SCOPE_OPENID in session.scopes:
            response.id_token = self._id_token(
                issuer, session, principal, app, record.token, include_nonce, skew
            )
        return response

    def _jwt_access_token(
        self,
        issuer: str,
        record: AccessToken,
        principal: User | ServiceUser,
        session: OIDCSession,
        app: Application | None,
        skew: int,
    ) -> str:
        project = self.directory.projects.get(session.project_id)
        claims = user_info(
            self.directory,
            principal,
            session.scopes,
            session.project_id,
            project_role_assertion=bool(project and project.project_role_assertion),
            userinfo_assertion=False,
            role_assertion=bool(app and app.access_token_role_assertion),
        )
        document: dict[str, Any] = {
            "iss": issuer,
            "sub": principal.id,
            "aud": record.audience,
            "exp": record.expires_at + skew,
            "iat": record.issued_at - skew,
            "nbf": record.issued_at - skew,
            "jti": record.id,
            "client_id": record.client_id,
        }
        if session.actor:
            document["act"] = session.actor
        document.update(private_claims(claims))
        self.actions.complement(
            "pre_access_token_creation",
            document,
            user=principal,
            org=self.directory.org_of(principal.org_id),
            client_id=session.client_id,
            scopes=session.scopes,
        )
        key = self.keys.current
        return encode(document, key.private_key, key.kid)

    def _id_token(
        self,
        issuer: str,
        session: OIDCSession,
        principal: User | ServiceUser,
        app: Application | None,
        access_token: str,
        include_nonce: bool,
        skew: int,
    ) -> str:
        project = self.directory.projects.get(session.project_id)
        info = user_info(
            self.directory,
            principal,
            session.scopes,
            session.project_id,
            project_role_assertion=bool(project and project.project_role_assertion),
            userinfo_assertion=bool(app and app.id_token_userinfo_assertion),
            role_assertion=bool(app and app.id_token_role_assertion),
        )
        now = self.clock.timestamp()
        lifetime = int(self.directory.lifetimes.id_token.total_seconds())
        claims: dict[str, Any] = {
            "iss": issuer,
            "sub": principal.id,
            "aud": session.audience,
            "exp": now + lifetime + skew,
            "iat": now - skew,
            "auth_time": session.auth_time - skew,
        }
        if include_nonce and session.nonce:
            claims["nonce"] = session.nonce
        if session.amr:
            claims["amr"] = session.amr
        claims["azp"] = session.client_id
        claims["client_id"] = session.client_id
        if access_token:
            claims["at_hash"] = token_hash(access_token)
        if session.actor:
            claims["act"] = session.actor
        if session.sid:
            claims["sid"] = session.sid
        for name, value in info.items():
            claims.setdefault(name, value)
        self.actions.complement(
            "pre_userinfo_creation",
            claims,
            user=principal,
            org=self.directory.org_of(principal.org_id),
            client_id=session.client_id,
            scopes=session.scopes,
        )
        key = self.keys.current
        return encode(claims, key.private_key, key.kid)

    # ---- verifying ------------------------------------------------------------------

    def verify_access_token(
        self, token: str, *, issuer: str
    ) -> tuple[AccessToken | None, Failure | None]:
        """The access token record if `token` is usable, else (record or None, why not).

        Only tokens this provider issued count, exactly as issued. A JWT is checked as
        Zitadel checks it before use: signed by a published key, issued by `issuer`, not
        expired. A JWT the provider never issued (one from `sign_jwt`, or an issued one
        with changed claims) is unknown, whatever key signed it.
        """
        record = self.store.access_tokens.get(token)
        if record is None:
            return None, "unknown"
        if record.kind == "jwt" and not self._jwt_valid(token, issuer):
            return record, "invalid"
        failure = self.store.active_access_token(record)
        return (record, None) if failure is None else (record, failure)

    def _jwt_valid(self, token: str, issuer: str) -> bool:
        """A JWT found by its exact string is one this provider signed: it is still valid
        while its key is published and its ``iss`` and ``exp`` say so (no need to check
        the signature again: any change to the token would not have found it)."""
        try:
            jwt = parse(token)
            if self.keys.find(str(jwt.header.get("kid", ""))) is None:
                return False
            check_claims(jwt.claims, now=self.clock.now(), issuer=issuer)
        except JWTError:
            return False
        return True

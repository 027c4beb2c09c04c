"""OAuth 2.0 Token Exchange (RFC 8693) as Zitadel allows it.

Off until the instance enables the ``oidc_token_exchange`` feature, and only for
applications whose grant types include the exchange grant. A subject token (an access
token, an ID token, a JWT signed with one of the application's keys, or Zitadel's
``user_id`` type) is exchanged for an access token, a JWT or an ID token. Without an
actor the new token is the subject's own, with a narrower audience or scope. With an
actor (delegation), or with a subject given by user id or JWT (impersonation), the
security policy must allow impersonation and the actor must be an impersonator; the
new token then names the actor in its ``act`` claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..jose import JWTError, audience, check_claims, parse_jwt
from ._claims import SCOPE_OFFLINE_ACCESS, SCOPE_OPENID, allowed_scopes
from ._errors import OAuthError, ZitadelError
from ._http import HttpRequest
from ._model import GRANT_REFRESH_TOKEN, Application, ServiceUser, User
from ._state import State
from ._tokens import IssueRequest, TokenResponse

GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
REFRESH_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:refresh_token"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
USER_ID_TYPE = "urn:zitadel:params:oauth:token-type:user_id"
_TOKEN_TYPES = (ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_TYPE, USER_ID_TYPE)
#: Scopes that say what a token may do; they must come from the subject or actor token.
_AUTHORIZATION_SCOPE_PREFIXES = (
    "urn:zitadel:iam:org:project:role:",
    "urn:zitadel:iam:org:project:id:",
    "urn:zitadel:iam:org:id:",
    "urn:zitadel:iam:org:domain:primary:",
    "urn:zitadel:iam:org:roles:id:",
    "urn:zitadel:iam:org:idp:id:",
)

FEATURE_DISABLED = ZitadelError(
    "failed_precondition", "OIDC-oan4I", "Errors.TokenExchange.FeatureDisabled"
)
POLICY_DISABLED = ZitadelError(
    "permission_denied", "OIDC-Fae5w", "Errors.TokenExchange.Impersonation.PolicyDisabled"
)
NOT_IMPERSONATOR = ZitadelError("permission_denied", "AUTHZ-HKJD33", "Errors.PermissionDenied")
TYPE_NOT_SUPPORTED = ZitadelError(
    "invalid_argument", "OIDC-oda4R", "Errors.TokenExchange.Token.TypeNotSupported"
)


class _Invalid(Exception):
    """A subject or actor token that does not verify."""


@dataclass
class _Token:
    """What an exchange needs to know of a subject or actor token."""

    user_id: str
    audience: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    amr: list[str] = field(default_factory=list)
    auth_time: int | None = None
    actor: dict[str, Any] | None = None


class TokenExchange:
    """The token endpoint's exchange grant."""

    def __init__(self, state: State) -> None:
        self.state = state

    def exchange(self, req: HttpRequest, app: Application) -> TokenResponse:
        """Exchange the request's subject (and actor) token; raises OAuthError."""
        form = req.form
        self._validate(form)
        if not self.state.directory.features.token_exchange:
            raise FEATURE_DISABLED.oauth()
        if form.get("resource"):
            raise OAuthError("invalid_target", "resource parameter not supported")
        subject = self._verify(req, app, "subject", form["subject_token_type"], _TOKEN_TYPES)
        actor = subject
        impersonating = form["subject_token_type"] in (USER_ID_TYPE, JWT_TYPE)
        if impersonating or form.get("actor_token"):
            if not self.state.directory.security.impersonation:
                raise POLICY_DISABLED.oauth()
            actor_types = (ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE, REFRESH_TOKEN_TYPE)
            actor = self._verify(req, app, "actor", form.get("actor_token_type", ""), actor_types)
            if actor.user_id not in self.state.directory.impersonators:
                raise NOT_IMPERSONATOR.oauth()
        requested_audience = form.get("audience", "").split()
        token_audience = self._audience(requested_audience, subject, actor)
        scopes = self._scopes(form.get("scope", "").split(), subject, actor, actor is not subject)
        act = actor.actor
        if actor is not subject:
            act = {"iss": req.base_url, "sub": actor.user_id}
            if actor.actor:
                act["act"] = actor.actor
        return self._issue(req, app, subject, actor, token_audience, scopes, act)

    # ---- validation -----------------------------------------------------------------

    @staticmethod
    def _validate(form: dict[str, str]) -> None:
        if not form.get("subject_token"):
            raise OAuthError("invalid_request", "subject_token missing")
        if not form.get("subject_token_type"):
            raise OAuthError("invalid_request", "subject_token_type missing")
        if form["subject_token_type"] not in _TOKEN_TYPES:
            raise OAuthError("invalid_request", "subject_token_type is not supported")
        if form.get("actor_token") and form.get("actor_token_type") not in _TOKEN_TYPES:
            raise OAuthError("invalid_request", "actor_token_type is not supported")
        requested = form.get("requested_token_type", "")
        if requested and requested not in _TOKEN_TYPES:
            raise OAuthError("invalid_request", "requested_token_type is not supported")

    def _verify(
        self, req: HttpRequest, app: Application, role: str, kind: str, allowed: tuple[str, ...]
    ) -> _Token:
        token = req.form.get(f"{role}_token", "")
        try:
            if not token or not kind or kind not in allowed:
                raise _Invalid
            return self._read(req, app, token, kind)
        except _Invalid:
            raise OAuthError("invalid_request", f"{role}_token invalid") from None

    def _read(self, req: HttpRequest, app: Application, token: str, kind: str) -> _Token:
        directory = self.state.directory
        if kind == ACCESS_TOKEN_TYPE:
            record, failure = self.state.tokens.verify_access_token(token, issuer=req.base_url)
            if record is None or failure is not None:
                raise _Invalid
            if not record.pat and not {app.client_id, app.project_id} & set(record.audience):
                raise _Invalid
            session = self.state.store.sessions.get(record.session_id)
            return _Token(
                record.subject,
                list(record.audience),
                list(record.scopes),
                list(session.amr) if session else [],
                session.auth_time if session else None,
                record.actor,
            )
        if kind == ID_TOKEN_TYPE:
            claims = self._signed_claims(token, req.base_url)
            if directory.find_principal(str(claims.get("sub", ""))) is None:
                raise _Invalid
            amr = claims.get("amr")
            auth_time = claims.get("auth_time")
            return _Token(
                str(claims["sub"]),
                audience(claims),
                amr=[str(a) for a in amr] if isinstance(amr, list) else [],
                auth_time=auth_time if isinstance(auth_time, int) else None,
                actor=claims.get("act") if isinstance(claims.get("act"), dict) else None,
            )
        if kind == JWT_TYPE:
            return self._assertion(req, app, token)
        if kind == USER_ID_TYPE:
            if directory.find_principal(token) is None:
                raise _Invalid
            return _Token(token)
        raise TYPE_NOT_SUPPORTED.oauth()

    def _signed_claims(self, token: str, issuer: str) -> dict[str, Any]:
        """Claims of a JWT this provider signed for `issuer` (expired ID tokens count)."""
        try:
            jwt = parse_jwt(token)
            key = self.state.keys.find(str(jwt.header.get("kid", "")))
            if key is None:
                raise _Invalid
            jwt.verify(key.public_key)
        except JWTError:
            raise _Invalid from None
        if jwt.claims.get("iss") != issuer:
            raise _Invalid
        return jwt.claims

    def _assertion(self, req: HttpRequest, app: Application, token: str) -> _Token:
        """A JWT signed with one of the application's keys, whose ``sub`` is a user."""
        try:
            jwt = parse_jwt(token)
            key = self.state.directory.public_key(app.client_id, str(jwt.header.get("kid", "")))
            if key is None:
                raise _Invalid
            jwt.verify(key)
            check_claims(jwt.claims, now=self.state.clock.now(), audience_contains=req.base_url)
        except JWTError:
            raise _Invalid from None
        subject = str(jwt.claims.get("sub", ""))
        if self.state.directory.find_principal(subject) is None:
            raise _Invalid
        return _Token(subject)

    @staticmethod
    def _audience(requested: list[str], subject: _Token, actor: _Token) -> list[str]:
        if not requested:
            return subject.audience or actor.audience
        allowed = subject.audience + actor.audience
        for wanted in requested:
            if wanted not in allowed:
                raise OAuthError(
                    "invalid_target", f'audience "{wanted}" not found in subject or actor token'
                )
        return requested

    @staticmethod
    def _scopes(requested: list[str], subject: _Token, actor: _Token, acting: bool) -> list[str]:
        known = subject.scopes + actor.scopes
        if acting and not subject.scopes:
            requested = requested or actor.scopes
            checked = [s for s in requested if _authorization_scope(s)]
        else:
            requested = requested or subject.scopes or actor.scopes
            checked = requested
        for scope in checked:
            if scope not in known:
                raise OAuthError(
                    "invalid_scope", f'scope "{scope}" not found in subject or actor token'
                )
        return allowed_scopes(requested)

    # ---- issuing ----------------------------------------------------------------------

    def _issue(
        self,
        req: HttpRequest,
        app: Application,
        subject: _Token,
        actor: _Token,
        token_audience: list[str],
        scopes: list[str],
        act: dict[str, Any] | None,
    ) -> TokenResponse:
        principal = self.state.directory.find_principal(subject.user_id)
        assert principal is not None
        requested = req.form.get("requested_token_type", "") or ACCESS_TOKEN_TYPE
        if requested in (REFRESH_TOKEN_TYPE, USER_ID_TYPE):
            raise TYPE_NOT_SUPPORTED.oauth()
        request = self._request(app, principal, actor, token_audience, scopes, act)
        if requested == ID_TOKEN_TYPE:
            request.scopes = [s for s in scopes if s != SCOPE_OFFLINE_ACCESS]
            id_token, lifetime = self.state.tokens.id_token_only(req.base_url, request)
            response = TokenResponse(
                access_token=id_token, token_type="N_A", expires_in=lifetime, issued=True
            )
        else:
            request.access_token_type = "jwt" if requested == JWT_TYPE else app.access_token_type
            request.refresh = (
                SCOPE_OFFLINE_ACCESS in scopes and GRANT_REFRESH_TOKEN in app.grant_types
            )
            response = self.state.tokens.issue(req.base_url, request)
            if SCOPE_OPENID not in scopes:
                response.id_token = None
        response.issued_token_type = requested
        response.scope = " ".join(scopes)
        return response

    @staticmethod
    def _request(
        app: Application,
        principal: User | ServiceUser,
        actor: _Token,
        token_audience: list[str],
        scopes: list[str],
        act: dict[str, Any] | None,
    ) -> IssueRequest:
        return IssueRequest(
            principal=principal,
            client_id=app.client_id,
            app=app,
            project_id=app.project_id,
            scopes=scopes,
            audience=token_audience or [app.project_id, app.client_id],
            auth_time=actor.auth_time,
            amr=actor.amr,
            actor=act,
        )


def _authorization_scope(scope: str) -> bool:
    return scope in (
        SCOPE_OFFLINE_ACCESS,
        "urn:zitadel:iam:org:projects:roles",
    ) or scope.startswith(_AUTHORIZATION_SCOPE_PREFIXES)

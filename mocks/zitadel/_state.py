"""The state one provider instance shares between its endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..jose import Clock, KeySet
from ._actions import Actions
from ._device import DeviceFlow
from ._directory import Directory
from ._ids import IdGenerator
from ._sessions import Session, SessionStore
from ._tokens import TokenIssuer, TokenStore

#: The cookie that identifies a browser ("user agent"): its login requests and session.
USER_AGENT_COOKIE = "zitadel.useragent"


@dataclass
class AuthRequest:
    """An authorization request waiting for its user to log in (or a device approval)."""

    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    audience: list[str]
    response_type: str
    response_mode: str
    state: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    prompt: list[str]
    max_age: int | None
    login_hint: str
    #: The organization the login is restricted to by an org scope.
    org_id: str | None
    created_at: float
    #: The user chosen on the login name page.
    user_id: str = ""
    #: Set when this login approves a device (the user code it belongs to).
    device_user_code: str = ""
    #: Set once the user has authenticated; the session of the login.
    session_id: str = ""
    #: The browser (user-agent id) the login runs in: only it may answer the pages.
    agent_id: str = ""
    #: The session whose first factor passed while a second factor is still asked for.
    pending_session_id: str = ""
    #: Whether a custom login UI finishes this request (OIDC API v2, ids start "V2_").
    login_v2: bool = False


@dataclass
class State:
    """Everything one provider holds."""

    ids: IdGenerator
    clock: Clock
    directory: Directory
    keys: KeySet
    store: TokenStore
    tokens: TokenIssuer
    device: DeviceFlow
    sessions: SessionStore
    auth_requests: dict[str, AuthRequest] = field(default_factory=dict)
    #: Skip the login pages: log in the `login_hint` user, else this user id.
    auto_login: bool = False
    auto_login_user_id: str | None = None

    @classmethod
    def create(cls, seed: int | str = 0, clock: Clock | None = None) -> State:
        """A provider state with a fresh directory and signing key."""
        ids = IdGenerator(seed)
        clock = clock or Clock()
        directory = Directory(ids, clock)
        keys = KeySet(
            ids, clock, public_key_lifetime=directory.lifetimes.public_key.total_seconds()
        )
        store = TokenStore(clock)
        return cls(
            ids=ids,
            clock=clock,
            directory=directory,
            keys=keys,
            store=store,
            tokens=TokenIssuer(directory, keys, store, ids, clock, Actions()),
            device=DeviceFlow(ids, clock),
            sessions=SessionStore(ids, clock),
        )

    def browser_session(self, cookies: dict[str, str]) -> Session | None:
        """The session of a request's browser, if its user still exists and is active."""
        session = self.sessions.of_agent(cookies.get(USER_AGENT_COOKIE, ""))
        if session is None or not session.authenticated:
            return None
        user = self.directory.find_user(session.user_id)
        if user is None or user.state != "active":
            return None
        return session

"""The state one provider instance shares between its endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..jose import Clock, KeySet
from ._device import DeviceFlow
from ._directory import Directory
from ._ids import IdGenerator
from ._tokens import TokenIssuer, TokenStore

#: The cookie that identifies a browser ("user agent") to the login.
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
    #: Set once the user has authenticated; the browser session of the login.
    session_id: str = ""


@dataclass
class BrowserSession:
    """A logged-in browser: who, since when, and how (``amr``)."""

    id: str
    user_id: str
    auth_time: int
    amr: list[str] = field(default_factory=lambda: ["pwd"])


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
    auth_requests: dict[str, AuthRequest] = field(default_factory=dict)
    #: Browser sessions by their cookie value.
    browser_sessions: dict[str, BrowserSession] = field(default_factory=dict)
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
            tokens=TokenIssuer(directory, keys, store, ids, clock),
            device=DeviceFlow(ids, clock),
        )

    def browser_session(self, cookies: dict[str, str]) -> BrowserSession | None:
        """The browser session of a request's cookie, if its user still exists and is active."""
        session = self.browser_sessions.get(cookies.get(USER_AGENT_COOKIE, ""))
        if session is None:
            return None
        user = self.directory.find_user(session.user_id)
        if user is None or user.state != "active":
            return None
        return session

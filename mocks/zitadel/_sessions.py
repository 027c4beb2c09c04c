"""Sessions as Zitadel keeps them: a user, the checks passed and when, and a session token.

One model serves the hosted login (the browser's session, found through its user-agent
cookie) and the session API v2 (``/v2/sessions``), as in Zitadel, where the login of
a browser and a custom login UI both build the same sessions. A session's factors say
which checks succeeded and when; `amr` and `auth_time` of tokens come from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..jose import Clock
from ._directory import Directory
from ._ids import IdGenerator
from ._model import User

#: What a login still asks for after the first factor: nothing, the user's TOTP code, or
#: registering a TOTP app first (the organization forces MFA and the user has none).
SecondFactor = Literal["", "verify", "setup"]


@dataclass
class Session:
    """One session: its user and the time of each check that succeeded."""

    id: str
    #: The secret a session API caller proves it owns the session with.
    token: str
    created_at: float
    changed_at: float
    user_id: str = ""
    user_checked_at: float | None = None
    password_checked_at: float | None = None
    totp_checked_at: float | None = None
    expires_at: float | None = None
    sequence: int = 1
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def amr(self) -> list[str]:
        """Authentication methods as OIDC ``amr`` values: pwd, otp, and mfa for two factors."""
        methods = []
        if self.password_checked_at is not None:
            methods.append("pwd")
        if self.totp_checked_at is not None:
            methods.append("otp")
        if len(methods) > 1:
            methods.append("mfa")
        return methods

    @property
    def auth_time(self) -> int:
        """When the last check succeeded (the ``auth_time`` claim)."""
        times = [
            t
            for t in (self.user_checked_at, self.password_checked_at, self.totp_checked_at)
            if t is not None
        ]
        return int(max(times, default=self.created_at))

    @property
    def authenticated(self) -> bool:
        """A user was checked and at least one factor proved it is them."""
        return bool(self.user_id) and (
            self.password_checked_at is not None or self.totp_checked_at is not None
        )


class SessionStore:
    """Every session, and the one each browser (user agent) is logged in with."""

    def __init__(self, ids: IdGenerator, clock: Clock) -> None:
        self.ids = ids
        self.clock = clock
        self.sessions: dict[str, Session] = {}
        #: The session of each user agent (browser), by user-agent id.
        self.by_agent: dict[str, str] = {}

    def clear(self) -> None:
        """Forget every session."""
        self.sessions.clear()
        self.by_agent.clear()

    def create(self, *, lifetime: float | None = None) -> Session:
        """A new session without checks."""
        now = self.clock.now()
        session = Session(
            id=self.ids.next_id(),
            token=self.ids.token(32),
            created_at=now,
            changed_at=now,
            expires_at=now + lifetime if lifetime else None,
        )
        self.sessions[session.id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        """The session if it exists and has not expired."""
        session = self.sessions.get(session_id)
        if session is None:
            return None
        if session.expires_at is not None and session.expires_at <= self.clock.now():
            return None
        return session

    def touch(self, session: Session) -> None:
        """Record a change (new checks, say): change date, sequence and a new token."""
        session.changed_at = self.clock.now()
        session.sequence += 1
        session.token = self.ids.token(32)

    def of_agent(self, agent_id: str) -> Session | None:
        """The session a browser is logged in with."""
        session_id = self.by_agent.get(agent_id)
        return self.get(session_id) if session_id else None

    def bind(self, agent_id: str, session: Session) -> None:
        """Log a browser in with `session`."""
        self.by_agent[agent_id] = session.id

    def delete(self, session_id: str) -> Session | None:
        """Terminate a session (and log out the browsers using it); the removed session."""
        session = self.sessions.pop(session_id, None)
        for agent, bound in list(self.by_agent.items()):
            if bound == session_id:
                del self.by_agent[agent]
        return session


def second_factor(directory: Directory, user: User, session: Session) -> SecondFactor:
    """The second factor `user` still owes on `session` before a login may finish.

    Zitadel asks for a registered TOTP on every login, and makes a user without one
    register one when the organization's login policy forces MFA.
    """
    if session.totp_checked_at is not None:
        return ""
    if user.totp_secret:
        return "verify"
    if directory.org_of(user.org_id).force_mfa:
        return "setup"
    return ""

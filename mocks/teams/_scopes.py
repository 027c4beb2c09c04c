"""The bots of named mock scopes.

Test workers sharing one MockTeams each run a bot of their own, whose Microsoft App ID
names the worker's scope (see `MockTeams.scope_key`). A worker registers its bot's
messaging endpoint in its scope (``PUT /__admin/teams/bot`` with ``X-Mock-Scope``); the
channel then posts that scope's simulated activities there, addressed and signed to that
app. The default scope keeps the mock's own bot (`MockTeams.bot_url`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import MockState
from ._directory import Account


@dataclass(frozen=True)
class ScopedBot:
    """The bot the channel posts to in one scope: its app id (the channel token's
    audience), its account (the activities' recipient) and its messaging endpoint."""

    app_id: str
    account: Account
    url: str | None


class ScopeBots:
    """Messaging endpoints by scope name, each forgotten with its scope (a full reset, or
    the oldest scope dropped when there are too many); a scope's own reset keeps it.

    Example::

        bots = ScopeBots(mock.state)
        bots.register("app-a", "http://127.0.0.1:3979/api/messages")  # makes scope app-a
        bots.url("app-a")   # the URL; None for a scope that registered none
    """

    def __init__(self, state: MockState) -> None:
        self._state = state
        self._urls: dict[str, str] = {}

    def register(self, scope: str, url: str) -> None:
        """Post scope `scope`'s activities to `url` (the scope is made if it is new)."""
        self._state.scope(scope)
        self._urls = {name: u for name, u in self._urls.items() if self._exists(name)}
        self._urls[scope] = url

    def url(self, scope: str) -> str | None:
        """The endpoint registered in `scope`, None when there is none (or the scope is gone)."""
        return self._urls.get(scope) if self._exists(scope) else None

    def clear(self) -> None:
        """Forget every scope's endpoint."""
        self._urls = {}

    def _exists(self, scope: str) -> bool:
        return self._state.existing_scope(scope) == scope

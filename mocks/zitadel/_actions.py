"""Zitadel's Actions hook point "complement token": custom claims added at issue time.

Zitadel runs actions of the "Complement Token" flow on two triggers: *pre userinfo
creation* (the ID token's user claims, the userinfo endpoint, introspection) and *pre
access token creation* (JWT access tokens). An action sets claims with
``api.v1.claims.setClaim(key, value)``; a claim that already exists is kept, and keys
under ``urn:zitadel:iam`` are reserved. Here an action is a Python callable or a JSON
rule (static claims, optionally only for one client or user).

Example::

    zitadel.add_action("tenant", lambda ctx: {"tenant": ctx.org.name})
    zitadel.add_action("api-tier", claims={"tier": "gold"}, trigger="pre_access_token_creation")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._model import ActionRule, ActionTrigger, Organization, ServiceUser, User

#: Claim keys actions may not set (Zitadel logs and ignores them).
RESERVED_PREFIX = "urn:zitadel:iam"


@dataclass(frozen=True)
class ActionContext:
    """What an action sees: the user, their organization, the client and the scopes."""

    user: User | ServiceUser
    org: Organization
    client_id: str
    scopes: tuple[str, ...]
    trigger: ActionTrigger


ActionFunction = Callable[[ActionContext], Mapping[str, Any] | None]


@dataclass
class Action:
    """A registered action: its name, trigger and what it adds."""

    name: str
    trigger: ActionTrigger
    function: ActionFunction

    @classmethod
    def from_rule(cls, rule: ActionRule) -> Action:
        """An action that adds the rule's claims when its filters match."""

        def add(context: ActionContext) -> Mapping[str, Any] | None:
            if rule.client_id is not None and rule.client_id != context.client_id:
                return None
            if rule.user_id is not None and rule.user_id != context.user.id:
                return None
            return rule.claims

        return cls(rule.name, rule.trigger, add)


class Actions:
    """The registered actions, run in the order they were added."""

    def __init__(self) -> None:
        self.actions: list[Action] = []

    def add(self, action: Action) -> None:
        """Register `action`; one of the same name is replaced."""
        self.remove(action.name)
        self.actions.append(action)

    def remove(self, name: str) -> bool:
        """Forget the action called `name`; False if there is none."""
        kept = [action for action in self.actions if action.name != name]
        removed = len(kept) != len(self.actions)
        self.actions = kept
        return removed

    def complement(
        self,
        trigger: ActionTrigger,
        claims: dict[str, Any],
        *,
        user: User | ServiceUser,
        org: Organization,
        client_id: str,
        scopes: Iterable[str],
    ) -> None:
        """Add the claims of every action on `trigger` to `claims` (existing ones stay)."""
        context = ActionContext(user, org, client_id, tuple(scopes), trigger)
        for action in self.actions:
            if action.trigger != trigger:
                continue
            for key, value in (action.function(context) or {}).items():
                if key.startswith(RESERVED_PREFIX):
                    continue
                claims.setdefault(key, value)

"""Values derived from one request body, computed once however often they are asked for.

A generation request is read several times on its way: each expectation's matchers
normalize it into a `Prompt`, validation counts its tokens against the context window,
the rate limiter estimates its size, the answer reports it in ``usage``. They all ask
`memo` with the same parsed body object (``RecordedRequest.json`` is parsed once), so
each derivation runs once per request. The memo keeps the last body it was asked about
and compares by identity, holding the body so that its identity cannot be reused while
it is remembered. It is one slot for the process, not one per thread (a thread-local
cost a tenth of each lookup): two mocks answering at once on their own threads may
take the slot from each other, and then one of them computes a value again, never
reads the other's.

>>> body = {"messages": []}
>>> calls = []
>>> memo(body, "size", lambda: calls.append(1) or 3), memo(body, "size", lambda: 0)
(3, 3)
>>> len(calls)
1
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, TypeVarTuple, cast

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

_MISSING = object()
#: ``(body, {key: value})``: the last body asked about and what was derived from it.
_slot: tuple[object, dict[str, Any]] = (object(), {})


def memo(body: object, key: str, compute: Callable[[*Ts], T], *args: *Ts) -> T:
    """``compute(*args)`` for ``body`` and ``key``, remembered for the last body
    (arguments rather than a closure: no function object is made on every lookup)."""
    global _slot
    slot = _slot  # one read: another thread may replace the slot meanwhile
    if slot[0] is not body:
        slot = _slot = (body, {})
    values = slot[1]
    value = values.get(key, _MISSING)  # not try/except: each request's misses would raise
    if value is _MISSING:
        value = values[key] = compute(*args)
    return cast(T, value)

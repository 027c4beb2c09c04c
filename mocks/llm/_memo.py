"""Values derived from one request body, computed once however often they are asked for.

A generation request is read several times on its way: each expectation's matchers
normalize it into a `Prompt`, validation counts its tokens against the context window,
the rate limiter estimates its size, the answer reports it in ``usage``. They all ask
`memo` with the same parsed body object (``RecordedRequest.json`` is parsed once), so
each derivation runs once per request. The memo keeps the last body of each thread
(every mock answers on its own loop thread) and compares by identity, holding the body
so that its identity cannot be reused while it is remembered.

>>> body = {"messages": []}
>>> calls = []
>>> memo(body, "size", lambda: calls.append(1) or 3), memo(body, "size", lambda: 0)
(3, 3)
>>> len(calls)
1
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, TypeVarTuple

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

_local = threading.local()


def memo(body: object, key: str, compute: Callable[[*Ts], T], *args: *Ts) -> T:
    """``compute(*args)`` for ``body`` and ``key``, remembered for the thread's last body
    (arguments rather than a closure: no function object is made on every lookup)."""
    slot: tuple[object, dict[str, Any]] | None = getattr(_local, "slot", None)
    if slot is None or slot[0] is not body:
        slot = (body, {})
        _local.slot = slot
    values = slot[1]
    try:
        value: T = values[key]
    except KeyError:
        value = values[key] = compute(*args)
    return value

"""`BuiltReply`: an answer an API built whole, its finishing headers already in it."""

from __future__ import annotations

from dataclasses import dataclass

from mocks.core import Reply


@dataclass(slots=True)
class BuiltReply(Reply):
    """An answer an API built with every header its answers carry (rate limits, request
    id...): the API's ``finish`` hands it on as it is, without a copy to add them."""


__all__ = ["BuiltReply"]

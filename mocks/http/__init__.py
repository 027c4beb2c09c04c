"""MockHTTP: the generic programmable HTTP mock."""

from ._mock import MockHTTP

__all__ = ["MockHTTP"]

"""Post hooks for `RequestHandler.with_post_hook`: change a response after it is made."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from werkzeug import Request, Response

PostHook = Callable[[Request, Response], Response]


class Chain:
    """Several hooks, one after another."""

    def __init__(self, *hooks: PostHook) -> None:
        self._hooks = hooks

    def __call__(self, request: Request, response: Response) -> Response:
        for hook in self._hooks:
            response = hook(request, response)
        return response


class Delay:
    """Wait `seconds` before the response goes out."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def _sleep(self) -> None:
        time.sleep(self._seconds)

    def __call__(self, _request: Request, response: Response) -> Response:
        self._sleep()
        return response


class Garbage:
    """Put random bytes before and after the body."""

    def __init__(self, prefix_size: int = 0, suffix_size: int = 0) -> None:
        if prefix_size < 0:
            raise AssertionError("prefix_size should be positive integer")
        if suffix_size < 0:
            raise AssertionError("suffix_size should be positive integer")
        self._prefix_size = prefix_size
        self._suffix_size = suffix_size

    def _get_garbage_bytes(self, size: int) -> bytes:
        return os.urandom(size)

    def __call__(self, _request: Request, response: Response) -> Response:
        prefix = self._get_garbage_bytes(self._prefix_size)
        suffix = self._get_garbage_bytes(self._suffix_size)
        response.set_data(prefix + response.get_data() + suffix)
        return response


__all__ = ["Chain", "Delay", "Garbage"]

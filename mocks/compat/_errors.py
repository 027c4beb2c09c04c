"""The exceptions pytest-httpserver's API raises."""

from __future__ import annotations


class Error(Exception):
    """Base of the errors this API raises."""


class NoHandlerError(Error):
    """A handler matched but no response was programmed for it."""


class HTTPServerError(Error):
    """The server cannot do what was asked (start twice, stop when stopped, TLS)."""


class NoMethodFoundForMatchingHeaderValueError(Error):
    """A header value matcher has no comparison for a header name."""


__all__ = ["Error", "HTTPServerError", "NoHandlerError", "NoMethodFoundForMatchingHeaderValueError"]

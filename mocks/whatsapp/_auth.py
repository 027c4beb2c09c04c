"""The access token every Graph call must carry (``Authorization: Bearer …``).

Graph calls also accept the token as an ``access_token`` query parameter. A missing or
foreign token is answered with code 190 and HTTP 401, which pywa raises as
``ExpiredAccessToken``.

>>> check_access_token("Bearer EAAG", None, expected="EAAG")
>>> check_access_token("Bearer nope", None, expected="EAAG")
Traceback (most recent call last):
...
mocks.whatsapp._errors.GraphError: Invalid OAuth access token - Cannot parse access token
"""

from __future__ import annotations

import hmac

from ._errors import invalid_token, missing_token


def presented_token(authorization: str | None, query_token: str | None) -> str | None:
    """The token a request presents: the bearer header first, else the query parameter."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return ""
    return query_token


def check_access_token(
    authorization: str | None, query_token: str | None, *, expected: str, also: str | None = None
) -> None:
    """Raise the 190 error unless the request presents `expected` (or `also`, an app
    access token where one is accepted)."""
    token = presented_token(authorization, query_token)
    if token is None:
        raise missing_token()
    accepted = [expected] if also is None else [expected, also]
    if not any(hmac.compare_digest(token.encode(), good.encode()) for good in accepted):
        raise invalid_token()

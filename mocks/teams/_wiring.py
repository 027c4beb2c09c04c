"""Pointing a botbuilder bot in another process at a standalone MockTeams.

``python -m mocks`` (the stack) prints the variables a bot needs; a bot started with
them builds its adapter in one line::

    adapter = CloudAdapter(mocks.teams.bot_framework_authentication())

botbuilder is optional: it is imported only when this is called.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def bot_framework_authentication(environ: Mapping[str, str] | None = None) -> Any:
    """A stock ``ConfigurationBotFrameworkAuthentication`` for the mock `environ` names
    (default ``os.environ``): ``MicrosoftAppId``, ``MicrosoftAppPassword``,
    ``TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL``, ``TO_BOT_FROM_CHANNEL_TOKEN_ISSUER``,
    ``TO_CHANNEL_FROM_BOT_LOGIN_URL`` and ``TO_CHANNEL_FROM_BOT_OAUTH_SCOPE``."""
    from ._botbuilder import authentication_from_environment

    return authentication_from_environment(os.environ if environ is None else environ)

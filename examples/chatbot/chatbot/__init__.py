"""An example chatbot: a web chat behind Zitadel login, WhatsApp and Teams channels, an
LLM that streams and calls tools, and conversations in PostgreSQL.

It is configured only by environment variables (`Settings.from_env`); ``python -m
chatbot`` serves it, `create_app` builds it for an existing event loop. The channels'
libraries (openai, botbuilder) are imported with `create_app`, so a configuration error
is reported before they load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import ConfigError, Settings

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["ConfigError", "Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'chatbot' has no attribute {name!r}")

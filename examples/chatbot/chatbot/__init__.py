"""An example chatbot: a web chat behind Zitadel login, WhatsApp and Teams channels, an
LLM that streams and calls tools, and conversations in PostgreSQL.

It is configured only by environment variables (`Settings.from_env`); ``python -m
chatbot`` serves it, `create_app` builds it for an existing event loop.
"""

from .app import create_app
from .config import ConfigError, Settings

__all__ = ["ConfigError", "Settings", "create_app"]

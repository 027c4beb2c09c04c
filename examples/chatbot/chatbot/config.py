"""The bot's settings, read from environment variables only.

The variable names are the ones ``python -m mocks`` prints (and the real services'
usual names): point them at OpenAI, Meta, Microsoft and Zitadel in production, or at
the mocks in a test. Besides them the bot reads ``DATABASE_URL`` (PostgreSQL) and
``ZITADEL_CLIENT_ID`` (the bot's own OIDC application, which the identity provider
hands out when the application is registered).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(ValueError):
    """Required variables are missing; the message names every one of them."""


@dataclass(frozen=True)
class LLMSettings:
    """The OpenAI-compatible API the answers come from."""

    base_url: str
    api_key: str
    model: str = "gpt-4o-mini"


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp Business Cloud API (Graph) and the webhook's secrets."""

    api_url: str
    api_version: str
    access_token: str
    phone_number_id: str
    app_secret: str
    verify_token: str

    @property
    def messages_url(self) -> str:
        """Where sends go: ``{api}/{version}/{phone_number_id}/messages``."""
        return f"{self.api_url.rstrip('/')}/{self.api_version}/{self.phone_number_id}/messages"


@dataclass(frozen=True)
class TeamsSettings:
    """The Bot Framework identity of the bot and the channel's endpoints.

    Attribute names are the ones botbuilder's ``ConfigurationBotFrameworkAuthentication``
    reads from its configuration object.
    """

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str


@dataclass(frozen=True)
class ZitadelSettings:
    """The OpenID Connect provider the web chat logs users in with."""

    issuer: str
    client_id: str


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs; build it with `Settings.from_env`."""

    llm: LLMSettings
    whatsapp: WhatsAppSettings
    teams: TeamsSettings
    zitadel: ZitadelSettings
    database_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read every setting from `environ` (``os.environ`` in production).

        Raises `ConfigError` naming all the variables that are missing.
        """
        reader = _Reader(environ)
        settings = cls(
            llm=LLMSettings(reader("OPENAI_BASE_URL"), reader("OPENAI_API_KEY")),
            whatsapp=WhatsAppSettings(
                api_url=reader("WHATSAPP_API_URL"),
                api_version=reader("WHATSAPP_API_VERSION"),
                access_token=reader("WHATSAPP_ACCESS_TOKEN"),
                phone_number_id=reader("WHATSAPP_PHONE_NUMBER_ID"),
                app_secret=reader("WHATSAPP_APP_SECRET"),
                verify_token=reader("WHATSAPP_VERIFY_TOKEN"),
            ),
            teams=TeamsSettings(
                APP_ID=reader("MicrosoftAppId"),
                APP_PASSWORD=reader("MicrosoftAppPassword"),
                APP_TENANTID=reader("MicrosoftAppTenantId"),
                APP_TYPE=reader("MicrosoftAppType"),
                TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=reader(
                    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"
                ),
                TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=reader("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"),
                TO_CHANNEL_FROM_BOT_LOGIN_URL=reader("TO_CHANNEL_FROM_BOT_LOGIN_URL"),
                TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=reader("TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"),
            ),
            zitadel=ZitadelSettings(reader("ZITADEL_ISSUER"), reader("ZITADEL_CLIENT_ID")),
            database_url=reader("DATABASE_URL"),
        )
        if reader.missing:
            raise ConfigError("missing environment variables: " + ", ".join(reader.missing))
        return settings


class _Reader:
    """Reads variables, remembering the missing ones so they are reported together."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.missing: list[str] = []

    def __call__(self, name: str) -> str:
        value = self.environ.get(name, "").strip()
        if not value:
            self.missing.append(name)
        return value

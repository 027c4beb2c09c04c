"""The options a MockWhatsApp is started with, and the environment a bot reads them from.

Every option is also an attribute of the mock and a flag of ``python -m mocks.whatsapp``
(``webhook_url`` -> ``--webhook-url``).

>>> env = environment("http://127.0.0.1:8080", WhatsAppOptions())
>>> env["WHATSAPP_API_URL"], env["WHATSAPP_PHONE_NUMBER_ID"]
('http://127.0.0.1:8080', '106540352242922')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

#: The Graph API version the mock names in URLs it hands out (any version is served).
GRAPH_VERSION = "v23.0"


@dataclass(frozen=True, slots=True)
class WhatsAppOptions:
    """The business the mock plays, and where it sends webhooks."""

    #: The bot's webhook URL (None: no webhooks are sent until one is set).
    webhook_url: str | None = None
    #: Signs every webhook (``X-Hub-Signature-256``).
    app_secret: str = "mock-app-secret"
    #: What the GET handshake presents as ``hub.verify_token``.
    verify_token: str = "mock-verify-token"
    #: The bearer token every Graph call must carry.
    access_token: str = "mock-access-token"
    #: The sending number's id (webhooks' ``metadata.phone_number_id``).
    phone_number_id: str = "106540352242922"
    #: The WhatsApp Business Account id (webhooks' ``entry[].id``).
    waba_id: str = "102290129340398"
    #: The sending number as displayed.
    display_phone_number: str = "+1 555-010-0001"
    #: The Meta app's id (its app access token is ``<app_id>|<app_secret>``).
    app_id: str = "1234567890123456"

    @classmethod
    def names(cls) -> list[str]:
        """The option names, in declaration order."""
        return [option.name for option in fields(cls)]

    def as_dict(self) -> dict[str, str | None]:
        """The options by name."""
        return asdict(self)


def environment(url: str, options: WhatsAppOptions) -> dict[str, str]:
    """The variables a bot under test reads to reach the mock as its WhatsApp.

    ``WHATSAPP_API_URL`` is the Graph API root (append ``/v23.0/...``);
    ``WHATSAPP_BASE_URL`` and ``WHATSAPP_WEBHOOK_VERIFY_TOKEN`` are the names
    whatsapp-sdk's ``WhatsAppClient.from_env()`` reads.
    """
    return {
        "WHATSAPP_API_URL": url,
        "WHATSAPP_BASE_URL": url,
        "WHATSAPP_API_VERSION": GRAPH_VERSION,
        "WHATSAPP_ACCESS_TOKEN": options.access_token,
        "WHATSAPP_PHONE_NUMBER_ID": options.phone_number_id,
        "WHATSAPP_WABA_ID": options.waba_id,
        "WHATSAPP_APP_SECRET": options.app_secret,
        "WHATSAPP_VERIFY_TOKEN": options.verify_token,
        "WHATSAPP_WEBHOOK_VERIFY_TOKEN": options.verify_token,
        "WHATSAPP_DISPLAY_PHONE_NUMBER": options.display_phone_number,
        "WHATSAPP_APP_ID": options.app_id,
    }

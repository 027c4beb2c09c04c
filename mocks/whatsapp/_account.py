"""The business account as the Graph API shows it: the sending number, the account
(WABA), its public profile and its message templates.

These are the reads a bot makes at start-up (``GET /{phone-number-id}``,
``…/whatsapp_business_profile``) and the template endpoints of the account
(``GET/POST/DELETE /{waba-id}/message_templates``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._errors import GraphError, unknown_object
from ._templates import TemplateRegistry
from ._webhooks import Account

Json = dict[str, Any]

#: The template every WhatsApp Business Account starts with.
HELLO_WORLD: list[Json] = [
    {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
    {"type": "BODY", "text": "Hello from the mock WhatsApp Business account."},
    {"type": "FOOTER", "text": "Sample template"},
]


@dataclass(slots=True)
class BusinessProfile:
    """The public profile of the sending number."""

    about: str = "Answers automatically, around the clock."
    address: str = "1 Hacker Way, Menlo Park, CA 94025"
    description: str = "A simulated WhatsApp business for tests."
    email: str = "support@example.com"
    vertical: str = "OTHER"
    websites: list[str] = field(default_factory=lambda: ["https://example.com"])

    def to_json(self) -> Json:
        """One ``data`` item of ``GET /{phone-number-id}/whatsapp_business_profile``."""
        return {
            "about": self.about,
            "address": self.address,
            "description": self.description,
            "email": self.email,
            "profile_picture_url": "https://example.com/profile.png",
            "websites": list(self.websites),
            "vertical": self.vertical,
            "messaging_product": "whatsapp",
        }


class BusinessAccount:
    """The account's Graph objects: the number, the account, the profile, the templates."""

    def __init__(self, account: Account, templates: TemplateRegistry) -> None:
        self.account = account
        self.templates = templates
        self.profile = BusinessProfile()

    def register_defaults(self) -> None:
        """What a fresh account has: the ``hello_world`` template."""
        self.templates.register("hello_world", "en_US", HELLO_WORLD)

    def phone_number(self) -> Json:
        """``GET /{phone-number-id}``: the sending number as a bot reads it at start-up."""
        return {
            "verified_name": self.account.verified_name,
            "code_verification_status": "VERIFIED",
            "display_phone_number": self.account.display_phone_number,
            "quality_rating": "GREEN",
            "platform_type": "CLOUD_API",
            "throughput": {"level": "STANDARD"},
            "status": "CONNECTED",
            "name_status": "APPROVED",
            "whatsapp_business_account": {"id": self.account.waba_id},
            "id": self.account.phone_number_id,
        }

    def business_account(self) -> Json:
        """``GET /{waba-id}``: the business account."""
        return {
            "id": self.account.waba_id,
            "name": self.account.verified_name,
            "currency": "USD",
            "timezone_id": "1",
            "message_template_namespace": f"mock_{self.account.waba_id}",
        }

    def lookup(self, object_id: str) -> Json:
        """``GET /{id}`` for any id the mock knows; the unknown-object error otherwise."""
        if object_id == self.account.phone_number_id:
            return self.phone_number()
        if object_id == self.account.waba_id:
            return self.business_account()
        for template in self.templates.list():
            if template.id == object_id:
                return template.to_json()
        raise unknown_object(object_id)

    def list_templates(
        self, *, name: str | None = None, language: str | None = None, status: str | None = None
    ) -> Json:
        """``GET /{waba-id}/message_templates``: one page with every matching template."""
        found = self.templates.list(name=name, language=language, status=status)
        total = len(self.templates.list())
        return {
            "data": [template.to_json() for template in found],
            "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}},
            "summary": {
                "total_count": total,
                "message_template_count": total,
                "message_template_limit": 250,
                "are_translations_complete": True,
            },
        }

    def create_template(self, body: Json) -> Json:
        """``POST /{waba-id}/message_templates``: registered and approved at once."""
        template = self.templates.register(
            str(body["name"]),
            str(body["language"]),
            list(body.get("components") or []),
            category=str(body["category"]),
            parameter_format=body.get("parameter_format"),
        )
        return {"id": template.id, "status": template.status, "category": template.category}

    def delete_template(self, name: str) -> Json:
        """``DELETE /{waba-id}/message_templates?name=…``."""
        if not self.templates.delete(name):
            raise GraphError(
                100,
                f'(#100) Message template "{name}" does not exist.',
                details=f"No template named {name}.",
                title="Invalid parameter",
                param="name",
            )
        return {"success": True}

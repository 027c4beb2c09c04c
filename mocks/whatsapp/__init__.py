"""MockWhatsApp: the WhatsApp Business Cloud API, with signed webhooks into the bot under test.

The domain modules (``_cloud``, ``_webhooks``, ``_templates``, ``_rules``, ...) hold
WhatsApp's behaviour without any server code; ``_mock`` serves them over HTTP (Graph
routes in ``_graph``, admin routes in ``_admin``).

Example::

    from mocks.whatsapp import MockWhatsApp

    with MockWhatsApp.start(webhook_url="http://127.0.0.1:5000/webhook") as mock:
        chat = mock.conversation("15551234567")
        chat.user_says("hi")
        chat.assert_response_contains("Welcome")
"""

from ._expectations import MessageExpectation, TemplateExpectation
from ._mock import MockWhatsApp

__all__ = ["MessageExpectation", "MockWhatsApp", "TemplateExpectation"]

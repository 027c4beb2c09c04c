"""MockWhatsApp: the WhatsApp Business Cloud API, with signed webhooks into the bot under test.

The domain modules (``_cloud``, ``_webhooks``, ``_templates``, ``_rules``, ...) hold
WhatsApp's behaviour without any server code; the mock class serves them over HTTP.
"""

"""``python -m mocks.whatsapp --port 8080 --webhook-url URL``: serve MockWhatsApp.

Takes the flags every mock takes (see ``--help``) plus ``--webhook-url``,
``--app-secret``, ``--verify-token``, ``--access-token``, ``--phone-number-id``,
``--waba-id`` and ``--display-phone-number``. Drive it over ``/__admin/whatsapp/...``.
"""

from __future__ import annotations

import sys

from ..core.cli import main
from ._mock import MockWhatsApp

if __name__ == "__main__":
    sys.exit(main(MockWhatsApp))

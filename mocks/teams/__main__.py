"""``python -m mocks.teams --port 8080 --bot-url http://127.0.0.1:3978/api/messages``.

Takes the flags every mock takes (see ``--help``) plus ``--bot-url``, ``--app-id``,
``--app-password``, ``--tenant-id`` and ``--bot-name``. Drive the channel side over
``/__admin/teams/...`` (``simulate/message``, ``transcript``, ``settings``, ...).
"""

from __future__ import annotations

import sys

from ..core.cli import main
from ._mock import MockTeams

if __name__ == "__main__":
    sys.exit(main(MockTeams))

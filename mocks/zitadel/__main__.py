"""``python -m mocks.zitadel --port 8080 [--config zitadel.yaml]``: serve MockZitadel.

Takes the flags every mock takes (see ``--help``) plus ``--config FILE`` (repeatable): a
JSON or YAML stub configuration (organization, project and roles, applications, users,
service users, token lifetimes) applied at start and kept over resets; ``--auto-login``
to skip the login pages (the ``login_hint`` user logs in); ``--issuer URL`` when clients
reach the mock under another address than the one it listens on.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from ..core.cli import main
from ._mock import MockZitadel, load_config
from ._model import StubConfig


def run(argv: Sequence[str] | None = None) -> int:
    """Parse MockZitadel's own flags, hand the rest to the shared command line."""
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--config", action="append", default=[])
    own.add_argument("--auto-login", action="store_true")
    own.add_argument("--issuer", default=None)
    known, rest = own.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    configs: list[StubConfig] = []
    for path in known.config:
        try:
            configs.append(load_config(path))
        except (OSError, ValueError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            print(f"python -m mocks.zitadel: error: --config {path}: {first}", file=sys.stderr)
            return 2
    return main(MockZitadel, rest, config=configs, auto_login=known.auto_login, issuer=known.issuer)


if __name__ == "__main__":
    sys.exit(run())

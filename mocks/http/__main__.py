"""``python -m mocks.http``: the generic HTTP mock as a standalone server."""

import sys

from ..core.cli import main
from ._mock import MockHTTP

sys.exit(main(MockHTTP))

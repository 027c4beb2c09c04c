"""``python -m mocks.contracts check [PATH ...]``."""

import sys

from ._check import main

sys.exit(main())

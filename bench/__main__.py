"""``python -m bench``: run the benchmark suite, print the table, write the JSON."""

from .suite import main

raise SystemExit(main())

"""Copy the working tree's files (tracked and untracked, not ignored) to a new folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

listed = subprocess.run(
    ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    capture_output=True,
    check=True,
).stdout
target = Path(sys.argv[1])
for name in filter(None, listed.decode().split("\0")):
    source = Path(name)
    if source.is_file():  # a file deleted but not staged is listed too
        (target / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / source)
print(f"copied the tree to {target}")

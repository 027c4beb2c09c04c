"""The command-line reference: each command's own ``--help``, captured when the docs build.

A page asks for a command's help with ``<!-- help: mocks.llm -->`` (the words after
``python -m``), and for every available mock's with ``<!-- help: each mock -->``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from mocks.core import available_mocks

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!-- help: (?P<command>[a-z0-9_. ]+?) -->")
EACH_MOCK = "each mock"
#: The width argparse wraps the help to (it reads $COLUMNS).
WIDTH = 88


#: Runs each command given as an argument as ``python -m`` would, with ``--help``, in one
#: interpreter (importing the mocks once), printing `SEPARATOR` after each help.
_RUNNER = """
import contextlib, io, runpy, sys
for command in sys.argv[1:]:
    module, *words = command.split()
    sys.argv = [module, *words, "--help"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except SystemExit as exit:
            if exit.code not in (0, None):
                raise
    print(out.getvalue().rstrip())
    print(%r)
"""
SEPARATOR = "\x00-- end of help --"


def help_texts(commands: list[str]) -> dict[str, str]:
    """The output of ``python -m <command> --help`` for each command, run from the repository."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "COLUMNS": str(WIDTH), "PYTHONPATH": path}
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER % SEPARATOR, *commands],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"--help of {commands} failed: {result.stderr.strip()}")
    texts = result.stdout.split(SEPARATOR + "\n")
    return dict(zip(commands, (text.rstrip() for text in texts), strict=False))


def _block(command: str, text: str, heading: str = "") -> str:
    head = f"{heading} `python -m {command}`\n\n" if heading else ""
    return f"{head}```text\n{text}\n```\n"


def expand(markdown: str) -> str:
    """Replace every help marker of a page with the help it names."""
    mocks = [f"mocks.{name}" for name in available_mocks()]
    wanted = [m.group("command").strip() for m in MARKER.finditer(markdown)]
    commands = [c for w in wanted for c in (mocks if w == EACH_MOCK else [w])]
    if not commands:
        return markdown
    texts = help_texts(list(dict.fromkeys(commands)))

    def replace(match: re.Match[str]) -> str:
        command = match.group("command").strip()
        if command == EACH_MOCK:
            return "\n".join(_block(m, texts[m], "##") for m in mocks)
        return _block(command, texts[command])

    return MARKER.sub(replace, markdown)

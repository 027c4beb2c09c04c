"""Runs pytest-httpserver's own test suite against `mocks.compat`.

At test time (nothing fetched is committed): ``pip download`` the sdist of
pytest-httpserver ``VERSION`` into a temporary folder, unpack its ``tests/``, and put a
generated ``pytest_httpserver`` package first on the path whose modules re-export
``mocks.compat`` (so the suite's own imports of ``HTTPServer``, ``RequestMatcher``, ...
get the compat classes, not the real ones). The suite then runs in a subprocess with
``-p mocks.compat -p no:pytest_httpserver``; the outcome of every test comes back from
its JUnit XML report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

VERSION = "1.2.1"
REPO = Path(__file__).resolve().parents[2]

#: The generated stand-in for each module of pytest-httpserver the suite imports.
SHIM = {
    "__init__.py": "from mocks.compat import *  # noqa: F403\nfrom mocks.compat import __all__\n",
    "httpserver.py": "from mocks.compat import *  # noqa: F403\n"
    "from mocks.compat._matching import UNDEFINED, query_matcher  # noqa: F401\n",
    "hooks.py": "from mocks.compat import Chain, Delay, Garbage  # noqa: F401\n",
    "pytest_plugin.py": "from mocks.compat._plugin import *  # noqa: F403\n",
}


def fetch(target: Path) -> Path:
    """Download and unpack the sdist; returns its ``tests`` folder."""
    subprocess.run(
        [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--no-binary", ":all:", "--dest", str(target), f"pytest-httpserver=={VERSION}",
        ],
        check=True,
        timeout=300,
    )  # fmt: skip
    archive = next(target.glob("pytest_httpserver-*.tar.gz"))
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if "/tests/" in m.name]
        tar.extractall(target, members=members, filter="data")
    return next(target.glob("pytest_httpserver-*/tests"))


def write_shim(target: Path) -> Path:
    """The generated ``pytest_httpserver`` package; returns the folder to put on the path."""
    package = target / "shim" / "pytest_httpserver"
    package.mkdir(parents=True)
    for name, text in SHIM.items():
        (package / name).write_text(text)
    return package.parent


def run(tests: Path, shim: Path, report: Path) -> subprocess.CompletedProcess[str]:
    """Run the suite against the compat plugin; JUnit XML goes to `report`."""
    path = os.pathsep.join([str(shim), str(REPO)])
    environment = {**os.environ, "PYTHONPATH": path}
    environment.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", str(tests), "-p", "mocks.compat",
            "-p", "no:pytest_httpserver", "-p", "no:cacheprovider", "-p", "no:xdist",
            "-q", "--timeout", "60", "--continue-on-collection-errors",
            f"--junitxml={report}", "--rootdir", str(tests.parent),
        ],
        cwd=tests.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip


def outcomes(report: Path) -> dict[str, str]:
    """Test id (``file::name``) -> passed, failed, error or skipped."""
    found: dict[str, str] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        classname = case.get("classname") or ""
        if classname:
            module = classname.partition("tests.")[2].replace(".", "/")
            name = f"{module}.py::{case.get('name')}"
        else:  # a file that could not be collected
            name = (case.get("name") or "").partition("tests.")[2].replace(".", "/") + ".py"
        result = "passed"
        for child in case:
            if child.tag == "skipped" and child.get("type") == "pytest.xfail":
                result = "xfailed"
            elif child.tag in ("failure", "error", "skipped"):
                result = {"failure": "failed"}.get(child.tag, child.tag)
        found[name] = result
    return found


__all__ = ["VERSION", "fetch", "outcomes", "run", "write_shim"]

"""The public API is what `mocks.__all__` lists: complete and sorted."""

from __future__ import annotations

import json
import subprocess
import sys

import mocks
import mocks.core


def test_all_is_sorted_and_complete() -> None:
    for module in (mocks, mocks.core):
        public = {
            name
            for name in dir(module)
            if not name.startswith("_") and not isinstance(getattr(module, name), type(mocks))
        }
        assert module.__all__ == sorted(module.__all__)
        assert set(module.__all__) == public


def test_importing_the_package_imports_only_what_is_used() -> None:
    code = (
        "import json, sys\n"
        "import mocks\n"
        "bare = sorted(sys.modules)\n"
        "from mocks import MockHTTP, Method, Reply\n"
        "from urllib.request import urlopen\n"
        "with MockHTTP.start() as mock:\n"
        "    mock.expect('GET', '/x').respond(body='ok')\n"
        "    assert urlopen(mock.url + '/x').read() == b'ok'\n"
        "print(json.dumps([bare, sorted(sys.modules)]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    bare, used = json.loads(run.stdout)
    assert [m for m in bare if m.startswith("mocks")] == ["mocks", "mocks._lazy"]
    assert "aiohttp" not in bare and "pydantic" not in bare
    unwanted = ("mocks.llm", "mocks.zitadel", "mocks.whatsapp", "mocks.teams", "mocks.jose")
    unwanted += ("jsonschema", "jsonschema_rs", "referencing", "cryptography")
    unwanted += ("aiohttp", "yarl")  # the server is httptools'; the client loads when used
    assert [m for m in used if m.split(".")[0] in unwanted or m.startswith(unwanted)] == []


def test_the_pytest_plugin_loads_the_engine_only_when_a_fixture_is_used() -> None:
    code = "import json, sys\nimport mocks.pytest_plugin\nprint(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(run.stdout)
    assert "mocks.core._mock" not in loaded and "aiohttp" not in loaded


def test_every_export_has_a_docstring() -> None:
    for name in mocks.__all__:
        assert getattr(mocks, name).__doc__, name

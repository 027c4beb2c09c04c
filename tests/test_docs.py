"""Every example in the documentation runs, so the docs cannot rot (as the README's do).

What runs, page by page (``docs/**/*.md``; the conventions are in ``docs/_gen/blocks.py``):

- a ``python`` block runs on its own (it may import the page's titled ``.py`` files);
  when a ``text`` block titled ``Output`` follows it, what it prints must read the same
  (``...`` stands for anything, ports and ``exp-N`` ids are compared loosely);
- blocks titled with a file name (``title="test_orders.py"``, ``"pytest.ini"``,
  ``"stubs/ping.yaml"``) are files: a page's files form one project in a temporary
  folder, and pytest runs its tests there, which must all pass;
- ``bash`` blocks run like a reader at a terminal, in that folder: ``python -m mocks...``
  starts the command (a server on a free port instead of the one shown), and each
  ``curl`` is sent to it and must answer 2xx, or the status a trailing ``# NNN`` names;
  other commands (``pip install``, ``cd``, ...) are shown, not run;
- ``json`` blocks parse; ``py`` (Python shown, not run) stays rare.

The admin API pages are generated: their examples (``docs/_gen/admin_examples.yaml``)
run against every mock, with every route covered, as the docs build does.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
sys.path.insert(0, str(DOCS))

from _gen import admin, api, cli  # noqa: E402
from _gen.blocks import Block, blocks, page_blocks  # noqa: E402

from mocks.core import available_mocks  # noqa: E402

BLOCKS = page_blocks(DOCS)
PAGES = sorted({block.page for block in BLOCKS})
OUTPUT = "Output"
#: Python blocks shown but not run (fenced ``py``): at most this many in all the docs.
MOST_NOT_RUN = 3


def _is_file(block: Block) -> bool:
    return bool(block.title) and block.title != OUTPUT


def _page(name: str) -> list[Block]:
    return [block for block in BLOCKS if block.page == name]


def _followed_by_output(block: Block) -> Block | None:
    page = _page(block.page)
    index = page.index(block)
    after = page[index + 1] if index + 1 < len(page) else None
    return after if after is not None and after.title == OUTPUT else None


SNIPPETS = [b for b in BLOCKS if b.language == "python" and not b.title]
#: The quick run (``-m "not integration"``) leaves out what starts processes.
integration = pytest.mark.integration


def _snippet(block: Block) -> object:
    marks = [integration] if "subprocess" in block.source else []
    return pytest.param(block, id=block.where, marks=marks)


PROJECTS = sorted({b.page for b in BLOCKS if _is_file(b) and b.title.endswith(".py")})
SHELL_PAGES = sorted({b.page for b in BLOCKS if b.language == "bash"})


# ---- the conventions themselves --------------------------------------------------------


def test_the_docs_have_examples_of_every_kind() -> None:
    assert len(SNIPPETS) >= 30
    assert len(PROJECTS) >= 4
    assert len(SHELL_PAGES) >= 3


def test_every_fence_names_its_language() -> None:
    assert [b.where for b in BLOCKS if not b.language] == []


def test_python_shown_but_not_run_is_rare() -> None:
    not_run = [b.where for b in BLOCKS if b.language == "py"]
    assert len(not_run) <= MOST_NOT_RUN, not_run


def test_json_blocks_parse() -> None:
    shown = [b for b in BLOCKS if b.language == "json"]
    assert shown
    for block in shown:
        try:
            json.loads(block.source)
        except ValueError as exc:
            raise AssertionError(f"{block.where}: {exc}") from exc


def test_the_block_reader_finds_indented_blocks() -> None:
    text = '=== "Tab"\n\n    ```python title="a.py"\n    x = 1\n    ```\n'
    [block] = blocks(text, "page.md")
    assert (block.language, block.title, block.source, block.line) == (
        "python",
        "a.py",
        "x = 1\n",
        3,
    )


# ---- python snippets --------------------------------------------------------------------


def _loose(text: str) -> str:
    text = re.sub(r"(127\.0\.0\.1|localhost):\d+", r"\1:PORT", text)
    return re.sub(r"\bexp-\d+\b", "exp-N", text).strip()


def assert_output(printed: str, shown: str) -> None:
    """`printed` reads as `shown`, where ``...`` in `shown` stands for any text."""
    parts = [re.escape(part) for part in _loose(shown).split("...")]
    pattern = re.compile(".*?".join(parts), re.S)
    assert pattern.fullmatch(_loose(printed)), f"printed:\n{printed}\nthe page shows:\n{shown}"


@contextlib.contextmanager
def importable_files(page: str, folder: Path) -> Iterator[None]:
    """The page's titled files importable (``from echo_bot import ...``) while it runs."""
    write_files(page, folder)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "") or "").startswith(str(folder)):
                del sys.modules[name]  # another page may have a module of the same name


@pytest.mark.parametrize("block", [_snippet(b) for b in SNIPPETS])
def test_python_example_runs(block: Block, tmp_path: Path) -> None:
    printed = io.StringIO()
    with importable_files(block.page, tmp_path), contextlib.redirect_stdout(printed):
        exec(compile(block.source, block.where, "exec"), {"__name__": "docs_example"})
    output = _followed_by_output(block)
    if output is not None:
        assert_output(printed.getvalue(), output.source)


def test_python_examples_have_no_unused_or_undefined_names(tmp_path: Path) -> None:
    """pyflakes' checks (ruff's F rules) on every Python block, titled files included."""
    python = [b for b in BLOCKS if b.language == "python"]
    for index, block in enumerate(python):
        (tmp_path / f"block_{index}.py").write_text(block.source)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F", "-q", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    where = {f"block_{index}.py": block.where for index, block in enumerate(python)}
    report = re.sub(r"block_\d+\.py", lambda m: where[m.group(0)], result.stdout)
    assert result.returncode == 0, report


def test_the_output_check_can_fail() -> None:
    assert_output("a 1\nb http://127.0.0.1:5000 exp-12", "a ...\nb http://127.0.0.1:8080 exp-1")
    with pytest.raises(AssertionError):
        assert_output("a 1", "a 2")


# ---- pages whose files form a pytest project --------------------------------------------


def _environment() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def write_files(page: str, folder: Path) -> list[Path]:
    """The page's titled blocks, written as files into `folder`."""
    written = []
    for block in _page(page):
        if _is_file(block):
            target = folder / block.title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.source)
            written.append(target)
    return written


@integration
@pytest.mark.parametrize("page", PROJECTS)
def test_page_tests_pass_under_pytest(page: str, tmp_path: Path) -> None:
    write_files(page, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ passed", summary), summary
    assert not re.search(r"skipped|xfail|xpass|error|failed", summary), summary


# ---- shell walkthroughs ----------------------------------------------------------------

_STATUS_NOTE = re.compile(r"#\s*(\d{3})\s*$")
_LOCAL_URL = re.compile(r"http://(?:127\.0\.0\.1|localhost):(\d+)")
_VARIABLE = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)\}?")
_LISTENING = re.compile(r"listening on (http://\S+)")
_ONE_SHOT = ("mocks.contracts",)
_PLUMBING = {"|", "&&", ";", "&>"}


def commands(source: str) -> Iterator[str]:
    """The commands of a shell block: continuation lines joined, quotes spanning lines kept."""
    pending = ""
    for line in source.replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the command goes on
            continue
        if pending.strip():
            yield pending
        pending = ""
    assert not pending, f"unclosed quote in {pending!r}"


@dataclass
class Terminal:
    """A reader's terminal: processes started, the variables they printed, the ports."""

    folder: Path
    variables: dict[str, str] = field(default_factory=dict)
    ports: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    #: Output read from each process (by pid) but not yet taken as lines.
    pending: dict[int, bytes] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)

    def run(self, line: str) -> None:
        words = shlex.split(line, comments=True)
        if words[:1] == ["curl"]:
            self.curl(words[1:], line)
        elif words[:2] == ["python", "-m"] and words[2].split(".")[0] == "mocks":
            self.start(words[2:])
        else:
            return  # shown for the reader (pip install, cd, export, ...), not run
        self.ran.append(line)

    def start(self, words: list[str]) -> None:
        plumbing = [i for i, w in enumerate(words) if w in _PLUMBING or w.startswith((">", "2>"))]
        words = words[: plumbing[0]] if plumbing else words  # output redirections, pipes
        words = [w for w in words if w != "&"]  # a server runs in the background either way
        module, flags = words[0], words[1:]
        if module.startswith(_ONE_SHOT) or "--help" in flags:
            result = subprocess.run(
                [sys.executable, "-m", *words],
                cwd=self.folder,
                env=_environment(),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            return
        shown_ports, flags = self._free_ports(module, [self._url(flag) for flag in flags])
        process = subprocess.Popen(
            [sys.executable, "-m", module, *flags],
            cwd=self.folder,
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        if module == "mocks":
            self._read_environment(process, shown_ports)
        else:
            found = _LISTENING.search(self._line(process))
            assert found, f"python -m {module} printed no URL"
            for port in shown_ports.values():
                self.ports[port] = found.group(1)

    @staticmethod
    def _free_ports(module: str, flags: list[str]) -> tuple[dict[str, str], list[str]]:
        """The ports the page shows (service -> port), and the flags asking for free ones."""
        shown: dict[str, str] = {}
        result: list[str] = []
        for index, flag in enumerate(flags):
            previous = flags[index - 1] if index else ""
            if previous == "--port" and module == "mocks":
                service, _, port = flag.partition("=")
                shown[service] = port
                result.append(f"{service}=0")
            elif previous == "--port":
                shown[module] = flag
                result.append("0")
            else:
                result.append(flag)
        return shown, result

    def _read_environment(self, process: subprocess.Popen[bytes], ports: dict[str, str]) -> None:
        while True:
            line = self._line(process)
            if line.startswith("# ready"):
                break
            key, _, value = line.partition("=")
            self.variables[key] = shlex.split(value)[0] if value else ""
        for service, port in ports.items():
            self.ports[port] = self.variables[f"MOCK_{service.upper()}_URL"]

    def _line(self, process: subprocess.Popen[bytes], timeout: float = 60.0) -> str:
        """The next line `process` prints (read unbuffered: select() sees all that is left)."""
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self.pending.get(process.pid, b""):
            assert time.monotonic() < deadline, "no output in time"
            ready, _, _ = select.select([process.stdout], [], [], 0.1)
            chunk = os.read(process.stdout.fileno(), 65536) if ready else b""
            assert chunk or process.poll() is None, f"exit status {process.returncode}"
            self.pending[process.pid] = self.pending.get(process.pid, b"") + chunk
        line, _, rest = self.pending[process.pid].partition(b"\n")
        self.pending[process.pid] = rest
        return line.decode()

    def _url(self, text: str) -> str:
        def variable(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in self.variables, f"${name} is not set on this page"
            return self.variables[name]

        def local(match: re.Match[str]) -> str:
            port = match.group(1)
            assert port in self.ports, f"nothing on this page listens on port {port}"
            return self.ports[port]

        return _VARIABLE.sub(variable, _LOCAL_URL.sub(local, text))  # variables hold real URLs

    def curl(self, words: list[str], line: str) -> None:
        method, headers, data, url = None, {}, None, None
        options = iter(words)
        for word in options:
            if word in ("-s", "-S", "-sS", "-f", "-sf", "-fsS", "-i", "--silent", "--fail"):
                continue
            if word in ("-X", "--request"):
                method = next(options)
            elif word in ("-H", "--header"):
                name, _, value = next(options).partition(":")
                headers[name.strip()] = value.strip()
            elif word in ("-d", "--data", "--data-raw", "--json"):
                data = next(options)
                if data.startswith("@"):
                    data = (self.folder / data[1:]).read_text()
                if word == "--json":
                    headers.setdefault("Content-Type", "application/json")
            elif word.startswith("-"):
                raise AssertionError(f"curl option {word} is not understood by the docs test")
            else:
                url = self._url(word)
        assert url is not None, f"no URL in {line!r}"
        method = method or ("POST" if data is not None else "GET")
        response = requests.request(
            method, url, data=data and data.encode(), headers=headers, timeout=30
        )
        wanted = _STATUS_NOTE.search(line)
        if wanted:
            assert response.status_code == int(wanted.group(1)), (line, response.text)
        else:
            assert 200 <= response.status_code < 300, (line, response.status_code, response.text)

    def stop(self) -> list[int]:
        statuses = []
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            statuses.append(process.wait(timeout=30))
            if process.stdout is not None:
                process.stdout.close()
        return statuses


@integration
@pytest.mark.parametrize("page", SHELL_PAGES)
def test_page_shell_commands_work(page: str, tmp_path: Path) -> None:
    write_files(page, tmp_path)
    terminal = Terminal(tmp_path)
    try:
        for block in _page(page):
            if block.language == "bash":
                for line in commands(block.source):
                    terminal.run(line)
    finally:
        statuses = terminal.stop()
    assert statuses == [0] * len(statuses), "a process did not stop cleanly"
    assert terminal.ran, f"{page}: no command of its shell blocks ran"


@integration
def test_the_terminal_refuses_a_wrong_status(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path)
    try:
        terminal.run("python -m mocks.http --port 8080 &")
        terminal.run("curl -s http://127.0.0.1:8080/__admin/health")
        terminal.run("curl -s http://127.0.0.1:8080/nothing  # 404")
        with pytest.raises(AssertionError):
            terminal.run("curl -s http://127.0.0.1:8080/nothing")
        with pytest.raises(AssertionError):
            terminal.run("curl -s http://127.0.0.1:9999/__admin/health")
    finally:
        assert terminal.stop() == [0]


# ---- generated pages --------------------------------------------------------------------


@pytest.mark.parametrize("service", list(available_mocks()))
def test_admin_examples_cover_every_route_and_hold(service: str) -> None:
    cls = available_mocks()[service]
    page = admin.build_page(service, cls)
    assert page.problems == []
    routes = {f"{method} {path}" for method, path, _ in admin.routes_of(cls().openapi())}
    assert routes == {outcome.example.route for outcome in page.outcomes}


def test_an_admin_example_with_a_wrong_status_is_a_problem() -> None:
    from _gen.examples import Call, Example, run_example

    with available_mocks()["http"].start() as mock:
        wrong = Example("GET /__admin/health", Call("GET", "/__admin/health"), status=201)
        outcome = run_example(mock.url, wrong, {})
        problems = admin.check("http", mock.openapi(), [outcome])
    assert any("documented 201, answered 200" in p for p in problems)
    assert any("no example for POST /__admin/expectations" in p for p in problems)


@integration
def test_the_cli_page_has_every_mocks_help() -> None:
    page = cli.expand((DOCS / "reference" / "cli.md").read_text())
    for service in available_mocks():
        assert f"usage: python -m mocks.{service} " in page
    assert "usage: python -m mocks " in page


def test_the_api_pages_document_every_public_name_once() -> None:
    text = api.expand("<!-- api: mocks -->\n<!-- api: mocks.core -->")
    names = re.findall(r"^::: (mocks(?:\.core)?)\.(\w+)$", text, re.M)
    documented = [name for _, name in names]
    assert sorted(documented) == sorted(
        set(api.public_names("mocks") + api.public_names("mocks.core"))
    )

"""The cassette checker behind ``python -m mocks.contracts check``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multidict import CIMultiDict, MultiDict

from ..core import (
    BaseMock,
    Cassette,
    Contracts,
    DataFileError,
    Interaction,
    RecordedRequest,
    load_cassettes,
    load_mock_class,
    registered_mocks,
    split_headers,
)
from ..core.cli import Parser


@dataclass(slots=True)
class CassetteCheck:
    """What checking one cassette found."""

    file: Path
    checked: int = 0
    #: Interactions whose path no route of the mock serves (nothing to check them against).
    unrouted: int = 0
    violations: list[str] = field(default_factory=list)


def sse_documents(stream: bytes) -> Iterator[Any]:
    """The JSON documents carried by the events of a Server-Sent Events stream."""
    text = stream.decode("utf-8", "replace").replace("\r\n", "\n")
    for event in text.split("\n\n"):
        data = "\n".join(
            line[5:].removeprefix(" ") for line in event.split("\n") if line.startswith("data:")
        )
        if not data:
            continue
        try:
            yield json.loads(data)
        except ValueError:
            continue  # "[DONE]" and other plain-text events carry no document


def _lines(headers: dict[str, str | list[str]]) -> list[tuple[str, str]]:
    single, more = split_headers(headers)
    return [*single.items(), *more]


def _request(interaction: Interaction) -> RecordedRequest:
    recorded = interaction.request
    query = MultiDict([(k, v) for k, values in recorded.query.items() for v in values])
    headers = CIMultiDict(_lines(recorded.headers))
    return RecordedRequest(recorded.method, recorded.path, query, headers, recorded.content)


def _check_interaction(mock: BaseMock, interaction: Interaction) -> list[str] | None:
    """Violations of one interaction, or None when no route serves it."""
    response = interaction.response
    if response.chunks is not None:
        return mock.contract_violations(
            _request(interaction), response.status, None, list(sse_documents(response.content))
        )
    try:
        document = json.loads(response.content) if response.content else None
    except ValueError:
        document = None
    return mock.contract_violations(_request(interaction), response.status, document)


def check_cassette(
    file: Path, cassette: Cassette, mock_class: type[BaseMock], contracts_root: Path | None = None
) -> CassetteCheck:
    """Check every interaction of `cassette` against `mock_class`'s routes and contracts."""
    mock = mock_class()
    if contracts_root is not None:
        mock.contracts = Contracts(mock.service, contracts_root)
    result = CassetteCheck(file)
    for index, interaction in enumerate(cassette.interactions):
        found = _check_interaction(mock, interaction)
        if found is None:
            result.unrouted += 1
            continue
        result.checked += 1
        label = f"{file}: interactions[{index}] {interaction.request.method} "
        result.violations.extend(label + f"{interaction.request.path}: {v}" for v in found)
    return result


def _service(file: Path, cassette: Cassette) -> str:
    return cassette.service or file.parent.name


def _mock_class(target: str | None, service: str) -> type[BaseMock] | None:
    name = target or registered_mocks().get(service)
    return load_mock_class(name) if name is not None else None


def build_parser() -> argparse.ArgumentParser:
    """The command's flags."""
    parser = Parser(
        prog="python -m mocks.contracts",
        description="Validate recorded cassettes against the services' contracts.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="check cassettes; exit 1 on a contract violation",
        description="Check each cassette's requests and responses against the contracts.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("recordings")],
        metavar="PATH",
        help="cassette files or directories (default: recordings/)",
    )
    check.add_argument(
        "--mock",
        metavar="MODULE:CLASS",
        help="check against this mock class instead of the cassette's service's",
    )
    check.add_argument(
        "--contracts",
        type=Path,
        metavar="DIR",
        help="read the JSON Schemas from DIR/<service>/ instead of the installed contracts",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 when every cassette holds, 1 on a violation, 2 on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        cassettes = [found for path in args.paths for found in load_cassettes(path)]
    except DataFileError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    problems: list[str] = []
    checked = unrouted = 0
    for file, cassette in cassettes:
        service = _service(file, cassette)
        mock_class = _mock_class(args.mock, service)
        if mock_class is None:
            problems.append(f"{file}: no mock is available for service {service!r}")
            continue
        result = check_cassette(file, cassette, mock_class, args.contracts)
        checked, unrouted = checked + result.checked, unrouted + result.unrouted
        problems.extend(result.violations)
    for problem in problems:
        print(problem)
    summary = f"checked {checked} interaction(s) in {len(cassettes)} cassette(s)"
    if unrouted:
        summary += f"; {unrouted} on paths without a route (not checked)"
    print(f"{summary}: {len(problems)} problem(s)" if problems else f"{summary}: ok")
    return 1 if problems else 0


__all__ = ["CassetteCheck", "check_cassette", "main", "sse_documents"]

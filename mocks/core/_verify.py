"""The verification report behind `verify()` and the admin API's ``/__admin/verify``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class VerificationError(AssertionError):
    """Raised by `verify()`; its message is the readable report, `report` the data.

    When a responder or route raised, the first such exception is its ``__cause__``, so
    pytest shows that exception's own traceback above the report.
    """

    def __init__(self, report: Report) -> None:
        super().__init__(report.render())
        self.report = report


@dataclass(slots=True)
class UnmetExpectation:
    """An expectation that got fewer calls than its `times`."""

    expectation: str
    expected: int
    actual: int
    #: True when it wants at least `expected` calls (no count was given), not exactly.
    at_least: bool = False

    def __str__(self) -> str:
        wanted = f"at least {self.expected}" if self.at_least else str(self.expected)
        return f"{self.expectation}: expected {wanted} call(s), got {self.actual}"


@dataclass(slots=True)
class Report:
    """Everything `verify()` found wrong; empty (falsy) when all holds."""

    service: str
    unmet: list[UnmetExpectation] = field(default_factory=list)
    #: Unmatched requests, each with its near-miss explanation.
    unmatched: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.unmet or self.unmatched or self.violations or self.order or self.errors)

    def render(self) -> str:
        """The readable report."""
        count = (
            len(self.unmet)
            + len(self.unmatched)
            + len(self.violations)
            + len(self.order)
            + len(self.errors)
        )
        lines = [f"{self.service} mock: verify() found {count} problem(s)"]
        sections: list[tuple[str, list[Any]]] = [
            ("Expectations not met", list(self.unmet)),
            ("Unmatched requests", self.unmatched),
            ("Contract violations", self.violations),
            ("Requests out of order", self.order),
            ("Errors inside the mock", self.errors),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{title}:")
                for item in items:
                    text = str(item).replace("\n", "\n    ")
                    lines.append(f"  - {text}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the admin API's verify body)."""
        return {
            "ok": not self,
            "unmet": [
                {"expectation": u.expectation, "expected": u.expected, "actual": u.actual}
                for u in self.unmet
            ],
            "unmatched": self.unmatched,
            "violations": self.violations,
            "order": self.order,
            "errors": self.errors,
            "report": self.render() if self else "",
        }

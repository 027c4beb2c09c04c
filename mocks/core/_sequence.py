"""Sequence diagrams of traffic: the system under test and each mock, as data and as Mermaid.

Each request a mock received is an arrow from the system under test to the mock and a
dashed one back (its status and what answered it); a callback the mock sent (a webhook)
is an arrow from the mock to the system under test, one per attempt, with the answer
back. Unmatched requests and contract violations are notes over the mock, marked as
problems. The dashboard draws `SequenceDiagram.to_dict()`; `mermaid()` is the same
diagram as text for a README, an issue or a CI log::

    sequenceDiagram
        participant sut as system under test
        participant mock_llm as llm
        sut->>mock_llm: POST /v1/chat/completions
        mock_llm-->>sut: 200 exp-1, streamed (5 chunks)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ._callback import Attempt, Delivery
from ._request import RecordedRequest
from ._traffic import TrafficRecord

#: The participant every arrow starts or ends at.
SUT = "sut"
_LONGEST = 120
#: Characters Mermaid reads as syntax inside a message; written as ``#<code>;``.
_SYNTAX = re.compile(r"[#;<>]")
StepKind = Literal["request", "reply", "callback", "note"]


@dataclass(frozen=True, slots=True)
class Participant:
    """A lifeline: the system under test, or one mock."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Step:
    """One arrow, or a note over `target`."""

    kind: StepKind
    source: str
    target: str
    text: str
    #: The traffic record it shows (the dashboard opens it on a click).
    record: int | None = None
    #: It reports a problem: an unmatched request, a violation, a failed answer.
    problem: bool = False
    #: The arrow ends in a cross: no answer came (a connection fault, an unreachable receiver).
    lost: bool = False


def participant_id(service: str) -> str:
    """A mock's lifeline id: ``mock_<service>`` (safe as a Mermaid identifier)."""
    return "mock_" + re.sub(r"[^0-9A-Za-z_]", "_", service)


def mermaid_text(text: str) -> str:
    """`text` on one line, shortened, with what Mermaid reads as syntax (``;``, ``#``,
    angle brackets) written as entity codes."""
    line = " ".join(text.split())
    if len(line) > _LONGEST:
        line = line[: _LONGEST - 3] + "..."
    return _SYNTAX.sub(lambda found: f"#{ord(found.group())};", line)


@dataclass(slots=True)
class SequenceDiagram:
    """The lifelines and steps of some traffic, in time order."""

    participants: list[Participant]
    steps: list[Step]

    @classmethod
    def of(cls, records: Iterable[TrafficRecord], services: Iterable[str] = ()) -> SequenceDiagram:
        """The diagram of `records` (from one mock or several), ordered by time; `services`
        are lifelines drawn even without traffic (first, in this order)."""
        timed: list[tuple[float, int, list[Step]]] = []
        services = list(services)
        for record in records:
            if record.service not in services:
                services.append(record.service)
            if record.entry is not None:
                timed.append((record.at, record.id, _request_steps(record, record.entry)))
            elif record.delivery is not None:
                for attempt in list(record.delivery.attempts):
                    steps = _attempt_steps(record, record.delivery, attempt)
                    timed.append((attempt.started_at, record.id, steps))
        timed.sort(key=lambda item: (item[0], item[1]))
        participants = [Participant(SUT, "system under test")]
        participants += [Participant(participant_id(s), s) for s in services]
        return cls(participants, [step for _, _, steps in timed for step in steps])

    def mermaid(self) -> str:
        """The diagram as Mermaid ``sequenceDiagram`` text."""
        lines = ["sequenceDiagram"]
        for participant in self.participants:
            lines.append(f"    participant {participant.id} as {mermaid_text(participant.label)}")
        for step in self.steps:
            text = mermaid_text(step.text)
            if step.kind == "note":
                lines.append(f"    Note over {step.target}: {text}")
                continue
            arrow = {"request": "->>", "reply": "-->>", "callback": "-)"}[step.kind]
            if step.lost:
                arrow = "--x" if step.kind == "reply" else "-x"
            lines.append(f"    {step.source}{arrow}{step.target}: {text}")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, with the Mermaid text (what the dashboard draws)."""
        return {
            "participants": [asdict(p) for p in self.participants],
            "steps": [asdict(s) for s in self.steps],
            "mermaid": self.mermaid(),
        }


def _request_steps(record: TrafficRecord, entry: RecordedRequest) -> list[Step]:
    mock = participant_id(record.service)
    steps = [Step("request", SUT, mock, f"{entry.method} {entry.url}", record.id)]
    response = entry.response
    if entry.fault is not None and response is None:
        text = f"fault {entry.fault}"
        steps.append(Step("reply", mock, SUT, text, record.id, problem=True, lost=True))
    elif entry.status is None or response is None:
        steps.append(Step("reply", mock, SUT, "no answer yet", record.id))
    else:
        text = f"{entry.status} {record.outcome}".rstrip()
        if response.chunks is not None:
            text += f", streamed ({len(response.chunks)} chunks)"
        problem = entry.unmatched or bool(entry.violations) or entry.fault is not None
        steps.append(Step("reply", mock, SUT, text, record.id, problem=problem))
    if entry.unmatched:
        nearest = (record.nearest or {}).get("nearest")
        differences = (record.nearest or {}).get("differences") or []
        if nearest is None:
            text = "unmatched: no expectation is registered"
        else:
            fields = ", ".join(d["field"] for d in differences) or "nothing"
            text = f"unmatched: nearest {nearest}, {fields} differed"
        steps.append(Step("note", mock, mock, text, record.id, problem=True))
    steps.extend(
        Step("note", mock, mock, f"contract violation: {v}", record.id, problem=True)
        for v in entry.violations
    )
    return steps


def _attempt_steps(record: TrafficRecord, delivery: Delivery, attempt: Attempt) -> list[Step]:
    mock = participant_id(record.service)
    label = f"{delivery.method} {record.path}"
    if attempt.number > 1:
        label += f" (attempt {attempt.number})"
    steps = [Step("callback", mock, SUT, label, record.id)]
    if attempt.status is None:
        text = attempt.error or "no answer"
        steps.append(Step("reply", SUT, mock, text, record.id, problem=True, lost=True))
    else:
        failed = not 200 <= attempt.status < 300
        steps.append(Step("reply", SUT, mock, str(attempt.status), record.id, problem=failed))
    return steps


__all__ = ["SUT", "Participant", "SequenceDiagram", "Step", "mermaid_text", "participant_id"]

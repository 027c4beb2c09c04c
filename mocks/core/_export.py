"""The traffic a mock served, exported as a cassette (the format record mode writes).

The dashboard's "download" button uses it: the file replays with ``mock.replay(...)`` or
``--replay``, and ``python -m mocks.contracts check`` checks it against the contracts.
Secrets are redacted as record mode redacts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from multidict import CIMultiDict

from ._cassette import (
    Cassette,
    CassetteRequest,
    CassetteResponse,
    Interaction,
    RecordedChunk,
    encode_body,
    end_to_end,
)
from ._redact import Redactor
from ._reply import header_value
from ._request import RecordedRequest
from ._traffic import TrafficRecord


def entry_interaction(entry: RecordedRequest, redactor: Redactor) -> Interaction | None:
    """One journal entry as a cassette interaction (None when nothing was answered)."""
    response = entry.response
    if response is None:
        return None
    body, _ = redactor.body(entry.body, entry.headers.get("Content-Type", ""))
    query = {name: entry.query.getall(name) for name in entry.query}
    headers = redactor.headers(
        end_to_end(CIMultiDict([*response.headers.items(), *response.more_headers]))
    )
    duration = round((entry.duration or 0.0) * 1000, 3)
    if response.chunks is not None:
        chunks = [RecordedChunk(**encode_body(chunk)) for chunk in response.chunks]
        answer = CassetteResponse(
            status=response.status, headers=headers, duration_ms=duration, chunks=chunks
        )
    else:
        content, _ = redactor.body(response.body, header_value(response.headers, "Content-Type"))
        answer = CassetteResponse(
            status=response.status, headers=headers, duration_ms=duration, **encode_body(content)
        )
    return Interaction(
        request=CassetteRequest(
            method=entry.method,
            path=entry.path,
            query=redactor.query(query),
            headers=redactor.headers(end_to_end(entry.headers)),
            **encode_body(body),
        ),
        response=answer,
        recorded_at=datetime.fromtimestamp(entry.arrived_at, UTC).isoformat(
            timespec="milliseconds"
        ),
    )


def traffic_cassette(
    service: str, records: Iterable[TrafficRecord], redactor: Redactor | None = None
) -> Cassette:
    """The requests among `records` that were answered, oldest first, as one cassette."""
    redactor = redactor or Redactor()
    found = (
        entry_interaction(record.entry, redactor)
        for record in sorted(records, key=lambda r: r.at)
        if record.entry is not None
    )
    return Cassette(service=service, interactions=[i for i in found if i is not None])


__all__ = ["entry_interaction", "traffic_cassette"]

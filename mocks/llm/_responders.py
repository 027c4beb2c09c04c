"""What an LLM expectation answers with, as data the admin API can carry.

:class:`LLMReply` says what the model says (text, stream chunks, a refusal, tool
calls); the mock renders it in the shape of whichever endpoint was called, streamed
or not, so one expectation serves chat completions, the Responses API and legacy
completions. Left empty it lets the simulator answer, which is how faults inside a
stream are attached to a default answer. :class:`EmbeddingReply` fixes the vector
size of an embedding answer.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from mocks.core import Reply, ReplyContext, Responder

from ._planning import Answer, ToolCall
from ._prompt import arguments_json


class ToolCallSpec(BaseModel):
    """One function call the model makes."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,64}$")
    arguments: str | dict[str, Any] = Field(default_factory=dict)
    #: A fixed call id (``call_...``); drawn from the mock's generator when absent.
    id: str | None = None

    @field_validator("arguments")
    @classmethod
    def _json_ready(cls, value: str | dict[str, Any]) -> str | dict[str, Any]:
        if isinstance(value, dict):
            try:  # refuse what the wire cannot carry when it is programmed, not when sent
                json.dumps(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"arguments are not JSON: {exc}") from exc
        return value


class _Generator(Protocol):
    def llm_reply(self, context: ReplyContext, reply: LLMReply) -> Reply: ...

    def embedding_reply(self, context: ReplyContext, reply: EmbeddingReply) -> Reply: ...


def _mock(context: ReplyContext) -> _Generator:
    mock: Any = context.mock
    if not hasattr(mock, "llm_reply"):
        raise TypeError(f"{type(mock).__name__} cannot answer with an LLM responder")
    generator: _Generator = mock
    return generator


class LLMReply(Responder):
    """The model's answer: content (optionally as fixed stream ``chunks``), a refusal
    and/or tool calls. With none of them, the simulator answers.

    ``stream_error_after`` sends an ``error`` event after that many stream events
    and ends the stream; ``malformed_chunk_after`` sends a chunk that is not JSON
    there instead.
    """

    kind: Literal["llm_reply"] = "llm_reply"
    content: str | None = None
    chunks: list[str] | None = None
    refusal: str | None = None
    tool_calls: list[ToolCallSpec] = Field(default_factory=list)
    finish_reason: Literal["stop", "length", "content_filter"] | None = None
    stream_error_after: int | None = Field(None, ge=0)
    stream_error_message: str = "The server had an error while processing your request."
    malformed_chunk_after: int | None = Field(None, ge=0)

    _planned: tuple[tuple[Any, ...], Answer | None] | None = PrivateAttr(None)

    def answer(self) -> Answer | None:
        """The planner's :class:`Answer`, or ``None`` to let the simulator answer.

        Worked out once for the fields as they are (a copy with other fields, or a field
        set anew, works it out again): a streamed reply of thousands of chunks was
        joined, copied and filtered for every request it answered, before its first
        chunk left. Empty chunks are dropped here, once.
        """
        chunks = self.chunks
        given = (
            self.content,
            chunks,
            len(chunks or ()),
            self.refusal,
            self.tool_calls,
            self.finish_reason,
        )
        planned = self._planned
        if planned is not None and planned[0] == given:  # the same objects: at once
            return planned[1]
        refusal, calls = self.refusal, self.tool_calls
        content = "".join(chunks) if chunks is not None else self.content
        answer = None
        if content is not None or refusal is not None or calls:
            answer = Answer(
                content,
                refusal,
                tuple([ToolCall(c.name, arguments_json(c.arguments), c.id) for c in calls]),
                tuple(filter(None, chunks)) if chunks is not None else None,
                self.finish_reason,
            )
        self._planned = (given, answer)
        return answer

    async def reply(self, context: ReplyContext) -> Reply:
        return _mock(context).llm_reply(context, self)


class EmbeddingReply(Responder):
    """An embedding answer with vectors of ``dimensions`` components (the model's
    native size when absent)."""

    kind: Literal["llm_embedding"] = "llm_embedding"
    dimensions: int | None = Field(None, ge=1, le=65_536)

    async def reply(self, context: ReplyContext) -> Reply:
        return _mock(context).embedding_reply(context, self)

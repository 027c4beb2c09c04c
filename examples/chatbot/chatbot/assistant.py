"""The model behind every channel: a streamed chat completion with a tool-calling loop.

The ``openai`` SDK talks to ``OPENAI_BASE_URL``. It retries 408, 409, 429 and 5xx
answers itself (``MAX_RETRIES`` times, honouring ``retry-after-ms``), so a rate limit
is waited out; a stream that breaks off, or an error the retries did not cure, is
raised as `AssistantUnavailable` for the channel to tell the user.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import cast

import openai
from openai.types.chat import (
    ChatCompletionMessageParam,
    ChatCompletionMessageToolCallParam,
    ChatCompletionToolParam,
)

from .config import LLMSettings
from .store import Turn
from .tools import TOOLS, run_tool

SYSTEM_PROMPT = (
    "You are the assistant of a small online shop. Answer briefly. "
    "Use get_order_status to look up an order before saying where it is."
)
#: Retries of one request after a retryable answer (the SDK's own backoff).
MAX_RETRIES = 3
#: Model calls of one answer: the first and those after tool results.
MAX_ROUNDS = 4
#: Seconds to wait for the API (connect, and between two stream events).
TIMEOUT = openai.Timeout(30.0, connect=5.0)


class AssistantUnavailable(RuntimeError):
    """The model could not answer (the API failed, or the stream was cut)."""


@dataclass
class _PendingCall:
    """A tool call assembled from stream deltas."""

    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)

    def message(self) -> ChatCompletionMessageToolCallParam:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": "".join(self.arguments)},
        }


class Assistant:
    """Answers a conversation, token by token, running the tools the model asks for."""

    def __init__(self, settings: LLMSettings) -> None:
        self.model = settings.model
        self.client = openai.AsyncOpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key,
            max_retries=MAX_RETRIES,
            timeout=TIMEOUT,
        )

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.close()

    async def stream(self, history: Sequence[Turn]) -> AsyncIterator[str]:
        """The answer to the conversation `history` (ending with the user's turn), as the
        text pieces the model streams. Raises `AssistantUnavailable`."""
        messages: list[ChatCompletionMessageParam] = [{"role": "system", "content": SYSTEM_PROMPT}]
        for turn in history:
            if turn.role == "user":
                messages.append({"role": "user", "content": turn.content})
            else:
                messages.append({"role": "assistant", "content": turn.content})
        try:
            for _ in range(MAX_ROUNDS):
                calls: dict[int, _PendingCall] = {}
                async for piece in self._one_round(messages, calls):
                    yield piece
                if not calls:
                    return
                ordered = [calls[index] for index in sorted(calls)]
                messages.append(
                    {"role": "assistant", "tool_calls": [call.message() for call in ordered]}
                )
                for call in ordered:
                    result = run_tool(call.name, "".join(call.arguments))
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        except (openai.OpenAIError, json.JSONDecodeError) as error:
            raise AssistantUnavailable(f"the model did not answer: {error!r}") from error
        raise AssistantUnavailable(f"the model kept calling tools after {MAX_ROUNDS} rounds")

    async def _one_round(
        self, messages: list[ChatCompletionMessageParam], calls: dict[int, _PendingCall]
    ) -> AsyncIterator[str]:
        """One streamed completion: yields its text, collects its tool calls in `calls`."""
        stream = await self.client.chat.completions.create(
            model=self.model,
            messages=messages,
            tools=cast(list[ChatCompletionToolParam], TOOLS),
            stream=True,
        )
        async with stream:
            async for chunk in stream:
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                if delta.content:
                    yield delta.content
                for part in delta.tool_calls or []:
                    call = calls.setdefault(part.index, _PendingCall())
                    call.id = part.id or call.id
                    if part.function is not None:
                        call.name = part.function.name or call.name
                        call.arguments.append(part.function.arguments or "")

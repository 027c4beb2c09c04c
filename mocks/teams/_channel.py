"""The channel side: posting an activity to the bot, signed, and reading its answer.

The activity is journaled in the transcript before it is posted (the bot's replies
arrive while the POST is in flight), posted once (no retries: a simulate call is one
delivery whose answer the test reads), and the answer's invoke response or
``expectReplies`` activities are added to the transcript.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..core import Delivery
from ._answers import BotAnswer, answer_entries, read_answer
from ._service import TeamsService
from ._tokens import TokenVariant
from ._transcript import incoming_entry

#: Seconds a simulate call waits for the bot's answer.
DEFAULT_TIMEOUT = 30.0

Sender = Callable[..., Delivery]


def _encode(activity: dict[str, Any]) -> str:
    """The activity as compact UTF-8 JSON (sent as it is: `template=False`)."""
    return json.dumps(activity, separators=(",", ":"), ensure_ascii=False)


class BotNotConfigured(RuntimeError):
    """A simulate call on a mock started without ``bot_url``."""


class ChannelPoster:
    """Posts activities for one mock: `send` is the mock's ``send`` (test thread or loop)."""

    def __init__(self, service: TeamsService, send: Sender) -> None:
        self.service = service
        self._send = send

    def headers(
        self, activity: dict[str, Any], variant: TokenVariant, audience: str | None = None
    ) -> dict[str, str]:
        """The request headers: JSON, and the channel token of `variant` (none for "none")
        to the app `audience` (default: the mock's own bot)."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        service_url = activity.get("serviceUrl")
        authorization = self.service.channel_tokens.authorization(
            service_url if isinstance(service_url, str) else "", variant, audience
        )
        if authorization is not None:
            headers["Authorization"] = authorization
        return headers

    def start(
        self,
        bot_url: str | None,
        activity: dict[str, Any],
        variant: TokenVariant,
        timeout: float,
        audience: str | None = None,
        scope: str = "",
    ) -> Delivery:
        """Journal `activity` (in the transcript of mock scope `scope`) and begin posting it
        to the bot at `bot_url` (of app id `audience`, default the mock's own)."""
        if not bot_url:
            raise BotNotConfigured("no bot_url: start MockTeams with bot_url=... to simulate")
        self.service.transcript.append(incoming_entry(activity), scope)
        body = _encode(activity)
        return self._send(
            bot_url,
            headers=self.headers(activity, variant, audience),
            body=body,
            retries=0,
            sign=False,
            template=False,
            timeout_ms=timeout * 1000,
        )

    def finish(self, activity: dict[str, Any], delivery: Delivery, scope: str = "") -> BotAnswer:
        """Read the finished delivery's answer and record what it adds to the transcript
        (of mock scope `scope`)."""
        attempt = delivery.attempts[-1] if delivery.attempts else None
        status = attempt.status if attempt is not None else None
        error = attempt.error if attempt is not None else "not delivered"
        answer = read_answer(activity, status, delivery.response_body, error)
        for entry in answer_entries(answer):
            self.service.transcript.append(entry, scope)
        return answer

    def post(
        self,
        bot_url: str | None,
        activity: dict[str, Any],
        variant: TokenVariant = "valid",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> BotAnswer:
        """Post from the test's thread and wait for the answer."""
        delivery = self.start(bot_url, activity, variant, timeout)
        return self.finish(activity, delivery.wait(timeout + 5))

    async def post_async(
        self,
        bot_url: str | None,
        activity: dict[str, Any],
        variant: TokenVariant = "valid",
        timeout: float = DEFAULT_TIMEOUT,
        *,
        audience: str | None = None,
        scope: str = "",
    ) -> BotAnswer:
        """Post from the mock's own loop (an admin call) without blocking it; `audience`
        and `scope` as in `start`."""
        delivery = self.start(bot_url, activity, variant, timeout, audience, scope)
        return self.finish(activity, await delivery.wait_async(timeout + 5), scope)

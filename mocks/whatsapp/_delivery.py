"""How webhooks reach the bot: Meta's retry policy, what a failed delivery reports, and
the GET handshake a webhook URL must pass.

WhatsApp answers success only to a 2xx and retries everything else, and an unreachable
bot, with backoff (for days; the mock for seconds). Every attempt is kept on the
:class:`~mocks.core.Delivery` (``mock.callbacks``), so a test sees each try and answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from mocks.core import Delivery


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Retries after the first attempt, the first backoff (doubling), and each try's timeout."""

    retries: int = 5
    backoff_ms: float = 100.0
    timeout_ms: float = 10_000.0

    def patience(self) -> float:
        """Seconds a delivery may take at most: every attempt timing out, every backoff."""
        backoffs = sum(self.backoff_ms * 2.0**n for n in range(self.retries)) / 1000
        return (self.retries + 1) * self.timeout_ms / 1000 + backoffs + 1

    def callback_options(self, event: Any, delay_ms: float = 0) -> dict[str, Any]:
        """The `Callback` options that post `event` (signed, compact JSON) this way.

        Not a template: a user's text holding ``{{...}}`` is sent as it is.
        """
        return {
            "method": "POST",
            "json": event,
            "template": False,
            "headers": {"User-Agent": "facebookexternalua"},
            "delay_ms": delay_ms,
            "retries": self.retries,
            "backoff_ms": self.backoff_ms,
            "timeout_ms": self.timeout_ms,
            "retry_on": "any_failure",
        }


class WebhookNotDelivered(AssertionError):
    """The bot never answered a webhook with a 2xx (every attempt is in `delivery`)."""

    def __init__(self, what: str, delivery: Delivery) -> None:
        attempts = "; ".join(
            f"#{a.number}: {a.status if a.status is not None else a.error}"
            for a in delivery.attempts
        )
        super().__init__(
            f"{what} was not accepted by the bot at {delivery.url} "
            f"({len(delivery.attempts)} attempts: {attempts or 'none finished'})"
        )
        self.delivery = delivery


def settled(delivery: Delivery, what: str) -> Delivery:
    """`delivery` if it succeeded; raises `WebhookNotDelivered` otherwise."""
    if not delivery.succeeded:
        raise WebhookNotDelivered(what, delivery)
    return delivery


@dataclass(slots=True)
class Handshake:
    """The GET a webhook URL must answer with the challenge (as Meta checks a callback)."""

    url: str
    verify_token: str
    challenge: str
    delivery: Delivery | None = None

    def request(self) -> dict[str, Any]:
        """The `send` options of the handshake (unsigned, not retried)."""
        query = urlencode(
            {
                "hub.mode": "subscribe",
                "hub.verify_token": self.verify_token,
                "hub.challenge": self.challenge,
            }
        )
        separator = "&" if "?" in self.url else "?"
        return {
            "url": f"{self.url}{separator}{query}",
            "method": "GET",
            "sign": False,
            "retries": 0,
        }

    def passed(self, delivery: Delivery | None = None) -> bool:
        """Whether the bot answered 200 with exactly the challenge."""
        done = delivery or self.delivery
        return done is not None and done.status == 200 and _text(done) == self.challenge

    def failure(self, delivery: Delivery | None = None) -> str:
        """What the bot answered instead, in a sentence."""
        done = delivery or self.delivery
        assert done is not None
        answer = done.status if done.status is not None else done.attempts[-1].error
        return (
            f"the bot at {self.url} did not echo the challenge {self.challenge!r} "
            f"(answered {answer}: {_text(done)[:200]!r})"
        )


def _text(delivery: Delivery) -> str:
    return delivery.response_body.decode("utf-8", "replace")

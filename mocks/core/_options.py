"""Command-line options a mock adds to the flags every mock takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CliOption:
    """One extra flag of ``python -m mocks.<service>``, passed to the mock's constructor.

    ``CliOption("webhook_url", "where webhooks go")`` adds ``--webhook-url URL`` and passes
    ``webhook_url=...`` when it is given. With ``type=bool`` it is a switch
    (``--allow-unknown-models``); with ``repeat=True`` it may be given several times and
    passes a list.
    """

    name: str
    help: str
    type: Callable[[str], Any] | type[bool] = str
    metavar: str | None = None
    repeat: bool = False

    @property
    def flag(self) -> str:
        """The flag as typed: ``--webhook-url``."""
        return "--" + self.name.replace("_", "-")


__all__ = ["CliOption"]

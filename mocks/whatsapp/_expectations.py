"""The WhatsApp vocabulary of expectations: a message sent to a user, a template sent.

``mock.expect_send_message(to)`` returns a :class:`MessageExpectation` and
``mock.expect_send_template(name)`` a :class:`TemplateExpectation`; both are ordinary
engine expectations (times, latency, faults, ``verify()``) whose matcher asks their
:class:`~mocks.whatsapp._criteria.SendCriteria` about each send. Unless a response is
programmed, the mock's default behaviour answers (the send is accepted and its status
webhooks follow); ``respond_with_error(code)`` answers with a Graph error instead.

Example::

    mock.expect_send_message("15551234567").with_text("Welcome").with_buttons("Yes", "No").once()
    mock.expect_send_template("order_update").with_parameters("Alice", "42")
    mock.expect_send_message("15551234567").respond_with_error(131026)
"""

from __future__ import annotations

from typing import Self

from mocks.core import Expectation

from ._criteria import SendCriteria
from ._errors import graph_error
from ._users import normalize_phone


class SendExpectation(Expectation):
    """What both expectation kinds share: the criteria, and answering with an error."""

    criteria: SendCriteria
    _trace_id: str

    def bind(self, criteria: SendCriteria, trace_id: str) -> Self:
        """Attach the criteria the matcher checks (called once, when it is created)."""
        self.criteria = criteria
        self._trace_id = trace_id
        return self._described()

    def _described(self) -> Self:
        """Name the expectation after its criteria, so reports say what was expected."""
        self.spec.name = self.criteria.describe()
        return self

    def respond_with_error(self, code: int, details: str | None = None) -> Self:
        """Answer the send with the Graph error `code` (131026, 131030, 130429, ...),
        in the envelope and HTTP status the Cloud API uses for it."""
        error = graph_error(code, details)
        return self.respond(error.status, json=error.body(self._trace_id))

    def of_type(self, kind: str) -> Self:
        """Only a send of this type (``text``, ``image``, ...) or kind (``media``)."""
        self.criteria.type = kind
        return self._described()

    def replying_to(self, wamid: str) -> Self:
        """Only a send that replies to message `wamid` (its ``context.message_id``)."""
        self.criteria.reply_to = wamid
        return self._described()


class MessageExpectation(SendExpectation):
    """An expected message to a user; chain what it must look like."""

    def with_text(self, contains: str) -> Self:
        """Only a send whose text, as a person reads it, contains `contains` (a button
        message's body and its button titles, a caption, a filled template...)."""
        self.criteria.text_contains = contains
        return self._described()

    def with_buttons(self, *titles: str) -> Self:
        """Only an interactive send offering these buttons (or list rows) among others."""
        self.criteria.buttons = tuple(titles)
        return self._described()


class TemplateExpectation(SendExpectation):
    """An expected template send; chain its language and parameters."""

    def in_language(self, code: str) -> Self:
        """Only a send in this language (``en_US``, ``de``, ...)."""
        self.criteria.template_language = code
        return self._described()

    def with_parameters(self, *values: str) -> Self:
        """Only a send filling the template with exactly these values, in order."""
        self.criteria.template_parameters = tuple(values)
        return self._described()

    def to(self, number: str) -> Self:
        """Only a send to this phone number."""
        self.criteria.to = normalize_phone(number)
        return self._described()

"""A pywa 4.5 bot for the MockWhatsApp tests: pywa's own Flask webhook, served for real.

The bot is what a team would deploy: ``pywa.WhatsApp`` with the app secret and verify
token set (so pywa checks every signature and answers the GET handshake) and with its
phone number id and WABA id (so pywa drops updates for other numbers). Its handlers
answer through the Graph API, which the test points at the mock.

What it does:

- a text: ``ping`` -> ``pong``; ``menu`` -> reply buttons; ``list`` -> a list; ``link`` -> a
  call-to-action URL; ``flow`` -> a Flow button; ``photo`` -> uploads an image and sends it
  by id; ``photo link`` -> sends an image by link; ``order`` -> the ``order_update``
  template; ``where`` -> a location; ``read`` -> marks the message read with typing;
  anything else -> ``echo: <text>``;
- a tap on a reply button -> ``you chose <title>``; a pick from a list -> ``picked <title>``;
- an image -> downloads it and answers ``got <n> bytes, sha256 <hex>``;
- a location -> ``got location <lat>,<lon>``; contacts -> ``got contacts: <names>``;
  a completed Flow -> ``flow done: <answers>``; a reaction -> nothing (recorded);
- every status -> recorded (with its error code, for failed ones).

Used in-process by ``tests/clients/test_pywa_*.py`` and run as its own process by the
standalone test::

    python tests/whatsapp/pywa_bot.py --port 0 --graph-url http://127.0.0.1:PORT \\
        --phone-id ... --waba-id ... --token ... --app-secret ... --verify-token ...

(it prints ``READY <port>`` once it listens).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import flask
import httpx
from pywa import WhatsApp, filters, types
from werkzeug.serving import BaseWSGIServer, make_server

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@dataclass
class BotConfig:
    """What the bot is deployed with."""

    phone_id: str
    waba_id: str
    token: str
    app_secret: str
    verify_token: str
    endpoint: str = "/webhook"
    #: With an app id, pywa registers its own callback URL with the Graph API at start-up
    #: (``callback_url=``), and the Graph API runs the handshake against it.
    app_id: str | None = None


@dataclass
class Seen:
    """Everything the bot's handlers were called with, in order."""

    messages: list[types.Message] = field(default_factory=list)
    buttons: list[types.CallbackButton] = field(default_factory=list)
    selections: list[types.CallbackSelection] = field(default_factory=list)
    flows: list[types.FlowCompletion] = field(default_factory=list)
    statuses: list[types.MessageStatus] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


class PywaBot:
    """The bot, served by werkzeug on a loopback port in a background thread."""

    def __init__(self, config: BotConfig, session: httpx.Client) -> None:
        self.config = config
        self.session = session
        self.seen = Seen()
        self.fail_next = 0  # answer this many webhook POSTs with 500 before handling again
        self.fail_next_statuses = 0  # the same, counting status notifications only
        self.refused: list[int] = []  # statuses of the webhooks refused that way
        self.app = flask.Flask("pywa-bot")
        self.app.before_request(self._maybe_fail)
        self._wa: WhatsApp | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def wa(self) -> WhatsApp:
        """The pywa client (created when the bot first starts)."""
        assert self._wa is not None, "start() the bot first"
        return self._wa

    def _create_client(self) -> WhatsApp:
        config = self.config
        base = f"http://127.0.0.1:{self.port}"
        wa = WhatsApp(
            phone_id=config.phone_id,
            token=config.token,
            waba_id=config.waba_id,
            app_secret=config.app_secret,
            verify_token=config.verify_token,
            server=self.app,
            webhook_endpoint=config.endpoint,
            session=self.session,
            app_id=config.app_id,
            callback_url=base if config.app_id else None,
            webhook_challenge_delay=0,
        )
        self._wa = wa
        self._register_handlers()
        return wa

    # ---- serving ------------------------------------------------------------------

    def start(self, port: int = 0) -> PywaBot:
        """Listen on 127.0.0.1:`port` (0: any free port) in a background thread."""
        self._server = make_server("127.0.0.1", port, self.app, threaded=True)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02), daemon=True
        )
        self._thread.start()
        if self._wa is None:  # after the server listens: pywa may register its URL at once
            self._create_client()
        return self

    def stop(self) -> None:
        """Stop listening (the port is free again; `start(port)` brings the bot back)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self._server is not None
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """The webhook URL to give the mock."""
        return f"http://127.0.0.1:{self.port}{self.config.endpoint}"

    def _maybe_fail(self) -> flask.Response | None:
        if flask.request.method != "POST":
            return None
        if self.fail_next > 0:
            self.fail_next -= 1
        elif self.fail_next_statuses > 0 and b'"statuses"' in flask.request.get_data():
            self.fail_next_statuses -= 1
        else:
            return None
        self.refused.append(500)
        return flask.Response("not now", status=500)

    # ---- behaviour ----------------------------------------------------------------

    def _register_handlers(self) -> None:
        wa = self.wa
        wa.on_message(filters.text)(self._on_text)
        wa.on_message(filters.image)(self._on_image)
        wa.on_message(filters.location)(self._on_location)
        wa.on_message(filters.reaction)(self._on_other)
        wa.on_message(filters.contacts)(self._on_contacts)
        wa.on_flow_completion()(self._on_flow)
        wa.on_callback_button()(self._on_button)
        wa.on_callback_selection()(self._on_selection)
        wa.on_message_status()(self._on_status)

    def _guard(self, work: Any) -> None:
        try:
            work()
        except Exception as error:  # recorded for the test; pywa would only log it
            self.seen.errors.append(error)

    def _on_text(self, _: WhatsApp, message: types.Message) -> None:
        self.seen.messages.append(message)
        self._guard(lambda: self._answer(message, (message.text or "").strip()))

    def _answer(self, message: types.Message, text: str) -> None:
        match text.lower():
            case "ping":
                message.reply_text("pong", quote=True)
            case "menu":
                message.reply_text(
                    "What next?",
                    header="Menu",
                    footer="Tap one",
                    buttons=[
                        types.Button("Track order", "track"),
                        types.Button("Talk to us", "human"),
                    ],
                )
            case "list":
                rows = [
                    types.SectionRow("Small", "s"),
                    types.SectionRow("Large", "l", "extra room"),
                ]
                sections = [types.Section("Sizes", rows=rows)]
                message.reply_text("Pick a size", buttons=types.SectionList("Sizes", sections))
            case "link":
                message.reply_text(
                    "Our site", buttons=types.URLButton(title="Open", url="https://example.com")
                )
            case "flow":
                flow = types.FlowButton(title="Sign up", flow_id="1234", flow_action_screen="START")
                message.reply_text("Join us", buttons=flow)
            case "photo":
                media = self.wa.upload_media(PHOTO, mime_type="image/png", filename="photo.png")
                message.reply_image(media, caption="uploaded photo")
            case "photo link":
                message.reply_image("https://example.com/cat.png", caption="linked photo")
            case "order":
                self._send_order_template(message)
            case "where":
                message.reply_location(latitude=52.52, longitude=13.405, name="Office")
            case "read":
                message.indicate_typing()
                message.reply_text("read it")
            case _:
                message.reply_text(f"echo: {text}")

    def _send_order_template(self, message: types.Message) -> None:
        from pywa.types import templates as t

        self.wa.send_template(
            to=message.from_user.wa_id or "",
            name="order_update",
            language=t.TemplateLanguage.ENGLISH_US,
            params=[t.BodyText.params("Alice", "42")],
        )

    def _on_image(self, _: WhatsApp, message: types.Message) -> None:
        self.seen.messages.append(message)

        def answer() -> None:
            data = message.get_media_bytes()
            digest = hashlib.sha256(data).hexdigest()
            message.reply_text(f"got {len(data)} bytes, sha256 {digest}")

        self._guard(answer)

    def _on_location(self, _: WhatsApp, message: types.Message) -> None:
        self.seen.messages.append(message)
        location = message.location
        assert location is not None
        self._guard(
            lambda: message.reply_text(f"got location {location.latitude},{location.longitude}")
        )

    def _on_other(self, _: WhatsApp, message: types.Message) -> None:
        self.seen.messages.append(message)

    def _on_contacts(self, _: WhatsApp, message: types.Message) -> None:
        self.seen.messages.append(message)
        names = ", ".join(str(c.name.formatted_name) for c in message.contacts or [])
        self._guard(lambda: message.reply_text(f"got contacts: {names}"))

    def _on_flow(self, _: WhatsApp, completion: types.FlowCompletion) -> None:
        self.seen.flows.append(completion)
        answers = ", ".join(f"{k}={v}" for k, v in sorted(completion.response.items()))
        self._guard(lambda: completion.reply_text(f"flow done: {answers}"))

    def _on_button(self, _: WhatsApp, button: types.CallbackButton) -> None:
        self.seen.buttons.append(button)
        self._guard(lambda: button.reply_text(f"you chose {button.title}"))

    def _on_selection(self, _: WhatsApp, selection: types.CallbackSelection) -> None:
        self.seen.selections.append(selection)
        self._guard(lambda: selection.reply_text(f"picked {selection.title}"))

    def _on_status(self, _: WhatsApp, status: types.MessageStatus) -> None:
        self.seen.statuses.append(status)


def graph_session(graph_url: str) -> httpx.Client:
    """An httpx client whose requests for Meta's hosts go to `graph_url` instead.

    What a bot deployed behind a proxy does with its own HTTP client: pywa has no base-URL
    option, so the bot points its client at the Graph API it is given.
    """

    def redirect(request: httpx.Request) -> None:
        if request.url.host in ("graph.facebook.com", "lookaside.fbsbx.com"):
            target = httpx.URL(graph_url)
            request.url = request.url.copy_with(
                scheme=target.scheme, host=target.host, port=target.port
            )

    return httpx.Client(event_hooks={"request": [redirect]}, timeout=10)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app-id", default=None, help="register the callback URL at start-up")
    parser.add_argument("--graph-url", required=True)
    for name in ("phone-id", "waba-id", "token", "app-secret", "verify-token"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args(argv)
    config = BotConfig(
        args.phone_id,
        args.waba_id,
        args.token,
        args.app_secret,
        args.verify_token,
        app_id=args.app_id,
    )
    bot = PywaBot(config, graph_session(args.graph_url)).start(args.port)
    print(f"READY {bot.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

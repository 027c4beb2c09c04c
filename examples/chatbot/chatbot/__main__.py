"""``python -m chatbot [--host H] [--port P]``: serve the bot until SIGTERM or Ctrl-C.

Settings come from the environment (see `chatbot.config`); once listening it prints
``chatbot listening on http://H:P``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence

from .config import ConfigError, Settings


async def serve(settings: Settings, host: str, port: int) -> None:
    """Serve on `host`:`port` (0: any free port) until a signal says stop."""
    from aiohttp import web

    from .app import create_app

    runner = web.AppRunner(await create_app(settings))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    print(f"chatbot listening on http://{host}:{runner.addresses[0][1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bot; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m chatbot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as error:
        print(f"python -m chatbot: {error}", file=sys.stderr)
        return 2
    asyncio.run(serve(settings, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())

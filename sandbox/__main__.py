"""``python -m sandbox --port 8081``: run the local Telegram until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from sandbox.ratelimit import RateLimits
from sandbox.server import DEFAULT_TOKEN, SandboxServer


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the default bot's token")
    parser.add_argument("--username", default="kyodo_coop_bot", help="the default bot's username")
    parser.add_argument("--no-rate-limits", action="store_true", help="turn flood limits off")
    parser.add_argument(
        "--no-reference", action="store_true", help="do not validate against the full api.json"
    )
    parser.add_argument(
        "--persona",
        action="append",
        default=[],
        metavar="ID:NAME:LANG",
        help="a person to chat as on the page (repeatable)",
    )
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    server = SandboxServer(
        token=args.token,
        bot_username=args.username,
        rate_limits=RateLimits.disabled() if args.no_rate_limits else None,
        reference=not args.no_reference,
    )
    for spec in args.persona:
        user_id, name, language = [*spec.split(":"), "ja"][:3]
        server.add_persona(int(user_id), name, language)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopping.set)
    await server.start(args.host, args.port)
    print(f"Bot API:   {server.api_base_url}<token>/<method>   (e.g. token {server.token})")
    print(f"Chat page: {server.page_url}")
    print(f"Control:   {server.base_url}/_sandbox/info", flush=True)
    try:
        await stopping.wait()
    finally:
        await server.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _arguments()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()

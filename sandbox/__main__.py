"""``python -m sandbox --port 8081``: run the local Telegram and LINE until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from sandbox.line.quota import COMMUNICATION_PLAN
from sandbox.line.ratelimit import LineRateLimits
from sandbox.line.standin import LineStandIn
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
    parser.add_argument("--line-webhook", metavar="URL", help="where LINE posts the bot's events")
    parser.add_argument(
        "--line-quota",
        type=int,
        default=COMMUNICATION_PLAN,
        help="LINE messages a month (200, 5000, 30000 by plan; 0 for no limit)",
    )
    parser.add_argument(
        "--line-person",
        action="append",
        default=[],
        metavar="NAME:LANG",
        help="a LINE friend of the account to chat as on /line (repeatable)",
    )
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    server = SandboxServer(
        token=args.token,
        bot_username=args.username,
        rate_limits=RateLimits.disabled() if args.no_rate_limits else None,
        reference=not args.no_reference,
        line=LineStandIn(
            webhook_url=args.line_webhook,
            quota=args.line_quota or None,
            rate_limits=LineRateLimits.disabled() if args.no_rate_limits else None,
        ),
    )
    for spec in args.line_person:
        name, language = [*spec.split(":"), "ja"][:2]
        server.line.add_person(name, language)
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
    print(f"Control:   {server.base_url}/_sandbox/info")
    print(
        f"LINE API:  {server.line.api_base_url}   (channel access token {server.line.access_token})"
    )
    print(f"LINE chat: {server.line.page_url}   (channel secret {server.line.channel_secret})")
    print(f"LINE control: {server.base_url}/_sandbox/line/info", flush=True)
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

"""Opening Kyodo's listening sockets, so that a port already taken says which setting moves it.

A newcomer who runs `make run` while another Kyodo (or anything else) holds a port should read
what to do, not a traceback from asyncio's `create_server`."""

from __future__ import annotations

import errno
from collections.abc import Awaitable


class PortInUse(Exception):
    """A port Kyodo listens on is held by another process."""

    def __init__(self, host: str, port: int, setting: str) -> None:
        super().__init__(f"{host}:{port} is in use (set {setting} to another port)")
        self.host = host
        self.port = port
        self.setting = setting


async def listen(opening: Awaitable[object], host: str, port: int, setting: str) -> None:
    """Awaits `opening` (a site's or server's start), naming `setting` if the port is taken."""
    try:
        await opening
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise PortInUse(host, port, setting) from error

"""python-telegram-bot's `BaseRequest` on aiohttp, under the ptb transport's sends.

ptb's default `HTTPXRequest` cost ~3.5 CPU ms an update more than the raw transport's aiohttp
(httpx and httpcore per request; bench/README.md). ptb's `Bot` still builds every call and reads
every answer; only the HTTP client changes. Timeouts are classified as the raw transport's
(handlers/bot_api_post.py): a connect timeout means nothing left this process.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class ConnectTimedOut(TimedOut):
    """No connection in time: nothing was sent, a retry is safe."""


class AiohttpRequest(BaseRequest):
    """One aiohttp session with `connection_pool_size` connections, opened by `initialize`."""

    def __init__(
        self, connection_pool_size: int, connect_timeout: float, read_timeout: float
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size)
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        await self.initialize()
        assert self._session is not None  # noqa: S101 - initialize() opened it
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=(
                self._connect_timeout
                if connect_timeout is BaseRequest.DEFAULT_NONE
                else connect_timeout
            ),
            sock_read=(
                self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
            ),
        )
        data: Any = None
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                data = form
            else:
                data = request_data.json_parameters
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as answer:
                return answer.status, await answer.read()
        except aiohttp.ConnectionTimeoutError:
            raise ConnectTimedOut("connect timeout") from None
        except (aiohttp.SocketTimeoutError, TimeoutError):
            raise TimedOut("no answer in time") from None
        except aiohttp.ClientError as exc:
            # The exception's text may contain the URL, and so the token: keep only its type.
            raise NetworkError(type(exc).__name__) from None

"""The official SDK's asyncio client (``line-bot-sdk`` 3), and what its failures mean to Kyodo.

`LineClient` makes the calls Kyodo needs (reply, push and multicast with a retry key, the
month's quota and its use, a person's profile, and the rich menus': list, create, picture,
link) and turns every failure into one of `bot.ports.telegram`'s errors, or one of the
subclasses below that say more: whether the request may have reached LINE (`MaybeArrived`),
or certainly did not (`NotSent`), is what the gateway's exactly-once rests on.

LINE's clock: every answer's ``Date`` header says LINE's time, and `line_ahead` keeps how far it
runs ahead of this machine's (the intake judges a reply token's minute by it: see
handlers/line/webhook.py).

The SDK is used as the issue asks, with one exception measured: message requests (reply, push,
multicast) go through the SDK's client with their JSON body as rendered, not through its
request models, whose pydantic round trip was most of a LINE event's CPU (see `_post`). Its
client is made on first use,
inside the event loop it belongs to. With LINE's own address (`DEFAULT_API_BASE_URL`) the SDK
keeps its own hosts (api.line.me, and api-data.line.me for content); another address (the
stand-in) replaces both.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.request import getproxies

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    ApiResponse,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    RichMenuBulkLinkRequest,
    RichMenuRequest,
)

from bot.ports.line import QuotaExhausted
from bot.ports.telegram import BadRequest, GatewayError, RateLimited, TransientError

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.line.me"
_MAX_MESSAGE_ID = 2**63 - 1  # the outbox keeps a sent message's id in a BIGINT


class MaybeArrived(TransientError):
    """The request went out and no answer came (a timeout, a broken connection, a 5xx): it may
    have been carried out."""


class NotSent(TransientError):
    """The request never reached LINE (no connection): certainly not carried out."""


class InvalidReplyToken(BadRequest):
    """LINE refused the reply token: used already, or expired. Nothing was sent."""


class QuotaSpent(QuotaExhausted):
    """The month's push messages are spent (429): pushes fail until next month or a bigger
    plan; replies still go."""


class AlreadyAccepted(GatewayError):
    """409 to a retry key: LINE accepted this very request before. It is delivered."""

    def __init__(self, message_ids: list[str]) -> None:
        super().__init__("a request with this retry key was accepted before")
        self.message_ids = message_ids


def _body(error: ApiException) -> dict[str, Any]:
    try:
        body = json.loads(error.body or b"{}")
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def _sent_ids(body: dict[str, Any]) -> list[str]:
    sent = body.get("sentMessages")
    if not isinstance(sent, list):
        return []
    return [str(m["id"]) for m in sent if isinstance(m, dict) and "id" in m]


def _sent_ids_in(answer: Any) -> list[str]:
    """The message ids in a 200's body as it came (bytes). A 200 means LINE took the messages:
    a body that cannot be read (not JSON, not UTF-8) gives no ids, never an error, which the
    gateway would take for a refusal (and push the same message again)."""
    try:
        body = json.loads(answer)
    except (TypeError, ValueError):  # UnicodeDecodeError is a ValueError
        return []
    return _sent_ids(body) if isinstance(body, dict) else []


def message_id(ids: list[str]) -> int | None:
    """The last message's id as the outbox keeps it (None when LINE gave none usable)."""
    if not ids or not ids[-1].isdigit():
        return None
    value = int(ids[-1])
    return value if value <= _MAX_MESSAGE_ID else None


def translate(error: ApiException) -> GatewayError:
    """One Messaging API error answer as the gateway's error types."""
    body = _body(error)
    text = str(body.get("message") or error.reason or "")
    status = error.status or 0
    if status == 409:
        return AlreadyAccepted(_sent_ids(body))
    if status == 429:
        if "monthly limit" in text.lower():
            return QuotaSpent(text)
        return RateLimited(1.0)
    if status == 400:
        if "reply token" in text.lower():
            return InvalidReplyToken(text)
        return BadRequest(text)
    if status == 403:
        return BadRequest(text)  # this channel may not use the endpoint (its plan)
    if status >= 500:
        return MaybeArrived(f"HTTP {status}: {text}")
    # 401 and 404 mean a wrong token or address: retried with backoff rather than losing the
    # outbox to a typo (as the Telegram transports do).
    return TransientError(f"HTTP {status}: {text}")


class LineClient:
    def __init__(self, access_token: str, base_url: str = DEFAULT_API_BASE_URL) -> None:
        host = None if base_url.rstrip("/") == DEFAULT_API_BASE_URL else base_url.rstrip("/")
        self._configuration = Configuration(host=host, access_token=access_token)
        self._client: AsyncApiClient | None = None
        self._api: AsyncMessagingApi | None = None
        self._blob: AsyncMessagingApiBlob | None = None
        # Seconds LINE's clock may be ahead of this machine's, at most (0: in step, or behind).
        self.line_ahead = 0.0

    def _messaging(self) -> AsyncMessagingApi:
        if self._api is None:
            self._client = AsyncApiClient(self._configuration)
            _without_env_lookups(self._client)
            self._api = AsyncMessagingApi(self._client)
        return self._api

    def _blobs(self) -> AsyncMessagingApiBlob:
        """LINE's content host (api-data.line.me): rich menu pictures."""
        if self._blob is None:
            self._messaging()
            self._blob = AsyncMessagingApiBlob(self._client)
        return self._blob

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = self._api = self._blob = None

    async def reply(self, token: str, messages: list[dict[str, Any]], timeout: float) -> list[str]:
        answer = await self._post(
            "/v2/bot/message/reply",
            {"replyToken": token, "messages": messages},
            timeout,
        )
        return _sent_ids_in(answer)

    async def push(
        self, to: str, messages: list[dict[str, Any]], retry_key: str, timeout: float
    ) -> list[str]:
        answer = await self._post(
            "/v2/bot/message/push",
            {"to": to, "messages": messages},
            timeout,
            retry_key,
        )
        return _sent_ids_in(answer)

    async def multicast(
        self, to: list[str], messages: list[dict[str, Any]], retry_key: str, timeout: float
    ) -> None:
        """The same messages to up to 500 people in one request (LINE answers no message ids)."""
        await self._post(
            "/v2/bot/message/multicast",
            {"to": to, "messages": messages},
            timeout,
            retry_key,
        )

    async def quota(self, timeout: float) -> tuple[int | None, int]:
        """(the month's message limit, None for none; how many were sent this month)."""
        limit = await self._call(
            self._messaging().get_message_quota(_request_timeout=_timeout(timeout))
        )
        used = await self._call(
            self._messaging().get_message_quota_consumption(_request_timeout=_timeout(timeout))
        )
        value = limit.value if limit.type == "limited" else None
        return (None if value is None else int(value)), int(used.total_usage or 0)

    async def profile(self, user_id: str, timeout: float) -> tuple[str, str | None]:
        """(display name, language of their LINE app, if they let it be known)."""
        answer = await self._call(
            self._messaging().get_profile_with_http_info(
                user_id, _request_timeout=_timeout(timeout)
            )
        )
        return answer.display_name or "", answer.language

    async def rich_menus(self, timeout: float) -> list[tuple[str, str]]:
        """(id, name) of every rich menu of the channel."""
        answer = await self._call(
            self._messaging().get_rich_menu_list(_request_timeout=_timeout(timeout))
        )
        return [(str(m.rich_menu_id), str(m.name)) for m in answer.richmenus or ()]

    async def create_rich_menu(self, body: dict[str, Any], timeout: float) -> str:
        request = RichMenuRequest.from_dict(body)
        answer = await self._call(
            self._messaging().create_rich_menu(request, _request_timeout=_timeout(timeout))
        )
        return str(answer.rich_menu_id)

    async def has_rich_menu_image(self, menu_id: str, timeout: float) -> bool:
        """Whether the menu has its picture (LINE links no menu without one: 404 otherwise)."""
        try:
            await self._call(
                self._blobs().get_rich_menu_image(menu_id, _request_timeout=_timeout(timeout))
            )
        except TransientError as error:
            if "HTTP 404" in str(error):
                return False
            raise
        return True

    async def upload_rich_menu_image(self, menu_id: str, png: bytes, timeout: float) -> None:
        await self._call(
            self._blobs().set_rich_menu_image(
                menu_id,
                png,
                _headers={"Content-Type": "image/png"},
                _request_timeout=_timeout(timeout),
            )
        )

    async def delete_rich_menu(self, menu_id: str, timeout: float) -> None:
        await self._call(
            self._messaging().delete_rich_menu(menu_id, _request_timeout=_timeout(timeout))
        )

    async def link_rich_menu(self, user_id: str, menu_id: str, timeout: float) -> None:
        await self._call(
            self._messaging().link_rich_menu_id_to_user(
                user_id, menu_id, _request_timeout=_timeout(timeout)
            )
        )

    async def link_rich_menu_many(self, user_ids: list[str], menu_id: str, timeout: float) -> None:
        """One menu to up to 500 people at once (LINE's bulk link, answered 202)."""
        request = RichMenuBulkLinkRequest(richMenuId=menu_id, userIds=user_ids)
        await self._call(
            self._messaging().link_rich_menu_id_to_users(
                request, _request_timeout=_timeout(timeout)
            )
        )

    async def unlink_rich_menu(self, user_id: str, timeout: float) -> None:
        await self._call(
            self._messaging().unlink_rich_menu_id_from_user(
                user_id, _request_timeout=_timeout(timeout)
            )
        )

    async def _post(
        self,
        path: str,
        body: dict[str, Any],
        timeout: float,
        retry_key: str | None = None,
    ) -> Any:
        """A message request with its JSON body as Kyodo rendered it, through the SDK's client
        (its host, token, session and errors), without the SDK's request models: turning the
        body into pydantic models and back (``from_dict``, ``to_dict``) cost some 20 ms of CPU
        per Flex reply, four times the rest of a LINE event's handling (measured with
        bench/inbound_profile.py --line --cpu). LINE, and the stand-in, check the body. The
        answer is LINE's body as it came, bytes (its message ids read as a 409's are,
        `_sent_ids_in`), not the SDK's answer model: 0.05-0.1 ms of CPU a reply; not decoded
        by the SDK either, which raised on a body not in UTF-8 or of an unknown charset."""
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if retry_key is not None:
            headers["X-Line-Retry-Key"] = retry_key
        return await self._call(
            self._messaging().api_client.call_api(
                path,
                "POST",
                {},
                [],
                headers,
                body=body,
                post_params=[],
                files={},
                response_types_map={"200": "bytearray"},
                auth_settings=["Bearer"],
                _request_timeout=_timeout(timeout),
                _host=DEFAULT_API_BASE_URL,
                collection_formats={},
            )
        )

    async def _call(self, request: Any) -> Any:
        """The request's answer (its data, for a `*_with_http_info` request, whose headers tell
        LINE's time); LINE's error as the gateway's."""
        try:
            answer = await request
        except ApiException as error:
            self._clock_from(error.headers)
            raise translate(error) from None
        except aiohttp.ClientConnectorError as error:
            raise NotSent(type(error).__name__) from None
        except (TimeoutError, aiohttp.ClientError) as error:
            raise MaybeArrived(type(error).__name__) from None
        if isinstance(answer, ApiResponse):
            self._clock_from(answer.headers)
            return answer.data
        return answer

    def _clock_from(self, headers: Mapping[str, str] | None) -> None:
        """Keeps how far LINE's clock may run ahead of ours, from an answer's ``Date``. The header
        is cut to the second, so LINE's clock was up to a second further on (and on by the answer's
        time on the way); a clock behind ours counts as in step (a token then lives
        longer than Kyodo counts on)."""
        value = (headers or {}).get("Date")
        if not value:
            return
        try:
            line_time = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return
        self.line_ahead = max(0.0, line_time + 1.0 - time.time())


def _without_env_lookups(client: AsyncApiClient) -> None:
    """The SDK's session trusts the environment: before every request aiohttp looks for a
    proxy and a ~/.netrc entry, each in a thread of the default executor. Those two hand-overs
    were most of a request's CPU: a reply 1.2-1.4 ms, a profile 0.95, against a local server;
    0.47 and 0.41-0.45 without them. With no proxy in the environment there is nothing to
    find (netrc's credentials could not be used: the SDK sends its own Authorization header,
    and aiohttp refuses to send both), so the session gives way to one on the same connection
    pool that does not look. With a proxy set, the SDK's session stays as it is."""
    if getproxies():
        return
    rest = client.rest_client
    sdk_session: aiohttp.ClientSession = rest.pool_manager
    rest.pool_manager = aiohttp.ClientSession(connector=sdk_session.connector, trust_env=False)
    sdk_session.detach()  # the pool is the new session's now (closed with it)


def _timeout(seconds: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds)

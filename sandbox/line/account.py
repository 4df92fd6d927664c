"""The account's side endpoints: quota, profiles, bot info, followers, the webhook endpoint
(get, set, test) and the content of what people sent (the ``api-data`` host's paths).

``testWebhookEndpoint`` does what LINE's does: it POSTs a signed ``{"events": []}`` to the
endpoint and reports the answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.line.context import Answer, ApiCall, Handler, Services
from sandbox.line.errors import not_found
from sandbox.line.webhook import encode, sign


async def quota(services: Services, call: ApiCall) -> Answer:
    return Answer(body=services.quota.quota_body())


async def consumption(services: Services, call: ApiCall) -> Answer:
    return Answer(body=services.quota.consumption_body())


async def profile(services: Services, call: ApiCall) -> Answer:
    person = services.channel.people.get(call.path["userId"])
    if person is None or not person.friend:
        raise not_found()
    return Answer(body=person.profile())


async def bot_info(services: Services, call: ApiCall) -> Answer:
    channel = services.channel
    return Answer(
        body={
            "userId": channel.bot_user_id,
            "basicId": channel.basic_id,
            "displayName": channel.bot_name,
            "chatMode": "bot",
            "markAsReadMode": "auto",
        }
    )


async def followers(services: Services, call: ApiCall) -> Answer:
    limit = int(call.query.get("limit", "300"))
    start = int(call.query.get("start", "0") or 0)
    friends = [p.user_id for p in services.channel.people.values() if p.friend]
    body: dict[str, object] = {"userIds": friends[start : start + limit]}
    if start + limit < len(friends):
        body["next"] = str(start + limit)
    return Answer(body=body)


async def get_webhook(services: Services, call: ApiCall) -> Answer:
    url = services.channel.webhook_url
    return Answer(body={"endpoint": url or "", "active": url is not None})


async def set_webhook(services: Services, call: ApiCall) -> Answer:
    services.channel.webhook_url = str(call.body["endpoint"])
    services.channel.notifier.notify()
    return Answer(body={})


async def test_webhook(services: Services, call: ApiCall) -> Answer:
    url = (call.body or {}).get("endpoint") or services.channel.webhook_url
    raw = encode(services.webhooks.body([]))
    answer = await services.webhooks.post(raw, sign(raw, services.webhooks.secret), url)
    status = int(answer) if answer.isdigit() else 0
    return Answer(
        body={
            "success": 200 <= status < 300,
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "statusCode": status,
            "reason": "OK" if 200 <= status < 300 else "ERROR",
            "detail": answer,
        }
    )


async def content(services: Services, call: ApiCall) -> Answer:
    found = services.channel.contents.get(call.path["messageId"])
    if found is None:
        raise not_found()
    return Answer(blob=found.data, content_type=found.content_type)


async def preview(services: Services, call: ApiCall) -> Answer:
    found = services.channel.contents.get(call.path["messageId"])
    if found is None or not found.content_type.startswith("image/"):
        raise not_found()
    return Answer(blob=found.data, content_type=found.content_type)


async def transcoding(services: Services, call: ApiCall) -> Answer:
    if call.path["messageId"] not in services.channel.contents:
        raise not_found()
    return Answer(body={"status": "succeeded"})


HANDLERS: dict[str, Handler] = {
    "getMessageQuota": quota,
    "getMessageQuotaConsumption": consumption,
    "getProfile": profile,
    "getBotInfo": bot_info,
    "getFollowers": followers,
    "getWebhookEndpoint": get_webhook,
    "setWebhookEndpoint": set_webhook,
    "testWebhookEndpoint": test_webhook,
    "getMessageContent": content,
    "getMessageContentPreview": preview,
    "getMessageContentTranscodingByMessageId": transcoding,
}

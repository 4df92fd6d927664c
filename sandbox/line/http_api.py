"""The Messaging API over HTTP: one aiohttp handler for every path LINE's OpenAPI file names.

A request goes: find its operation (an undocumented path is a 404 and a violation) -> Bearer
token (401 with LINE's message) -> rate limit (429) -> injected fault, if any -> query and
header parameters and the body against the schema and ``rules`` (400 with ``details``, recorded
as a violation) -> the operation's handler (an operation the stand-in does not implement is a
501 and a violation: the bot relies on something nothing here checks). Every answer carries
``X-Line-Request-Id`` and a ``Date`` on the stand-in's clock (so a bot that reads LINE's time
from it sees the minute a test lets pass); a JSON answer is itself checked against the schema
the file documents for its status (a mismatch is the stand-in's bug, recorded as a violation).
The ``api-data`` host's paths (content, rich menu images) are served on the same host: the
SDK's ``Configuration(host=...)`` replaces both hosts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from email.utils import formatdate
from typing import Any

from aiohttp import web

from sandbox.faults import FaultInjector
from sandbox.line import account, ids, messaging, richmenus, rules
from sandbox.line.context import Answer, ApiCall, Handler, Services
from sandbox.line.errors import LineError, invalid_body, not_found, rate_limited, unauthorized
from sandbox.line.ratelimit import LineRateLimiter
from sandbox.line.record import Call, Record, Violation
from sandbox.line.schema import Checker, Problem
from sandbox.line.spec import Document, Operation

HANDLERS: dict[str, Handler] = {**messaging.HANDLERS, **account.HANDLERS, **richmenus.HANDLERS}


class LineApi:
    def __init__(
        self,
        services: Services,
        document: Document,
        checker: Checker,
        limiter: LineRateLimiter,
        faults: FaultInjector,
        access_token: str,
        closing: asyncio.Event,
    ) -> None:
        self.services = services
        self.document = document
        self.checker = checker
        self.limiter = limiter
        self.faults = faults
        self.access_token = access_token
        self.closing = closing

    @property
    def record(self) -> Record:
        return self.services.record

    async def handle(self, request: web.Request) -> web.StreamResponse:
        request_id = ids.request_id()
        found = self.document.operation(request.method, request.path)
        if found is None:
            error = not_found(violation=True)
            self._failed(f"{request.method} {request.path}", None, error)
            return _error_response(error, self._headers(request_id))
        operation, params = found
        body: Any = None
        try:
            self._authorize(request)
            if not self.limiter.allow(operation.operation_id):
                self.record.stats["rate_limited"] += 1
                raise rate_limited()
            await self._fault(operation.operation_id)
            body = await self._body(request, operation)
            call = ApiCall(
                operation,
                params,
                request.query,
                request.headers,
                body,
                request.content_type if request.body_exists else None,
                request_id,
            )
            self._check(call)
            handler = HANDLERS.get(operation.operation_id)
            if handler is None:
                raise LineError(
                    501,
                    f"{operation.operation_id} is not implemented by the stand-in",
                    violation=True,
                )
            answer = await handler(self.services, call)
        except LineError as error:
            self._failed(operation.operation_id, body, error, request.headers)
            return _error_response(error, self._headers(request_id))
        self._check_answer(operation, answer)
        self.record.call(
            Call(
                operation.operation_id,
                answer.status,
                _printable(body),
                request.headers.get("X-Line-Retry-Key"),
            )
        )
        return _response(answer, self._headers(request_id))

    def _headers(self, request_id: str) -> dict[str, str]:
        return {
            "X-Line-Request-Id": request_id,
            "Date": formatdate(self.services.channel.clock.now(), usegmt=True),
        }

    # -- steps ---------------------------------------------------------------------------------

    def _authorize(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            self.record.stats["unauthorized"] += 1
            raise unauthorized()

    async def _fault(self, operation_id: str) -> None:
        fault = self.faults.take(operation_id)
        if fault is None:
            return
        self.record.stats["faults_injected"] += 1
        if fault.kind == "429":
            raise rate_limited()
        if fault.kind == "500":
            raise LineError(500, "Internal server error")
        if fault.kind == "403":
            raise LineError(403, "Forbidden")
        try:
            await asyncio.wait_for(self.closing.wait(), fault.delay)
        except TimeoutError:
            return
        raise LineError(500, "The stand-in is stopping")

    async def _body(self, request: web.Request, operation: Operation) -> Any:
        content_type, _schema, required = operation.request_schema()
        if content_type is None:
            return None
        if content_type != "application/json":
            return await request.read()
        raw = await request.read()
        if not raw:
            if required:
                raise invalid_body([Problem("", "The request body is required")])
            return None
        if request.content_type != "application/json":
            raise LineError(400, "The Content-Type must be application/json", violation=True)
        try:
            return json.loads(raw)
        except ValueError as error:
            raise LineError(
                400, "The request body could not be parsed as JSON", violation=True
            ) from error

    def _check(self, call: ApiCall) -> None:
        problems = _parameters(self.checker, call.operation, call.query, call.headers)
        _type, schema, _required = call.operation.request_schema()
        if schema is not None and call.body is not None and not isinstance(call.body, bytes):
            problems += self.checker.check(schema, call.body)
            if not problems:
                problems += rules.check(call.operation.operation_id, call.body)
        if problems:
            violation = call.operation.operation_id not in messaging.VALIDATION_ONLY
            raise invalid_body(problems, violation=violation)

    def _check_answer(self, operation: Operation, answer: Answer) -> None:
        schema = operation.response_schema(answer.status)
        if schema is None or answer.blob is not None:
            return
        for problem in self.checker.check(schema, answer.body):
            self.record.violation(
                Violation(
                    operation.operation_id,
                    f"the stand-in's answer: {problem.property}: {problem.message}",
                    answer.body,
                    "messaging-api.yml",
                )
            )

    def _failed(
        self,
        operation: str,
        body: Any,
        error: LineError,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        retry_key = headers.get("X-Line-Retry-Key") if headers else None
        self.record.call(Call(operation, error.status, _printable(body), retry_key))
        if error.violation:
            self.record.violation(
                Violation(operation, error.describe(), _printable(body), "messaging-api.yml")
            )


def _parameters(
    checker: Checker,
    operation: Operation,
    query: Mapping[str, str],
    headers: Mapping[str, str],
) -> list[Problem]:
    problems: list[Problem] = []
    for parameter in operation.parameters:
        where = parameter["in"]
        if where not in {"query", "header"}:
            continue
        name = parameter["name"]
        raw = (query if where == "query" else headers).get(name)
        if raw is None:
            if parameter.get("required"):
                problems.append(Problem(name, "must be specified"))
            continue
        schema = parameter.get("schema", {})
        value: Any = raw
        if schema.get("type") == "integer":
            try:
                value = int(raw)
            except ValueError:
                problems.append(Problem(name, "must be an integer"))
                continue
        problems += checker.check(schema, value, name)
    return problems


def _printable(body: Any) -> Any:
    return f"<{len(body)} bytes>" if isinstance(body, bytes) else body


def _response(answer: Answer, headers: dict[str, str]) -> web.Response:
    if answer.blob is not None:
        return web.Response(
            body=answer.blob,
            status=answer.status,
            content_type=answer.content_type or "application/octet-stream",
            headers=headers,
        )
    return web.json_response(
        answer.body,
        status=answer.status,
        headers=headers,
        dumps=lambda o: json.dumps(o, ensure_ascii=False),
    )


def _error_response(error: LineError, headers: dict[str, str]) -> web.Response:
    return web.json_response(
        error.payload(),
        status=error.status,
        headers={**headers, **error.headers},
        dumps=lambda o: json.dumps(o, ensure_ascii=False),
    )


def setup_api(app: web.Application, api: LineApi) -> None:
    # Every Messaging API path the stand-in serves starts so; Telegram's are /bot<token>/...
    app.router.add_route("*", "/v2/bot/{tail:.*}", api.handle)

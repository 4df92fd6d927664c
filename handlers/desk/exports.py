"""The desk's Exports page: a month's hours for payroll as CSV (UTF-8 for Excel, or Shift_JIS)
or an Excel workbook, in the staff member's language.

`GET /desk/exports` shows the form (month, centre, approved only or all, format); `POST` (CSRF
checked by the desk's guard, like every form) answers with the file as a download. Exporting
writes an audit row, which is why it is a POST. The file is made by the same service as
`kyodo export hours`.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.domain.errors import InvalidInput, NotFound
from bot.domain.exports import ExportFormat, HoursQuery, HoursScope, parse_month
from bot.services import memberships
from bot.services.exports import hours_export, hours_file
from handlers.desk.context import config, int_arg, now, render, translator, unit, user


def _last_month(today: date) -> date:
    """Payroll is made after a month ends: the form offers the month before this one."""
    first = today.replace(day=1)
    return date(first.year - 1, 12, 1) if first.month == 1 else first.replace(month=first.month - 1)


async def _form(
    request: web.Request, values: dict[str, str], error: str | None, *, status: int = 200
) -> web.Response:
    async with unit(request) as uow:
        centres = await memberships.centres_in_scope(uow, user(request).actor)
    context = {
        "centres": centres,
        "values": values,
        "error": translator(request)(f"exports.error.{error}") if error else None,
        "formats": [f.value for f in ExportFormat],
        "scopes": [s.value for s in HoursScope],
    }
    return render(request, "exports.html", context, status=status)


async def form(request: web.Request) -> web.Response:
    today = now(request).astimezone(config(request).tz).date()
    values = {
        "month": f"{_last_month(today):%Y-%m}",
        "centre": "",
        "scope": HoursScope.APPROVED.value,
        "format": ExportFormat.CSV.value,
    }
    return await _form(request, values, None)


async def download(request: web.Request) -> web.StreamResponse:
    posted = await request.post()
    values = {
        key: str(posted.get(key) or "")[:40] for key in ("month", "centre", "scope", "format")
    }
    try:
        month = parse_month(values["month"])
    except InvalidInput as error:
        return await _form(request, values, error.code, status=400)
    if values["format"] not in {f.value for f in ExportFormat} or values["scope"] not in {
        s.value for s in HoursScope
    }:
        return await _form(request, values, "export_format", status=400)
    centre_id = int_arg(values["centre"]) if values["centre"] else None
    if values["centre"] and centre_id is None:
        return await _form(request, values, "export_centre", status=400)
    query = HoursQuery(month=month, centre_id=centre_id, scope=HoursScope(values["scope"]))
    actor = user(request).actor
    i18n = config(request).i18n
    try:
        async with unit(request) as uow:
            export = await hours_export(uow, actor, query, now(request))
    except NotFound as error:
        return await _form(request, values, error.code, status=400)
    fmt = ExportFormat(values["format"])
    file = await hours_file(export, fmt, lambda key: i18n.gettext(key, actor.locale), actor.locale)
    return web.Response(
        body=file.content,
        headers={
            "Content-Type": file.content_type,
            # ASCII file names only (domain.exports.filename), so no RFC 5987 encoding is needed.
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            # How many characters Shift_JIS could not hold (written as 〓); 0 for the others.
            "X-Kyodo-Replaced-Characters": str(file.replaced),
        },
    )


def setup_exports(app: web.Application) -> None:
    app.router.add_get("/exports", form)
    app.router.add_post("/exports", download)

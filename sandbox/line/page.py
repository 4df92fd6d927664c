"""The LINE-style chat page: ``/line``, with its own static files under ``/line-static/``
(apart from the Telegram page's ``/static/``, which another page owns)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).resolve().parent / "static"


def setup_page(app: web.Application) -> None:
    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "line.html", headers={"Cache-Control": "no-store"})

    app.router.add_get("/line", index)
    app.router.add_static("/line-static/", STATIC, show_index=False)

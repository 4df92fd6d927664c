"""The browser chat page: static HTML, CSS and vanilla JavaScript under ``sandbox/static``."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC = Path(__file__).resolve().parent / "static"


def setup_page(app: web.Application) -> None:
    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, show_index=False)

"""The staff web desk: Kyodo's review queues (hours, service requests, volunteers), shifts, centres,
assemblies, broadcasts, people, deliveries that need a person, the audit log and payroll
exports in a browser, mounted under
`/desk` on Kyodo's own aiohttp server.

    web_app.add_subapp("/desk", make_desk_app(DeskConfig(...)))

One `setup_*` per concern; the app state is typed with `web.AppKey`s (handlers.desk.context).
Handlers reach the store only through the core's services and the unit of work they are given.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from aiohttp import web

from handlers.desk.assemblies import setup_assemblies
from handlers.desk.audit import setup_audit
from handlers.desk.auth import setup_auth
from handlers.desk.broadcasts import setup_broadcasts
from handlers.desk.centres import setup_centres
from handlers.desk.context import DESK, TEMPLATES, DeskConfig, render
from handlers.desk.conversations import setup_conversations
from handlers.desk.deliveries import setup_deliveries
from handlers.desk.exports import setup_exports
from handlers.desk.hours import setup_hours
from handlers.desk.line_undelivered import setup_line_undelivered
from handlers.desk.links import setup_links
from handlers.desk.members import setup_members
from handlers.desk.people import setup_people
from handlers.desk.requests import setup_requests
from handlers.desk.shifts import setup_shifts
from handlers.desk.volunteers import setup_volunteers

HERE = Path(__file__).resolve().parent


async def home(request: web.Request) -> web.Response:
    return render(request, "home.html")


def setup_templates(app: web.Application) -> None:
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # everything people typed is escaped, always
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def setup_static(app: web.Application) -> None:
    app.router.add_static("/static", HERE / "static", append_version=False)


def make_desk_app(config: DeskConfig) -> web.Application:
    app = web.Application()
    app[DESK] = config
    setup_templates(app)
    setup_auth(app)
    setup_static(app)
    app.router.add_get("/", home)
    setup_hours(app)
    setup_requests(app)
    setup_volunteers(app)
    setup_conversations(app)
    setup_broadcasts(app)
    setup_shifts(app)
    setup_centres(app)
    setup_members(app)
    setup_assemblies(app)
    setup_people(app)
    setup_links(app)
    setup_deliveries(app)
    setup_line_undelivered(app)
    setup_audit(app)
    setup_exports(app)
    return app


async def _to_desk(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/desk/")


def setup_desk(app: web.Application, config: DeskConfig) -> None:
    """Mounts the desk on Kyodo's web app at /desk."""
    app.router.add_get("/desk", _to_desk)
    app.add_subapp("/desk", make_desk_app(config))


__all__ = ["DeskConfig", "make_desk_app", "setup_desk"]

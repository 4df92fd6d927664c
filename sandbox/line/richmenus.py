"""Rich menus: create, upload the image (once), link to a person or set as default, list,
read, delete.

As LINE: a menu's image is JPEG or PNG, at most 1 MB, and cannot be replaced; a menu without an
image cannot be linked or made the default; a person's own link wins over the default; deleting
a menu unlinks it everywhere. Bulk link and unlink answer 202.
"""

from __future__ import annotations

from sandbox.line import ids
from sandbox.line.context import Answer, ApiCall, Handler, Services
from sandbox.line.errors import LineError, not_found
from sandbox.line.state import RichMenu

IMAGE_BYTES = 1024 * 1024
_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def _menu(services: Services, menu_id: str, *, with_image: bool = False) -> RichMenu:
    menu = services.channel.rich_menus.get(menu_id)
    if menu is None:
        raise not_found(violation=True)
    if with_image and menu.image is None:
        raise LineError(
            400, "must upload richmenu image before applying it to user", violation=True
        )
    return menu


async def create(services: Services, call: ApiCall) -> Answer:
    menu = RichMenu(ids.rich_menu_id(), dict(call.body))
    services.channel.rich_menus[menu.id] = menu
    return Answer(body={"richMenuId": menu.id})


async def validate(services: Services, call: ApiCall) -> Answer:
    return Answer(body={})


async def upload_image(services: Services, call: ApiCall) -> Answer:
    menu = _menu(services, call.path["richMenuId"])
    data = call.body if isinstance(call.body, bytes) else b""
    magic = _MAGIC.get(call.content_type or "")
    if magic is None or not data.startswith(magic):
        raise LineError(400, "The image must be a JPEG or PNG file", violation=True)
    if len(data) > IMAGE_BYTES:
        raise LineError(400, "The image must be at most 1 MB", violation=True)
    if menu.image is not None:
        raise LineError(400, "An image has already been uploaded to the richmenu", violation=True)
    menu.image, menu.image_type = data, call.content_type
    services.channel.notifier.notify()
    return Answer(body={})


async def download_image(services: Services, call: ApiCall) -> Answer:
    menu = _menu(services, call.path["richMenuId"])
    if menu.image is None:
        raise not_found()
    return Answer(blob=menu.image, content_type=menu.image_type)


async def get(services: Services, call: ApiCall) -> Answer:
    return Answer(body=_menu(services, call.path["richMenuId"]).response())


async def listing(services: Services, call: ApiCall) -> Answer:
    menus = services.channel.rich_menus.values()
    return Answer(body={"richmenus": [menu.response() for menu in menus]})


async def delete(services: Services, call: ApiCall) -> Answer:
    channel = services.channel
    menu = _menu(services, call.path["richMenuId"])
    del channel.rich_menus[menu.id]
    for person in channel.people.values():
        if person.rich_menu_id == menu.id:
            person.rich_menu_id = None
    if channel.default_rich_menu == menu.id:
        channel.default_rich_menu = None
    channel.notifier.notify()
    return Answer(body={})


async def set_default(services: Services, call: ApiCall) -> Answer:
    services.channel.default_rich_menu = _menu(
        services, call.path["richMenuId"], with_image=True
    ).id
    services.channel.notifier.notify()
    return Answer(body={})


async def get_default(services: Services, call: ApiCall) -> Answer:
    menu_id = services.channel.default_rich_menu
    if menu_id is None:
        raise LineError(404, "no default richmenu")
    return Answer(body={"richMenuId": menu_id})


async def cancel_default(services: Services, call: ApiCall) -> Answer:
    services.channel.default_rich_menu = None
    services.channel.notifier.notify()
    return Answer(body={})


def _link(services: Services, user_ids: list[str], menu_id: str | None) -> None:
    for user_id in user_ids:
        person = services.channel.people.get(user_id)
        if person is not None:
            person.rich_menu_id = menu_id
    services.channel.notifier.notify()


async def link(services: Services, call: ApiCall) -> Answer:
    menu = _menu(services, call.path["richMenuId"], with_image=True)
    if call.path["userId"] not in services.channel.people:
        raise LineError(400, "The user ID is invalid", violation=True)
    _link(services, [call.path["userId"]], menu.id)
    return Answer(body={})


async def link_many(services: Services, call: ApiCall) -> Answer:
    menu = _menu(services, str(call.body["richMenuId"]), with_image=True)
    _link(services, [str(u) for u in call.body["userIds"]], menu.id)
    return Answer(status=202, body={})


async def user_menu(services: Services, call: ApiCall) -> Answer:
    person = services.channel.people.get(call.path["userId"])
    if person is None or person.rich_menu_id is None:
        raise LineError(404, "the user has no richmenu")
    return Answer(body={"richMenuId": person.rich_menu_id})


async def unlink(services: Services, call: ApiCall) -> Answer:
    _link(services, [call.path["userId"]], None)
    return Answer(body={})


async def unlink_many(services: Services, call: ApiCall) -> Answer:
    _link(services, [str(u) for u in call.body["userIds"]], None)
    return Answer(status=202, body={})


HANDLERS: dict[str, Handler] = {
    "createRichMenu": create,
    "validateRichMenuObject": validate,
    "setRichMenuImage": upload_image,
    "getRichMenuImage": download_image,
    "getRichMenu": get,
    "getRichMenuList": listing,
    "deleteRichMenu": delete,
    "setDefaultRichMenu": set_default,
    "getDefaultRichMenuId": get_default,
    "cancelDefaultRichMenu": cancel_default,
    "linkRichMenuIdToUser": link,
    "linkRichMenuIdToUsers": link_many,
    "getRichMenuIdOfUser": user_menu,
    "unlinkRichMenuIdFromUser": unlink,
    "unlinkRichMenuIdFromUsers": unlink_many,
}

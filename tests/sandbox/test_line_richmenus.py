"""Rich menus on the LINE stand-in through the official SDK: create, upload the image, link a
menu to a person or make it the default, list, delete; a person taps an area."""

from __future__ import annotations

import json

import pytest
from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)

from sandbox.line.events import png
from sandbox.line.standin import LineStandIn
from tests.fixtures.line import RawLine, SdkBot


def menu(name: str, *actions: str) -> RichMenuRequest:
    width = 2500 // len(actions)
    return RichMenuRequest(
        size=RichMenuSize(width=2500, height=843),
        selected=True,
        name=name,
        chat_bar_text="メニュー",
        areas=[
            RichMenuArea(
                bounds=RichMenuBounds(x=n * width, y=0, width=width, height=843),
                action=PostbackAction(label=data, data=data, display_text=data),
            )
            for n, data in enumerate(actions)
        ],
    )


async def created(
    line_api: AsyncMessagingApi, line_blob: AsyncMessagingApiBlob, request: RichMenuRequest
) -> str:
    menu_id = (await line_api.create_rich_menu(request)).rich_menu_id
    await line_blob.set_rich_menu_image(
        menu_id, png(2500, 843), _headers={"Content-Type": "image/png"}
    )
    return str(menu_id)


async def test_a_menu_per_role_linked_per_person_over_the_default(
    line: LineStandIn,
    line_bot: SdkBot,
    line_api: AsyncMessagingApi,
    line_blob: AsyncMessagingApiBlob,
) -> None:
    member = await created(line_api, line_blob, menu("member", "hours", "shifts"))
    staff = await created(line_api, line_blob, menu("staff", "desk", "broadcast", "people"))
    hana, sato = line.add_person("花子"), line.add_person("佐藤")

    await line_api.set_default_rich_menu(member)
    await line_api.link_rich_menu_id_to_user(sato.user_id, staff)

    assert (await line_api.get_default_rich_menu_id()).rich_menu_id == member
    assert (await line_api.get_rich_menu_id_of_user(sato.user_id)).rich_menu_id == staff
    with pytest.raises(ApiException) as none_linked:
        await line_api.get_rich_menu_id_of_user(hana.user_id)
    assert none_linked.value.status == 404
    listed = await line_api.get_rich_menu_list()
    assert sorted(m.name for m in listed.richmenus) == ["member", "staff"]
    assert (await line_api.get_rich_menu(staff)).chat_bar_text == "メニュー"
    assert bytes(await line_blob.get_rich_menu_image(staff)) == png(2500, 843)

    line.taps_rich_menu(hana.user_id, 1)
    line.taps_rich_menu(sato.user_id, 2)
    hana_tap, sato_tap = await line_bot.wait_for_events(2)
    assert (hana_tap.postback.data, sato_tap.postback.data) == ("shifts", "people")
    assert [e.text for e in line.chat(sato.user_id)] == ["people"]  # the displayText

    await line_api.unlink_rich_menu_id_from_user(sato.user_id)
    line.taps_rich_menu(sato.user_id, 0)
    assert (await line_bot.wait_for_events(3))[-1].postback.data == "hours"

    await line_api.delete_rich_menu(member)
    with pytest.raises(ApiException) as gone:
        await line_api.get_default_rich_menu_id()
    assert gone.value.status == 404
    with pytest.raises(LookupError):
        line.taps_rich_menu(hana.user_id, 0)


@pytest.mark.line_violations_expected
async def test_a_menu_needs_its_image_before_it_is_linked_and_keeps_it(
    line: LineStandIn, line_api: AsyncMessagingApi, line_blob: AsyncMessagingApiBlob
) -> None:
    hana = line.add_person("花子")
    menu_id = (await line_api.create_rich_menu(menu("member", "hours"))).rich_menu_id

    with pytest.raises(ApiException) as no_image:
        await line_api.link_rich_menu_id_to_user(hana.user_id, menu_id)
    with pytest.raises(ApiException) as not_an_image:
        await line_blob.set_rich_menu_image(
            menu_id, b"GIF89a...", _headers={"Content-Type": "image/gif"}
        )
    await line_blob.set_rich_menu_image(
        menu_id, png(2500, 843), _headers={"Content-Type": "image/png"}
    )
    with pytest.raises(ApiException) as replaced:
        await line_blob.set_rich_menu_image(
            menu_id, png(2500, 843), _headers={"Content-Type": "image/png"}
        )

    assert no_image.value.status == not_an_image.value.status == replaced.value.status == 400
    assert json.loads(replaced.value.body)["message"] == (
        "An image has already been uploaded to the richmenu"
    )
    assert len(line.violations) == 3


@pytest.mark.line_violations_expected
async def test_a_menu_missing_fields_or_out_of_bounds_is_refused(
    line: LineStandIn, line_raw: RawLine
) -> None:
    status, body = await line_raw(
        "POST",
        "/v2/bot/richmenu",
        {
            "size": {"width": 2500, "height": 843},
            "name": "member",
            "areas": [
                {
                    "bounds": {"x": 2000, "y": 0, "width": 1000, "height": 843},
                    "action": {"type": "postback", "data": "x"},
                }
            ],
        },
    )

    assert status == 400
    assert body["details"] == [
        {"message": "must be specified", "property": "selected"},
        {"message": "must be specified", "property": "chatBarText"},
        {"message": "must lie in the menu", "property": "areas[0].bounds"},
    ]

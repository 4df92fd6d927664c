"""Webhook event objects as LINE builds them for what a person does in a one-to-one chat.

Every event has ``type``, ``mode`` ("active"), ``timestamp`` (ms), ``source`` (the user),
``webhookEventId`` (a ULID) and ``deliveryContext.isRedelivery``; message, postback and follow
events carry a ``replyToken``. Message ids are numeric strings; images and audio are "provided by
LINE" (their bytes come from the content API).
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from sandbox.line import ids


def event(kind: str, user_id: str, millis: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": millis,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": ids.ulid(millis),
        "deliveryContext": {"isRedelivery": False},
        **fields,
    }


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "id": ids.message_id(), "quoteToken": ids.quote_token(), "text": value}


def image() -> dict[str, Any]:
    return {
        "type": "image",
        "id": ids.message_id(),
        "quoteToken": ids.quote_token(),
        "contentProvider": {"type": "line"},
    }


def audio(duration_ms: int) -> dict[str, Any]:
    return {
        "type": "audio",
        "id": ids.message_id(),
        "duration": duration_ms,
        "contentProvider": {"type": "line"},
    }


def sticker(package_id: str, sticker_id: str) -> dict[str, Any]:
    return {
        "type": "sticker",
        "id": ids.message_id(),
        "quoteToken": ids.quote_token(),
        "packageId": package_id,
        "stickerId": sticker_id,
        "stickerResourceType": "STATIC",
        "keywords": ["OK", "Thanks"],
    }


def postback(data: str, params: dict[str, str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data}
    if params:
        body["params"] = dict(params)
    return body


def png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (6, 199, 85)) -> bytes:
    """A small valid PNG of one colour (LINE's green): what a person's photo looks like here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def m4a_stub() -> bytes:
    """The opening ``ftyp`` box of an M4A file: stands for a voice message's bytes when a test
    gives none (it is not playable audio; pass real bytes where that matters)."""
    brands = b"M4A \x00\x00\x00\x00M4A mp42isom"
    return struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands

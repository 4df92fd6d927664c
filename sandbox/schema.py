"""The sandbox's own compact description of the Bot API methods and types Kyodo uses.

Written by hand from the official reference (Bot API 10.0); it is not a copy of any
machine-readable file. It drives the sandbox's validation everywhere, also where the full
reference (``api.json``) is absent. Limits that the reference states in prose ("1-4096
characters") are explicit here; ``after_entities`` marks lengths counted after parsing
``parse_mode`` markup, and ``error`` carries the exact wording Telegram answers with.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limit:
    low: int
    high: int
    unit: str  # "characters" or "bytes"
    after_entities: bool = False


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool = False
    limit: Limit | None = None
    # Telegram's own wording for a length violation of this field, when it has one.
    error: str | None = None
    # The fixed value of a discriminator field ("type" of BotCommandScopeChat is "chat").
    constant: str | None = None


@dataclass(frozen=True)
class ObjectType:
    name: str
    fields: tuple[Field, ...] = ()
    subtypes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Method:
    name: str
    fields: tuple[Field, ...] = ()


@dataclass
class Spec:
    """Methods and types, as either this module or the full reference describes them."""

    source: str
    methods: dict[str, Method] = field(default_factory=dict)
    types: dict[str, ObjectType] = field(default_factory=dict)


def _f(name: str, *types: str, required: bool = False, **kw: object) -> Field:
    return Field(name, tuple(types), required, **kw)  # type: ignore[arg-type]


_TEXT = Limit(1, 4096, "characters", after_entities=True)
_CHAT = ("Integer", "String")
_REPLY_MARKUP = ("InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply")
_SEND_COMMON = (
    _f("business_connection_id", "String"),
    _f("message_thread_id", "Integer"),
    _f("direct_messages_topic_id", "Integer"),
    _f("disable_notification", "Boolean"),
    _f("protect_content", "Boolean"),
    _f("allow_paid_broadcast", "Boolean"),
    _f("message_effect_id", "String"),
    _f("suggested_post_parameters", "SuggestedPostParameters"),
    _f("reply_parameters", "ReplyParameters"),
    _f("reply_markup", *_REPLY_MARKUP),
)
_CAPTION = (
    _f(
        "caption",
        "String",
        limit=Limit(0, 1024, "characters", after_entities=True),
        error="message caption is too long",
    ),
    _f("parse_mode", "String"),
    _f("caption_entities", "Array of MessageEntity"),
    _f("show_caption_above_media", "Boolean"),
)
_SCOPE_AND_LANGUAGE = (_f("scope", "BotCommandScope"), _f("language_code", "String"))

_METHODS = (
    Method("getMe"),
    Method("logOut"),
    Method("close"),
    Method(
        "getUpdates",
        (
            _f("offset", "Integer"),
            _f("limit", "Integer"),
            _f("timeout", "Integer"),
            _f("allowed_updates", "Array of String"),
        ),
    ),
    Method(
        "setWebhook",
        (
            _f("url", "String", required=True),
            _f("certificate", "InputFile"),
            _f("ip_address", "String"),
            _f("max_connections", "Integer"),
            _f("allowed_updates", "Array of String"),
            _f("drop_pending_updates", "Boolean"),
            _f("secret_token", "String", limit=Limit(1, 256, "characters")),
        ),
    ),
    Method("deleteWebhook", (_f("drop_pending_updates", "Boolean"),)),
    Method("getFile", (_f("file_id", "String", required=True),)),
    Method("getWebhookInfo"),
    Method(
        "sendMessage",
        (
            _f("chat_id", *_CHAT, required=True),
            _f("text", "String", required=True, limit=_TEXT, error="message is too long"),
            _f("parse_mode", "String"),
            _f("entities", "Array of MessageEntity"),
            _f("link_preview_options", "LinkPreviewOptions"),
            *_SEND_COMMON,
        ),
    ),
    Method(
        "sendPhoto",
        (
            _f("chat_id", *_CHAT, required=True),
            _f("photo", "InputFile", "String", required=True),
            _f("has_spoiler", "Boolean"),
            *_CAPTION,
            *_SEND_COMMON,
        ),
    ),
    Method(
        "sendVoice",
        (
            _f("chat_id", *_CHAT, required=True),
            _f("voice", "InputFile", "String", required=True),
            _f("duration", "Integer"),
            *_CAPTION,
            *_SEND_COMMON,
        ),
    ),
    Method(
        "sendDocument",
        (
            _f("chat_id", *_CHAT, required=True),
            _f("document", "InputFile", "String", required=True),
            _f("thumbnail", "InputFile", "String"),
            _f("disable_content_type_detection", "Boolean"),
            *_CAPTION,
            *_SEND_COMMON,
        ),
    ),
    Method(
        "sendChatAction",
        (
            _f("business_connection_id", "String"),
            _f("chat_id", *_CHAT, required=True),
            _f("message_thread_id", "Integer"),
            _f("action", "String", required=True),
        ),
    ),
    Method(
        "editMessageText",
        (
            _f("business_connection_id", "String"),
            _f("chat_id", *_CHAT),
            _f("message_id", "Integer"),
            _f("inline_message_id", "String"),
            _f("text", "String", required=True, limit=_TEXT, error="message is too long"),
            _f("parse_mode", "String"),
            _f("entities", "Array of MessageEntity"),
            _f("link_preview_options", "LinkPreviewOptions"),
            _f("reply_markup", "InlineKeyboardMarkup"),
        ),
    ),
    Method(
        "editMessageReplyMarkup",
        (
            _f("business_connection_id", "String"),
            _f("chat_id", *_CHAT),
            _f("message_id", "Integer"),
            _f("inline_message_id", "String"),
            _f("reply_markup", "InlineKeyboardMarkup"),
        ),
    ),
    Method(
        "deleteMessage",
        (
            _f("chat_id", *_CHAT, required=True),
            _f("message_id", "Integer", required=True),
        ),
    ),
    Method(
        "answerCallbackQuery",
        (
            _f("callback_query_id", "String", required=True),
            _f("text", "String", limit=Limit(0, 200, "characters"), error="MESSAGE_TOO_LONG"),
            _f("show_alert", "Boolean"),
            _f("url", "String"),
            _f("cache_time", "Integer"),
        ),
    ),
    Method(
        "setMyCommands",
        (_f("commands", "Array of BotCommand", required=True), *_SCOPE_AND_LANGUAGE),
    ),
    Method("getMyCommands", _SCOPE_AND_LANGUAGE),
    Method("deleteMyCommands", _SCOPE_AND_LANGUAGE),
    Method("setChatMenuButton", (_f("chat_id", "Integer"), _f("menu_button", "MenuButton"))),
    Method("getChatMenuButton", (_f("chat_id", "Integer"),)),
    Method("getChat", (_f("chat_id", *_CHAT, required=True),)),
)


def _scope(name: str, constant: str, *extra: Field) -> ObjectType:
    return ObjectType(name, (_f("type", "String", required=True, constant=constant), *extra))


_TYPES = (
    ObjectType(
        "InlineKeyboardMarkup",
        (_f("inline_keyboard", "Array of Array of InlineKeyboardButton", required=True),),
    ),
    ObjectType(
        "InlineKeyboardButton",
        (
            _f("text", "String", required=True),
            _f("icon_custom_emoji_id", "String"),
            _f("style", "String"),
            _f("url", "String"),
            _f("callback_data", "String", limit=Limit(1, 64, "bytes"), error="BUTTON_DATA_INVALID"),
            _f("web_app", "WebAppInfo"),
            _f("login_url", "LoginUrl"),
            _f("switch_inline_query", "String"),
            _f("switch_inline_query_current_chat", "String"),
            _f("switch_inline_query_chosen_chat", "SwitchInlineQueryChosenChat"),
            _f("copy_text", "CopyTextButton"),
            _f("callback_game", "CallbackGame"),
            _f("pay", "Boolean"),
        ),
    ),
    ObjectType(
        "ReplyKeyboardMarkup",
        (
            _f("keyboard", "Array of Array of KeyboardButton", required=True),
            _f("is_persistent", "Boolean"),
            _f("resize_keyboard", "Boolean"),
            _f("one_time_keyboard", "Boolean"),
            _f("input_field_placeholder", "String", limit=Limit(1, 64, "characters")),
            _f("selective", "Boolean"),
        ),
    ),
    ObjectType(
        "KeyboardButton",
        (
            _f("text", "String", required=True),
            _f("icon_custom_emoji_id", "String"),
            _f("style", "String"),
            _f("request_users", "KeyboardButtonRequestUsers"),
            _f("request_chat", "KeyboardButtonRequestChat"),
            _f("request_contact", "Boolean"),
            _f("request_location", "Boolean"),
            _f("request_poll", "KeyboardButtonPollType"),
            _f("web_app", "WebAppInfo"),
        ),
    ),
    ObjectType(
        "ReplyKeyboardRemove",
        (
            _f("remove_keyboard", "Boolean", required=True),
            _f("selective", "Boolean"),
        ),
    ),
    ObjectType(
        "ForceReply",
        (
            _f("force_reply", "Boolean", required=True),
            _f("input_field_placeholder", "String", limit=Limit(1, 64, "characters")),
            _f("selective", "Boolean"),
        ),
    ),
    ObjectType("WebAppInfo", (_f("url", "String", required=True),)),
    ObjectType(
        "CopyTextButton", (_f("text", "String", required=True, limit=Limit(1, 256, "characters")),)
    ),
    ObjectType(
        "LoginUrl",
        (
            _f("url", "String", required=True),
            _f("forward_text", "String"),
            _f("bot_username", "String"),
            _f("request_write_access", "Boolean"),
        ),
    ),
    ObjectType("CallbackGame"),
    ObjectType(
        "SwitchInlineQueryChosenChat",
        (
            _f("query", "String"),
            _f("allow_user_chats", "Boolean"),
            _f("allow_bot_chats", "Boolean"),
            _f("allow_group_chats", "Boolean"),
            _f("allow_channel_chats", "Boolean"),
        ),
    ),
    ObjectType("KeyboardButtonPollType", (_f("type", "String"),)),
    ObjectType(
        "MessageEntity",
        (
            _f("type", "String", required=True),
            _f("offset", "Integer", required=True),
            _f("length", "Integer", required=True),
            _f("url", "String"),
            _f("user", "User"),
            _f("language", "String"),
            _f("custom_emoji_id", "String"),
            _f("unix_time", "Integer"),
            _f("date_time_format", "String"),
        ),
    ),
    ObjectType(
        "User",
        (
            _f("id", "Integer", required=True),
            _f("is_bot", "Boolean", required=True),
            _f("first_name", "String", required=True),
            _f("last_name", "String"),
            _f("username", "String"),
            _f("language_code", "String"),
        ),
    ),
    ObjectType(
        "ReplyParameters",
        (
            _f("message_id", "Integer", required=True),
            _f("chat_id", *_CHAT),
            _f("allow_sending_without_reply", "Boolean"),
            _f("quote", "String"),
            _f("quote_parse_mode", "String"),
            _f("quote_entities", "Array of MessageEntity"),
            _f("quote_position", "Integer"),
            _f("checklist_task_id", "Integer"),
        ),
    ),
    ObjectType(
        "LinkPreviewOptions",
        (
            _f("is_disabled", "Boolean"),
            _f("url", "String"),
            _f("prefer_small_media", "Boolean"),
            _f("prefer_large_media", "Boolean"),
            _f("show_above_text", "Boolean"),
        ),
    ),
    ObjectType(
        "BotCommand",
        (
            _f("command", "String", required=True, limit=Limit(1, 32, "characters")),
            _f("description", "String", required=True, limit=Limit(1, 256, "characters")),
        ),
    ),
    ObjectType(
        "BotCommandScope",
        subtypes=(
            "BotCommandScopeDefault",
            "BotCommandScopeAllPrivateChats",
            "BotCommandScopeAllGroupChats",
            "BotCommandScopeAllChatAdministrators",
            "BotCommandScopeChat",
            "BotCommandScopeChatAdministrators",
            "BotCommandScopeChatMember",
        ),
    ),
    _scope("BotCommandScopeDefault", "default"),
    _scope("BotCommandScopeAllPrivateChats", "all_private_chats"),
    _scope("BotCommandScopeAllGroupChats", "all_group_chats"),
    _scope("BotCommandScopeAllChatAdministrators", "all_chat_administrators"),
    _scope("BotCommandScopeChat", "chat", _f("chat_id", *_CHAT, required=True)),
    _scope(
        "BotCommandScopeChatAdministrators",
        "chat_administrators",
        _f("chat_id", *_CHAT, required=True),
    ),
    _scope(
        "BotCommandScopeChatMember",
        "chat_member",
        _f("chat_id", *_CHAT, required=True),
        _f("user_id", "Integer", required=True),
    ),
    ObjectType(
        "MenuButton",
        subtypes=(
            "MenuButtonCommands",
            "MenuButtonWebApp",
            "MenuButtonDefault",
        ),
    ),
    _scope("MenuButtonCommands", "commands"),
    _scope("MenuButtonDefault", "default"),
    _scope(
        "MenuButtonWebApp",
        "web_app",
        _f("text", "String", required=True),
        _f("web_app", "WebAppInfo", required=True),
    ),
)

# Fields of InlineKeyboardButton of which exactly one must be present besides its label.
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# Methods that send a new message: these count against Telegram's flood limits.
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendVoice", "sendDocument"})

# Update kinds Telegram sends when allowed_updates is not given (all but these three).
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
    }
)


def compact_spec() -> Spec:
    """The sandbox's own description of the Bot API subset it implements."""
    return Spec(
        source="sandbox.schema",
        methods={m.name: m for m in _METHODS},
        types={t.name: t for t in _TYPES},
    )

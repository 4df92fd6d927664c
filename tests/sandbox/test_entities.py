"""Telegram HTML parse mode: what is accepted, what it becomes, what is refused."""

from __future__ import annotations

import pytest

from sandbox.entities import EntityParseError, parse_html, plain_text


def test_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html(
        '😀 <b>太字</b> <a href="https://coop.example/?a=1&amp;b=2">link</a>'
    )
    assert text == "😀 太字 link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "offset": 6, "length": 4, "url": "https://coop.example/?a=1&b=2"},
    ]


def test_escapes_are_unescaped() -> None:
    assert parse_html("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27;")[0] == "a <b> & \"c\" 'd'"


def test_nested_and_spoiler_and_pre_with_language() -> None:
    text, entities = parse_html(
        '<b><i>x</i></b><span class="tg-spoiler">s</span>'
        '<pre><code class="language-python">p</code></pre><blockquote expandable>q</blockquote>'
    )
    assert text == "xspq"
    types = {(e["type"], e.get("language")) for e in entities}
    assert types == {
        ("bold", None),
        ("italic", None),
        ("spoiler", None),
        ("code", None),
        ("pre", "python"),
        ("expandable_blockquote", None),
    }


def test_surrounding_whitespace_is_trimmed_like_telegram() -> None:
    assert parse_html("  <b>hi</b>\n") == ("hi", [{"type": "bold", "offset": 0, "length": 2}])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<u>x</i>", 'Unmatched end tag at byte offset 4, expected "</u>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("日本<p>", 'Unsupported start tag "p" at byte offset 6'),
        ("&copy;", 'Unsupported HTML entity "&copy;"'),
    ],
)
def test_what_telegram_refuses(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_html(source)
    assert str(raised.value) == message


def test_without_parse_mode_text_is_taken_literally() -> None:
    assert plain_text("<b>not bold</b>", None) == ("<b>not bold</b>", [])

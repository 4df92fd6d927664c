"""Both transports read updates the same way, and garbage raises `MalformedUpdate` only."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.incoming import Incoming
from bot.ports.telegram import MalformedUpdate
from handlers.ptb.parse import PtbUpdateParser
from handlers.raw.parse import parse_update as raw_parse
from tests.transport.samples import SAMPLES

ptb_parse = PtbUpdateParser()
PARSERS = {"ptb": ptb_parse, "aiohttp": raw_parse}


@pytest.mark.parametrize(
    ("payload", "expected"), [(p, e) for _, p, e in SAMPLES], ids=[name for name, _, _ in SAMPLES]
)
@pytest.mark.parametrize("transport", PARSERS)
def test_each_transport_reads_the_sample_update_as_expected(transport, payload, expected):
    assert PARSERS[transport](payload) == expected


@pytest.mark.parametrize(
    "payload", [p for _, p, _ in SAMPLES], ids=[name for name, _, _ in SAMPLES]
)
def test_both_transports_read_every_sample_identically(payload):
    assert ptb_parse(payload) == raw_parse(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"update_id": "1"},
        {"update_id": True},
        [],
        "update",
        None,
        {"update_id": 1, "message": "hi"},
        {"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 1}, "text": "x"}},
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": "1", "type": "private"},
                "text": "x",
            },
        },
        {
            "update_id": 1,
            "callback_query": {
                "from": {"id": 1, "is_bot": False, "first_name": "a"},
                "chat_instance": "c",
            },
        },
    ],
    ids=repr,
)
@pytest.mark.parametrize("transport", PARSERS)
def test_a_malformed_update_raises_malformed_update(transport, payload):
    with pytest.raises(MalformedUpdate):
        PARSERS[transport](payload)


def test_malformed_update_is_a_value_error():
    assert issubclass(MalformedUpdate, ValueError)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "update_id",
        "message",
        "callback_query",
        "chat",
        "id",
        "type",
        "text",
        "from",
        "entities",
        "data",
        "message_id",
        "date",
        "offset",
        "length",
        "first_name",
        "language_code",
        "edited_message",
        "chat_instance",
    ]
)


def field_soup(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return json_values
    return st.dictionaries(keys, json_values | field_soup(depth - 1), max_size=6)


garbage = st.one_of(json_values, field_soup(3))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(payload=garbage)
def test_garbage_never_crashes_either_parser(payload):
    for parse in PARSERS.values():
        try:
            result = parse(payload)
        except MalformedUpdate:
            continue
        assert isinstance(result, Incoming)


user = st.fixed_dictionaries(
    {"id": st.integers(1, 2**40), "is_bot": st.just(False), "first_name": st.text(min_size=1)},
    optional={"last_name": st.text(min_size=1), "language_code": st.sampled_from(["ja", "en"])},
)
chat = st.fixed_dictionaries(
    {
        "id": st.integers(-(2**40), 2**40),
        "type": st.sampled_from(["private", "group", "supergroup"]),
    }
)
entity = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["bot_command", "bold", "url"]),
        "offset": st.integers(0, 5),
        "length": st.integers(1, 10),
    }
)
text = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda c, a: f"/{c} {a}",
        st.from_regex(r"[A-Za-z_]{1,10}(@\w{1,8})?", fullmatch=True),
        st.text(),
    ),
)
valid_message = st.fixed_dictionaries(
    {"message_id": st.integers(1, 2**31), "date": st.integers(0, 2**31), "chat": chat},
    optional={"from": user, "text": text, "entities": st.lists(entity, max_size=3)},
)
valid_update = st.one_of(
    st.builds(lambda i, m: {"update_id": i, "message": m}, st.integers(0, 2**31), valid_message),
    st.builds(
        lambda i, q, u, d, m: {
            "update_id": i,
            "callback_query": {"id": q, "from": u, "chat_instance": "ci", "data": d, "message": m},
        },
        st.integers(0, 2**31),
        st.text(min_size=1, max_size=10),
        user,
        st.text(min_size=1, max_size=20),
        valid_message,
    ),
)


@settings(max_examples=300, deadline=None)
@given(payload=valid_update)
def test_both_transports_agree_on_any_well_formed_update(payload):
    assert ptb_parse(payload) == raw_parse(payload)


@pytest.mark.parametrize("transport", PARSERS)
def test_parsing_leaves_the_stored_payload_untouched(transport):
    import copy

    for _, payload, _ in SAMPLES:
        before = copy.deepcopy(payload)
        PARSERS[transport](payload)
        assert payload == before

"""Invite codes as people type them: the parser accepts what they mean and refuses the rest."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.invites import ALPHABET, CODE_LENGTH, display_code, new_code, normalise_code

codes = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@given(codes)
def test_a_code_survives_how_people_type_it(code):
    for typed in (
        code,
        code.lower(),
        display_code(code),
        full_width(display_code(code).lower()),
        f"  {code[:4]} {code[4:]}  ",
        f"{code[:4]}ー{code[4:]}",
    ):
        assert normalise_code(typed) == code


@given(st.text(max_size=40))
def test_anything_else_raises_only_the_parsers_own_error(text):
    try:
        code = normalise_code(text)
    except InvalidInput as error:
        assert error.code == "invite_malformed"
    else:
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)


@pytest.mark.parametrize("typed", ["", "ABCD-EFG", "ABCD-EFGHJ", "O0O0-I1I1", "ＡＢＣＤ－ＥＦＧ１"])
def test_wrong_lengths_and_confusable_characters_are_refused(typed):
    with pytest.raises(InvalidInput):
        normalise_code(typed)


def test_new_codes_use_only_unambiguous_characters():
    for _ in range(200):
        code = new_code()
        assert len(code) == CODE_LENGTH and not set(code) & set("0O1IL")

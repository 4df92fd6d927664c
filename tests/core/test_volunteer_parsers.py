"""The volunteer form's checks: they raise only InvalidInput, never crash, keep a stable order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidInput
from bot.domain.volunteers import (
    ALL_SLOTS,
    NAME_LIMIT,
    NOTE_LIMIT,
    Interest,
    check_name,
    check_note,
    check_reason,
    make_choices,
)

values = st.lists(st.one_of(st.sampled_from(sorted(ALL_SLOTS)), st.text(max_size=12)), max_size=8)


@given(st.text(max_size=NAME_LIMIT + 20))
def test_a_name_is_checked_without_crashing(text):
    try:
        name = check_name(text)
    except InvalidInput as error:
        assert error.code in ("name_required", "name_too_long")
    else:
        assert 0 < len(name) <= NAME_LIMIT and name == name.strip()


@given(st.text(max_size=NOTE_LIMIT + 20))
def test_a_note_and_a_reason_are_checked_without_crashing(text):
    for check in (check_note, check_reason):
        try:
            check(text)
        except InvalidInput as error:
            assert error.code in ("note_too_long", "reason_required", "reason_too_long")


@given(values, values, values, values)
def test_choices_are_refused_only_with_input_errors(interests, slots, languages, skills):
    try:
        choices = make_choices(interests, slots, languages, skills)
    except InvalidInput as error:
        assert error.code in (
            "choice_unknown",
            "interests_required",
            "availability_required",
            "languages_required",
        )
    else:
        assert choices.interests and choices.availability and choices.languages


def test_choices_keep_the_order_of_the_form_and_drop_repeats():
    choices = make_choices(
        ["disaster", "elderly_care", "disaster"], ["sun:eve", "mon:am"], ["en", "ja"], []
    )
    assert choices.interests == (Interest.ELDERLY_CARE, Interest.DISASTER)
    assert choices.availability == ("mon:am", "sun:eve")
    with pytest.raises(InvalidInput, match="choice_unknown"):
        make_choices(["events"], ["mon:night"], ["ja"], [])
    with pytest.raises(InvalidInput, match="interests_required"):
        make_choices([], ["mon:am"], ["ja"], [])

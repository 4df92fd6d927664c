"""The members CSV as an admin's Excel writes it: good rows, every kind of bad row with its
line number, cp932 and a BOM, full-width text, and the key that makes a re-import add nobody."""

from __future__ import annotations

import pytest

from bot.domain import member_csv
from bot.domain.csv_rows import LineError, decode
from bot.domain.errors import InvalidInput
from bot.domain.people import Role

HEADER = "name,kana,centres,language,role,phone,member_no\n"


def test_good_rows_in_english_headers() -> None:
    text = HEADER + (
        "田中 一郎,タナカ イチロウ,中央ケアセンター;港ビル清掃センター,ja,member,090-1234-5678,\n"
        "Maria Santos,マリア サントス,Chuo Care Centre,en,volunteer,,A-12\n"
    )
    lines, errors = member_csv.parse(text)
    assert errors == []
    first, second = (line.fields for line in lines)
    assert first.name == "田中 一郎"
    assert first.centres == ("中央ケアセンター", "港ビル清掃センター")
    assert (first.language, first.role, first.phone) == ("ja", Role.MEMBER, "090-1234-5678")
    assert (second.language, second.role, second.phone) == ("en", Role.VOLUNTEER, None)
    assert second.member_no == "A-12"
    assert [line.line for line in lines] == [2, 3]


def test_japanese_headers_in_any_order_and_defaults() -> None:
    text = "所属,フリガナ,氏名\n中央ケアセンター、港,すずき じろう,鈴木 次郎\n"
    [line], errors = member_csv.parse(text)
    assert errors == []
    assert line.fields.centres == ("中央ケアセンター", "港")
    assert (line.fields.language, line.fields.role) == ("ja", Role.MEMBER)
    assert line.fields.kana == "すずき じろう"


def test_full_width_text_is_folded() -> None:
    text = (
        HEADER
        + "ＹＡＭＡＤＡ　太郎,ヤマダ　タロウ,中央,ＥＮ,ｓｔａｆｆ,０９０－１２３４－５６７８,Ａ１\n"
    )
    [line], errors = member_csv.parse(text)
    assert errors == []
    assert line.fields.name == "YAMADA 太郎"
    assert line.fields.kana == "ヤマダ タロウ"
    assert (line.fields.language, line.fields.role) == ("en", Role.STAFF)
    assert line.fields.phone == "090-1234-5678"
    assert line.fields.member_no == "A1"


def test_every_bad_row_is_reported_with_its_line() -> None:
    text = (
        HEADER
        + (
            "ok,オーケー,中央,ja,member,,\n"  # line 2: good
            ",カナ,中央,ja,member,,\n"  # 3: no name
            "名前,,中央,ja,member,,\n"  # 4: no kana
            "名前,kana,中央,ja,member,,\n"  # 5: kana not in kana
            "名前,ナマエ,,ja,member,,\n"  # 6: no centre
            "名前,ナマエ,中央,fr,member,,\n"  # 7: unknown language
            "名前,ナマエ,中央,ja,admin,,\n"  # 8: admins are not imported
            "名前,ナマエ,中央,ja,member,12,\n"  # 9: phone
            "名前,ナマエ,中央,ja,member,,#1\n"  # 10: member number
            + "x"
            * 65
            + ",ナマエ,中央,ja,member,,\n"  # 11: name too long
            "OK,おーけー,港,ja,member,,\n"  # 12: the same person as line 2 (kana script folded)
        )
    )
    lines, errors = member_csv.parse(text)
    assert [line.line for line in lines] == [2]
    assert errors == [
        LineError(3, "no_name"),
        LineError(4, "no_kana"),
        LineError(5, "bad_kana"),
        LineError(6, "no_centre"),
        LineError(7, "bad_language"),
        LineError(8, "bad_role"),
        LineError(9, "phone_invalid"),
        LineError(10, "bad_member_no"),
        LineError(11, "name_too_long"),
        LineError(12, "duplicate"),
    ]


def test_raw_length_is_checked_before_normalising() -> None:
    # One character NFKC turns into many: the raw cell is bounded first, then the name.
    text = HEADER + "㍿" * 30 + ",カナ,中央,,,,\n"  # 30 raw, 120 after NFKC
    _, errors = member_csv.parse(text)
    assert errors == [LineError(2, "name_too_long")]
    text = HEADER + "a" * 1001 + ",カナ,中央,,,,\n"
    _, errors = member_csv.parse(text)
    assert errors == [LineError(2, "too_long")]


def test_member_number_is_the_key_when_given() -> None:
    text = HEADER + "同名,ドウメイ,中央,,,,1\n同名,ドウメイ,港,,,,2\n"
    lines, errors = member_csv.parse(text)
    assert errors == [] and len(lines) == 2
    assert lines[0].fields.key != lines[1].fields.key
    assert "同名" not in lines[0].fields.key  # a hash, no second copy of the name


def test_cp932_and_bom_files() -> None:
    row = "田中 一郎,タナカ イチロウ,中央ケアセンター,やさしい日本語,ボランティア,,\n"
    for data in (
        (HEADER + row).encode("cp932"),
        b"\xef\xbb\xbf" + (HEADER + row).encode("utf-8"),
    ):
        [line], errors = member_csv.parse(decode(data))
        assert errors == []
        assert line.fields.name == "田中 一郎"
        assert (line.fields.language, line.fields.role) == ("ja-easy", Role.VOLUNTEER)


def test_a_file_without_the_required_columns_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        member_csv.parse("name,centres\n田中,中央\n")
    assert refused.value.code == "csv_header"

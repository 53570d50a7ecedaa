"""Identifier rules: resident ID numbers (GB 11643), USCC (GB 32100), division codes (GB/T 2260)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from yiwang.core import identifiers as ids

TODAY = timezone.localdate()  # the platform's day, as the validators use it
DIGITS = "0123456789"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z


# --- Independent reference implementations (written from the standards, not from our code) ---
def reference_ric_check(first17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]  # 2^(18-i) mod 11 for positions 1..17
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def reference_uscc_check(first17: str) -> str:
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


# --- Strategies --------------------------------------------------------------------------------
county_codes = st.text(DIGITS, min_size=6, max_size=6)
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
sequences = st.text(DIGITS, min_size=3, max_size=3)


@st.composite
def id_numbers(draw) -> str:
    body = draw(county_codes) + draw(birth_dates).strftime("%Y%m%d") + draw(sequences)
    return body + reference_ric_check(body)


@st.composite
def usccs(draw) -> str:
    body = (
        draw(st.text(USCC_ALPHABET, min_size=2, max_size=2))
        + draw(st.text(DIGITS, min_size=6, max_size=6))
        + draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    )
    return body + stdnum_uscc.calc_check_digit(body)


def ric_allowed(position: int) -> str:
    return DIGITS + "X" if position == 17 else DIGITS


def uscc_allowed(position: int) -> str:
    return DIGITS if 2 <= position <= 7 else USCC_ALPHABET


# --- Resident ID numbers ------------------------------------------------------------------------
@given(id_numbers())
def test_generated_id_numbers_are_accepted(number):
    assert ids.validate_id_number(number) == number


@given(id_numbers())
def test_lower_case_x_and_spaces_are_normalised(number):
    messy = " " + number[:6] + " " + number[6:].lower() + " "
    assert ids.validate_id_number(messy) == number


@given(id_numbers())
def test_our_check_digit_agrees_with_python_stdnum(number):
    # stdnum's calc_check_digit wants all 18 characters and ignores the last one.
    assert ids.ric_check_digit(number[:17]) == stdnum_ric.calc_check_digit(number) == number[17]
    assert stdnum_ric.calc_check_digit(number[:17] + "0") == number[17]


@given(id_numbers(), st.integers(0, 17), st.data())
def test_any_single_character_change_is_rejected(number, position, data):
    replacement = data.draw(st.sampled_from(ric_allowed(position)).filter(lambda c: c != number[position]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        ids.validate_id_number(changed)


@given(id_numbers(), st.integers(0, 16))
def test_a_changed_digit_with_the_old_check_fails_the_check_not_the_shape(number, position):
    """A typo in a digit that keeps the birth date valid is reported as a check digit error."""
    replacement = str((int(number[position]) + 1) % 10)
    changed = number[:position] + replacement + number[position + 1 :]
    birth = changed[6:14]
    try:
        assume(dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])) <= TODAY)
    except ValueError:
        assume(False)
    assume(int(birth[:4]) >= 1880)
    with pytest.raises(ValidationError) as info:
        ids.validate_id_number(changed)
    assert info.value.code == "id_number_check_digit"
    assert "校验位" in info.value.messages[0]


@st.composite
def impossible_birth_dates(draw) -> str:
    year = draw(st.integers(1900, 2099))
    kind = draw(st.sampled_from(["month13", "day0", "day32", "feb30", "feb29", "apr31"]))
    if kind == "feb29":
        assume(not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)))
    return {
        "month13": f"{year}1301",
        "day0": f"{year}0100",
        "day32": f"{year}0132",
        "feb30": f"{year}0230",
        "feb29": f"{year}0229",
        "apr31": f"{year}0431",
    }[kind]


@given(county_codes, impossible_birth_dates(), sequences)
def test_impossible_birth_dates_are_rejected_with_the_birth_date_message(county, birth, seq):
    body = county + birth + seq
    with pytest.raises(ValidationError) as info:
        ids.validate_id_number(body + reference_ric_check(body))
    assert info.value.code == "id_number_birth_date"
    assert "出生日期" in info.value.messages[0]
    assert birth in info.value.messages[0]


@given(
    county_codes, st.dates(min_value=TODAY + dt.timedelta(days=2), max_value=dt.date(2200, 1, 1)), sequences
)
def test_future_birth_dates_are_rejected(county, birth, seq):
    body = county + birth.strftime("%Y%m%d") + seq
    with pytest.raises(ValidationError) as info:
        ids.validate_id_number(body + reference_ric_check(body))
    assert info.value.code == "id_number_birth_date"
    assert "出生日期" in info.value.messages[0]


def test_birth_today_is_accepted_and_tomorrow_is_not():
    day = dt.date(2026, 3, 1)
    body = "110101" + "20260301" + "123"
    number = body + reference_ric_check(body)
    assert ids.validate_id_number(number, today=day) == number
    with pytest.raises(ValidationError):
        ids.validate_id_number(number, today=day - dt.timedelta(days=1))


def test_known_example_with_x_check_digit():
    # Published GB 11643 example: 11010519491231002X.
    assert ids.validate_id_number("11010519491231002X") == "11010519491231002X"
    assert ids.validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "value",
    ["", "1101051949123100", "11010519491231002XX", "1101051949123100Y2", "X10105194912310021", "１１0105"],
)
def test_badly_shaped_id_numbers_get_the_shape_message(value):
    with pytest.raises(ValidationError) as info:
        ids.validate_id_number(value)
    assert info.value.code == "id_number_shape"
    assert "18位" in info.value.messages[0]


def test_full_width_input_is_normalised_to_one_ascii_number():
    """Typed with a Chinese input method: the same number, stored once, in ASCII."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002x")
    assert ids.validate_id_number(full_width) == "11010519491231002X"
    assert ids.validate_uscc("".join(chr(ord(c) + 0xFEE0) for c in "91110000600037341L")) == (
        "91110000600037341L"
    )


def test_other_unicode_digits_are_not_digits_here():
    arabic_indic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in "11010519491231002X")
    with pytest.raises(ValidationError) as info:
        ids.validate_id_number(arabic_indic)
    assert info.value.code == "id_number_shape"
    with pytest.raises(ValidationError):
        ids.division_level("١٥٩٩٠٠000000")


def test_none_is_a_shape_error_not_a_crash():
    with pytest.raises(ValidationError):
        ids.validate_id_number(None)  # type: ignore[arg-type]


def test_birth_date_is_read_from_the_number():
    assert ids.id_number_birth_date("11010519491231002X") == dt.date(1949, 12, 31)


# --- Unified social credit codes ---------------------------------------------------------------
@given(usccs())
def test_generated_usccs_are_accepted(code):
    assert ids.validate_uscc(code) == code
    assert ids.validate_uscc(" " + code.lower() + " ") == code


@given(usccs())
def test_uscc_check_digit_matches_an_independent_implementation(code):
    assert reference_uscc_check(code[:17]) == code[17]
    assert ids.uscc_with_check(code[:17]) == code


@given(usccs(), st.integers(0, 17), st.data())
def test_any_single_uscc_character_change_is_rejected(code, position, data):
    replacement = data.draw(st.sampled_from(uscc_allowed(position)).filter(lambda c: c != code[position]))
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError) as info:
        ids.validate_uscc(changed)
    assert info.value.code == "uscc_check"


@given(usccs(), st.integers(0, 17), st.sampled_from("IOSVZ"))
def test_letters_outside_the_gb32100_alphabet_are_shape_errors(code, position, letter):
    changed = code[:position] + letter + code[position + 1 :]
    with pytest.raises(ValidationError) as info:
        ids.validate_uscc(changed)
    assert info.value.code == "uscc_shape"


@pytest.mark.parametrize("value", ["", "91110000", "91110000MA01234567X", "91A10000MA0123456X"])
def test_badly_shaped_usccs(value):
    with pytest.raises(ValidationError) as info:
        ids.validate_uscc(value)
    assert info.value.code == "uscc_shape"


def test_a_real_published_uscc_is_accepted():
    # 国家市场监督管理总局发布的示例代码之一 (the python-stdnum test vectors use it too).
    assert ids.validate_uscc("91110000600037341L") == "91110000600037341L"
    with pytest.raises(ValidationError):
        ids.validate_uscc("91110000600037341M")


# --- Division codes ---------------------------------------------------------------------------
nonzero2 = st.integers(1, 99).map(lambda n: f"{n:02d}")
nonzero3 = st.integers(1, 999).map(lambda n: f"{n:03d}")


@st.composite
def division_codes(draw) -> tuple[str, int]:
    level = draw(st.integers(1, 5))
    parts = [
        draw(nonzero2),
        draw(nonzero2) if level >= 2 else "00",
        draw(nonzero2) if level >= 3 else "00",
        draw(nonzero3) if level >= 4 else "000",
        draw(nonzero3) if level >= 5 else "000",
    ]
    return "".join(parts), level


@given(division_codes())
def test_division_level_parent_and_prefix(code_level):
    code, level = code_level
    assert ids.division_level(code) == level
    prefix = ids.division_prefix(code)
    assert len(prefix) == ids.LEVEL_PREFIX_LENGTH[level]
    assert code.startswith(prefix)
    assert code == prefix + "0" * (12 - len(prefix))
    parent = ids.division_parent_code(code)
    if level == ids.LEVEL_PROVINCE:
        assert parent is None
    else:
        assert parent is not None
        assert ids.division_level(parent) == level - 1
        assert code.startswith(ids.division_prefix(parent))
        assert parent != code


@given(division_codes())
def test_six_digit_codes_are_padded(code_level):
    code, level = code_level
    assume(level <= 3)
    assert ids.normalise_division_code(code[:6]) == code
    assert ids.normalise_division_code(code) == code


def test_township_directly_under_a_city_without_counties():
    """东莞 (441900) has townships directly below the city: the parent is the city."""
    assert ids.division_level("441900003000") == ids.LEVEL_TOWNSHIP
    assert ids.division_parent_code("441900003000") == "441900000000"


@pytest.mark.parametrize("code", ["", "1599", "15990000000", "1599000000001", "15990000000a", "000000000000"])
def test_malformed_division_codes(code):
    with pytest.raises(ValidationError):
        ids.division_level(ids.normalise_division_code(code))

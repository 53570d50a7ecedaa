"""GB/T 36904 licence identifiers: shape, ISO 7064 MOD 37,36 check character, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.iso7064 import mod_37_36

from yiwang.licences import identifiers
from yiwang.licences.identifiers import PREFIX, InvalidIdentifier, Parts

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"

usccs = st.text(ALNUM, min_size=18, max_size=18)
type_codes = st.builds(lambda a, b: a + b, usccs, st.text(DIGITS, min_size=3, max_size=3))
serials = st.one_of(st.integers(0, 9_999_999), st.integers(0, 10**38 - 1))
versions = st.integers(1, 999)

TYPE = "11100000000013127D001"  # defining agency's USCC + type number 001
ISSUER = "11159900MB1234567X"


def test_known_vector_matches_mod_37_36_over_the_dotless_body():
    body = TYPE + ISSUER + "0000042" + "001"
    expected = f"{PREFIX}{TYPE}.{ISSUER}.0000042.001.{mod_37_36.calc_check_digit(body)}"
    assert identifiers.make(TYPE, ISSUER, 42, 1) == expected
    # Pinned, so a change in either implementation shows.
    assert expected == "1.2.156.3005.2.11100000000013127D001.11159900MB1234567X.0000042.001.3"
    assert mod_37_36.is_valid(body + "3")
    assert identifiers.check_character(TYPE, ISSUER, 42, 1) == "3"
    assert identifiers.parse(expected) == Parts(TYPE, ISSUER, 42, 1, "3")


@given(type_codes, usccs, serials, versions)
def test_make_then_parse_round_trips(type_code, issuer_code, serial, version):
    identifier = identifiers.make(type_code, issuer_code, serial, version)
    assert len(identifier) <= identifiers.MAX_LENGTH
    parts = identifiers.parse(identifier)
    assert (parts.type_code, parts.issuer_code, parts.serial, parts.version) == (
        type_code,
        issuer_code,
        serial,
        version,
    )
    assert (
        parts.check == identifier[-1] == identifiers.check_character(type_code, issuer_code, serial, version)
    )
    assert parts.identifier == identifier
    assert identifiers.parse(f"  {identifier}\n\t") == parts  # pasted with whitespace
    serial_text = identifier.split(".")[-3]
    assert len(serial_text) >= 7 and int(serial_text) == serial


@settings(max_examples=25)
@given(type_codes, usccs, serials, versions)
def test_every_single_substitution_is_detected(type_code, issuer_code, serial, version):
    identifier = identifiers.make(type_code, issuer_code, serial, version)
    body_start = len(PREFIX)
    # The fields where any of the 36 characters may stand (USCCs and the check character) keep the
    # identifier's shape when altered, so only the check character can catch the change.
    uscc_positions = set(range(body_start, body_start + 18)) | set(range(body_start + 22, body_start + 40))
    for position in range(body_start, len(identifier)):
        original = identifier[position]
        if original == ".":
            continue
        for replacement in ALNUM:
            if replacement == original:
                continue
            altered = identifier[:position] + replacement + identifier[position + 1 :]
            # The algorithm itself: a MOD 37,36 string with one substitution never validates.
            assert not mod_37_36.is_valid(altered[body_start:].replace(".", ""))
            with pytest.raises(InvalidIdentifier) as caught:
                identifiers.parse(altered)
            if position in uscc_positions or position == len(identifier) - 1:
                assert caught.value.code == "check", altered
            else:
                assert caught.value.code in {"check", "format"}


@given(st.text(max_size=300))
def test_garbage_raises_only_invalid_identifier(text):
    try:
        parts = identifiers.parse(text)
    except InvalidIdentifier as exc:
        assert exc.code in {"format", "prefix", "check"}
        assert str(exc) == exc.message and exc.message
    else:  # pragma: no cover - a random valid identifier
        assert identifiers.parse(parts.identifier) == parts


@given(st.text(ALNUM + ".", max_size=90))
def test_garbage_after_the_prefix_raises_only_invalid_identifier(rest):
    with pytest.raises(InvalidIdentifier) as caught:
        identifiers.parse(PREFIX + rest)
    assert caught.value.code in {"format", "check"}


@given(st.one_of(st.text(max_size=120), st.text(ALNUM + ".", max_size=90).map(lambda rest: PREFIX + rest)))
def test_well_shaped_is_parse_but_the_check_character(text):
    """`well_shaped` (verification looks an identifier up once it holds) fails exactly where
    `parse` fails for a reason other than the check character."""
    try:
        identifiers.parse(text)
        code = None
    except InvalidIdentifier as exc:
        code = exc.code
    assert identifiers.well_shaped(text) == (code in {None, "check"})


def test_a_wrong_check_character_is_well_shaped():
    assert identifiers.well_shaped(VALID) and identifiers.well_shaped(VALID[:-1] + "4")
    assert not identifiers.well_shaped(VALID.replace(".001.", ".000."))
    assert not identifiers.well_shaped(None)  # type: ignore[arg-type]


VALID = "1.2.156.3005.2.11100000000013127D001.11159900MB1234567X.0000042.001.3"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "format"),
        ("   ", "format"),
        (VALID + "0" * 40, "format"),  # too long
        ("x" * 1_000_000, "format"),
        (VALID.lower(), "format"),  # letters are upper case, as issued
        (VALID.replace("0000042", "00000042")[:-1] + "0", "format"),  # non-canonical serial
        (VALID.replace("0000042", "42"), "format"),
        (VALID.replace(".001.", ".000."), "format"),
        (VALID.replace(".001.", ".01."), "format"),
        (VALID.replace("D001", "DA01"), "format"),  # the type number is digits
        (VALID.replace("0000042", "000004２"), "format"),  # a full-width digit
        (VALID[:-2], "format"),
        (VALID + ".3", "format"),
        ("1.2.156.3005.1.11100000000013127D001.11159900MB1234567X.0000042.001.3", "prefix"),
        ("11100000000013127D001.11159900MB1234567X.0000042.001.3", "prefix"),
        ("证照", "prefix"),
        (VALID[:-1] + "4", "check"),
        (VALID.replace("0000042", "0000024"), "check"),  # a transposition
    ],
)
def test_malformed_identifiers(text, code):
    with pytest.raises(InvalidIdentifier) as caught:
        identifiers.parse(text)
    assert caught.value.code == code
    assert str(caught.value) == identifiers.MESSAGES[code]


@pytest.mark.parametrize("value", [None, 42, b"1.2.156.3005.2.", ["x"]])
def test_non_text_is_a_format_error(value):
    with pytest.raises(InvalidIdentifier) as caught:
        identifiers.parse(value)
    assert caught.value.code == "format"


def test_messages_are_chinese():
    assert identifiers.MESSAGES["format"] == "证照标识格式不正确"
    assert identifiers.MESSAGES["prefix"] == "不是电子证照标识（前缀应为 1.2.156.3005.2.）"
    assert identifiers.MESSAGES["check"] == "证照标识校验位不正确，可能输入有误或被伪造"
    assert issubclass(InvalidIdentifier, ValueError)


@pytest.mark.parametrize(
    ("type_code", "issuer_code", "serial", "version"),
    [
        (TYPE[:-1], ISSUER, 1, 1),
        (TYPE.lower(), ISSUER, 1, 1),
        (TYPE, ISSUER + "0", 1, 1),
        (TYPE, ISSUER, -1, 1),
        (TYPE, ISSUER, 10**38, 1),
        (TYPE, ISSUER, True, 1),
        (TYPE, ISSUER, 1, 0),
        (TYPE, ISSUER, 1, 1000),
        (TYPE, ISSUER, "1", 1),
    ],
)
def test_make_refuses_bad_parts(type_code, issuer_code, serial, version):
    with pytest.raises(InvalidIdentifier) as caught:
        identifiers.make(type_code, issuer_code, serial, version)
    assert caught.value.code == "format"


def test_long_serials_are_written_without_padding():
    identifier = identifiers.make(TYPE, ISSUER, 123_456_789, 12)
    assert ".123456789.012." in identifier
    assert identifiers.parse(identifier).serial == 123_456_789

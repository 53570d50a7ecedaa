"""Personal data never reaches a list, an export or a log line in full."""

from __future__ import annotations

import io
import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.logging import JsonFormatter, MaskPersonalDataFilter
from yiwang.core.masking import mask_id_number, mask_name, mask_phone, mask_text

ID = "11010519491231002X"
ID2 = "110101199003071235"
PHONE = "13812345678"


def test_mask_helpers():
    assert mask_id_number(ID) == "1101**********002X"
    assert mask_id_number("1234") == "****"
    assert mask_id_number("") == "" and mask_id_number(None) == ""
    assert mask_phone(PHONE) == "138****5678"
    assert mask_phone("0471-1234567") == "047*****4567"
    assert mask_phone("12345") == "*****"
    assert mask_phone(None) == ""
    assert mask_name("张三丰") == "张**"
    assert mask_name("") == ""


def test_mask_text_finds_numbers_in_chinese_text():
    text = f"申请人身份证{ID}，手机{PHONE}。另一人{ID2.lower()}"
    masked = mask_text(text)
    assert ID not in masked and PHONE not in masked and ID2 not in masked.upper()
    assert "1101**********002X" in masked and "138****5678" in masked


def test_mask_text_leaves_other_numbers_alone():
    text = "办件编号 20260930000123456789 金额 12345678901234"
    assert mask_text(text) == text


@given(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.sampled_from([ID, ID2, PHONE, "+86" + PHONE, "+86 " + PHONE, "86-" + PHONE]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
)
def test_mask_text_never_lets_a_number_through(before, secret, after):
    masked = mask_text(before + " " + secret + " " + after)
    for value in (ID, ID2, PHONE):
        assert value not in masked


def _log_line(logger_name: str, emit) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MaskPersonalDataFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    raw = stream.getvalue()
    assert raw.count("\n") == 1, raw
    for secret in (ID, ID2, PHONE):
        assert secret not in raw, raw
    return json.loads(raw)


def test_json_log_line_masks_the_message():
    entry = _log_line("yiwang.test.message", lambda log: log.info("registered %s phone %s", ID, PHONE))
    assert entry["message"] == "registered 1101**********002X phone 138****5678"
    assert entry["level"] == "INFO" and entry["logger"] == "yiwang.test.message"
    assert entry["time"].endswith("+00:00")


def test_json_log_line_masks_extra_fields():
    entry = _log_line(
        "yiwang.test.extra",
        lambda log: log.info(
            "lookup",
            extra={"id_number": ID, "phone": PHONE, "mobile": int(PHONE), "request_id": "abc", "n": 3},
        ),
    )
    assert entry["id_number"] == "1101**********002X"
    assert entry["phone"] == entry["mobile"] == "138****5678"
    assert entry["request_id"] == "abc" and entry["n"] == 3


def test_json_log_line_masks_exceptions():
    def emit(log):
        try:
            raise ValueError(f"bad person {ID2} {PHONE}")
        except ValueError:
            log.exception("failed")

    entry = _log_line("yiwang.test.exception", emit)
    assert "ValueError" in entry["exception"]
    assert "1101**********1235" in entry["exception"]


def test_json_log_line_masks_non_string_arguments():
    entry = _log_line(
        "yiwang.test.args", lambda log: log.info("payload %r", {"id": int(ID2[:17]), "p": PHONE})
    )
    assert "138****5678" in entry["message"]


def test_the_configured_console_handler_masks():
    """The settings wire the filter and the JSON formatter to the handler used in production."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, JsonFormatter)
        and any(isinstance(f, MaskPersonalDataFilter) for f in h.filters)
    ]
    assert handlers, "the root logger has no masking JSON handler"

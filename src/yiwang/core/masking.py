"""Masking of personal data for lists, logs and exports (e.g. `1101**********002X`)."""

from __future__ import annotations

import re


def mask_id_number(value: str | None) -> str:
    """Keep the first 4 and last 4 characters of an ID number."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 digits of a phone number."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """Keep the family name (first character): 张三丰 → 张**."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
# An optional country code (+86, 86-) may be glued to the number: "+8613812345678".
_PHONE_IN_TEXT = re.compile(r"(?<!\d)((?:\+?86[- ]?)?)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text (for log lines)."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1)[:4] + "*" * 10 + m.group(3)[-4:], text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + "****" + m.group(4), text)

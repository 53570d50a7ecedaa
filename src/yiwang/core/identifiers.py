"""Validation of the identifiers the platform meets: resident ID numbers (GB 11643), unified social
credit codes (GB 32100) and administrative division codes (GB/T 2260 and the 12-digit statistical
codes).

Each validator raises `django.core.exceptions.ValidationError` with a message in the active
language, so forms, services and the API report the same words.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"
_RIC_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def ric_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True))
    return RIC_CHECK[total % 11]


def _normalise_code(value: str) -> str:
    # NFKC turns full-width digits and letters (typed with a Chinese input method) into ASCII, so
    # "１１０１…" and "1101…" are one number, never two.
    return unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")


def normalise_id_number(value: str) -> str:
    return _normalise_code(value)


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-character resident ID number or raise ValidationError."""
    number = normalise_id_number(value)
    if not _RIC_SHAPE.match(number):
        raise ValidationError(
            _("居民身份证号码应为18位：前17位为数字，最后一位为数字或X。"), code="id_number_shape"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("居民身份证号码中的出生日期 %(date)s 不存在。") % {"date": number[6:14]},
            code="id_number_birth_date",
        ) from None
    today = today or timezone.localdate()  # the platform's day (Asia/Shanghai), not the host's
    if birth > today or birth.year < 1880:
        raise ValidationError(
            _("居民身份证号码中的出生日期 %(date)s 不可能。") % {"date": birth.isoformat()},
            code="id_number_birth_date",
        )
    if ric_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("居民身份证号码校验位不正确，请核对后重新输入。"), code="id_number_check_digit"
        )
    return number


def id_number_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def normalise_uscc(value: str) -> str:
    return _normalise_code(value)


def validate_uscc(value: str) -> str:
    """Return the normalised 18-character unified social credit code or raise ValidationError."""
    code = normalise_uscc(value)
    if len(code) != 18 or not _USCC_SHAPE.match(code):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="uscc_shape"
        )
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="uscc_check")
    return code


def uscc_with_check(first17: str) -> str:
    """Complete a 17-character USCC body with its GB 32100 check character."""
    return first17 + uscc.calc_check_digit(first17)


# --- Division codes -------------------------------------------------------------------------
LEVEL_PROVINCE, LEVEL_CITY, LEVEL_COUNTY, LEVEL_TOWNSHIP, LEVEL_VILLAGE = 1, 2, 3, 4, 5
# Significant digits of the 12-digit code at each level: its subtree is a prefix of that length.
LEVEL_PREFIX_LENGTH = {
    LEVEL_PROVINCE: 2,
    LEVEL_CITY: 4,
    LEVEL_COUNTY: 6,
    LEVEL_TOWNSHIP: 9,
    LEVEL_VILLAGE: 12,
}


def normalise_division_code(value: str) -> str:
    """Pad a 6-digit GB/T 2260 code to the 12-digit statistical form."""
    code = (value or "").strip()
    if len(code) == 6 and code.isascii() and code.isdigit():
        return code + "000000"
    return code


def division_level(code12: str) -> int:
    """The level a 12-digit division code has by its shape; raises ValidationError if malformed."""
    if len(code12) != 12 or not (code12.isascii() and code12.isdigit()):
        raise ValidationError(_("区划代码应为6位或12位数字。"), code="division_shape")
    if code12[:2] == "00":
        raise ValidationError(_("区划代码的省级部分不能为00。"), code="division_shape")
    if code12[9:] != "000":
        return LEVEL_VILLAGE
    if code12[6:9] != "000":
        return LEVEL_TOWNSHIP
    if code12[4:6] != "00":
        return LEVEL_COUNTY
    if code12[2:4] != "00":
        return LEVEL_CITY
    return LEVEL_PROVINCE


def division_parent_code(code12: str) -> str | None:
    """The code of the division directly above, by zeroing this level's digits."""
    level = division_level(code12)
    if level == LEVEL_PROVINCE:
        return None
    keep = LEVEL_PREFIX_LENGTH[level - 1]
    return code12[:keep] + "0" * (12 - keep)


def division_prefix(code12: str) -> str:
    return code12[: LEVEL_PREFIX_LENGTH[division_level(code12)]]

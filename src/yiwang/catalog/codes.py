"""Catalog identifiers: the 12-digit basic code and the 31-character implementation code."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_BASIC = re.compile(r"^\d{12}$")


def validate_basic_code(code: str, item_type_code: str | None = None) -> str:
    """2-digit prefix + 2-digit item type + 5-digit main item + 3-digit sub-item (000 = none)."""
    code = (code or "").strip()
    if not _BASIC.match(code):
        raise ValidationError(
            _("基本编码应为12位数字（2位目录前缀+2位事项类型+5位主项+3位子项）。"), code="basic_code_shape"
        )
    if code[4:9] == "00000":
        raise ValidationError(_("基本编码的主项编码（第5至9位）不能为00000。"), code="basic_code_main")
    if item_type_code is not None and code[2:4] != item_type_code:
        raise ValidationError(
            _("基本编码第3、4位 %(got)s 与事项类型代码 %(want)s 不一致。")
            % {"got": code[2:4], "want": item_type_code},
            code="basic_code_type",
        )
    return code


def implementation_code(department_uscc: str, level: int, basic_code: str) -> str:
    """实施编码: implementing body's USCC (18) + level of exercise (1) + basic code (12)."""
    return f"{department_uscc}{level}{basic_code}"


def validate_implementation_code(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 31 or not _BASIC.match(code[19:]) or not code[18].isdigit():
        raise ValidationError(
            _("实施编码应为31位：18位统一社会信用代码+1位行使层级+12位基本编码。"),
            code="implementation_code_shape",
        )
    return code

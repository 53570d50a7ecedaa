"""一次性告知: the preset reasons a material or a form field is sent back for, and a stored
notice's items read in today's shape and put in words (for the pages, notices and the trace).

Pure data and functions: no database. The action's payload is `payloads.RequestCorrection`; the
services check its items against the case (`handlers`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_noop


# 一次性告知: the preset reasons a material or a form field is sent back for, declared once (the
# workbench's form, the API's schema and every display of a notice read them from here).
class CorrectionReason(StrEnum):
    UNCLEAR_SCAN = "unclear_scan"
    MISSING_SIGNATURE = "missing_signature"
    EXPIRED = "expired"
    WRONG_FORM = "wrong_form"
    INCONSISTENT = "inconsistent"
    MISSING_PAGES = "missing_pages"
    WRONG_ENTRY = "wrong_entry"
    OTHER = "other"


CORRECTION_REASONS: dict[str, str] = {
    CorrectionReason.UNCLEAR_SCAN: gettext_noop("扫描件不清晰"),
    CorrectionReason.MISSING_SIGNATURE: gettext_noop("缺少签名或盖章"),
    CorrectionReason.EXPIRED: gettext_noop("已过有效期"),
    CorrectionReason.WRONG_FORM: gettext_noop("使用了错误的表格/版本"),
    CorrectionReason.INCONSISTENT: gettext_noop("内容与其他材料不一致"),
    CorrectionReason.MISSING_PAGES: gettext_noop("缺少页面"),
    CorrectionReason.WRONG_ENTRY: gettext_noop("信息填写有误"),
    CorrectionReason.OTHER: gettext_noop("其他"),
}
# A form field has no scan, signature or pages: these are the reasons that fit one.
FIELD_REASONS = (
    CorrectionReason.WRONG_ENTRY,
    CorrectionReason.INCONSISTENT,
    CorrectionReason.EXPIRED,
    CorrectionReason.OTHER,
)
CORRECTION_KINDS = ("material", "field", "other")
NOTE_MAX = 500


# --- Items of a stored notice ---------------------------------------------------------------------


def correction_item(item: Any) -> dict[str, Any]:
    """An item of a stored notice in today's shape (`kind`, `material`, `field`, `label`,
    `reasons`, `note`), whichever shape it was stored in: items stored before the preset reasons
    have neither `kind` nor `reasons`."""
    item = item if isinstance(item, dict) else {}
    material, name = item.get("material") or None, item.get("field") or None
    kind = item.get("kind")
    if kind not in CORRECTION_KINDS:
        kind = "material" if material else "field" if name else "other"
    reasons = [r for r in item.get("reasons") or [] if isinstance(r, str) and r in CORRECTION_REASONS]
    return {
        "kind": kind,
        "material": material,
        "field": name,
        "label": str(item.get("label") or ""),
        "reasons": reasons,
        "note": str(item.get("note") or ""),
    }


def reason_labels(item: Any) -> list[str]:
    """The item's reasons in the reader's language."""
    from django.utils.translation import gettext as _

    return [_(CORRECTION_REASONS[r]) for r in correction_item(item)["reasons"]]


def correction_item_text(item: Any) -> str:
    """One item in words, for notices and the trace: “申请书：扫描件不清晰、缺少签名或盖章；请重新扫描”."""
    from django.utils.translation import gettext as _

    it = correction_item(item)
    said = "；".join(p for p in ("、".join(reason_labels(it)), it["note"]) if p)
    return f"{it['label'] or _('其他')}：{said}"

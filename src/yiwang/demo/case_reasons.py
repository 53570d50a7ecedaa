"""Reasons from the case's own entry: what a demo notice to correct, refusal or non-acceptance
says, drawn from the case's checklist, its guide's conditions, the entry or its result.
"""

from __future__ import annotations

import random
import re
from typing import Any

from yiwang.cases import drafts
from yiwang.cases.models import Case
from yiwang.demo.people import Applicant

# Reasons are the case's own (see the functions below): a notice to correct names materials of
# the case's checklist with what can be wrong with that kind of material; a refusal or a
# non-acceptance names a material the applicant handed in, a condition of the entry's guide, the
# entry or its result; a case stops only for a special procedure its guide declares (see
# `case_plans._suits`). Nothing is drawn from a pool shared by every item (no passport refused
# over a professional qualification certificate).
SIGNED = re.compile(r"(表|申请书|承诺书|声明书|授权书|委托书|协议书|确认书|书面声明|承诺)$")
LONG = re.compile(r"(报告|方案|章程|合同|档案|制度|预案|图纸|设计文件|病历|记录|说明书|文件)")
CERTIFICATE = re.compile(r"(证书|执照|许可证|合格证|户口簿|证明|证|卡)$")
PHOTO = re.compile(r"照片")
MATERIAL_PROBLEMS: dict[str, tuple[str, str]] = {
    "scan": ("unclear_scan", "扫描件不清晰，请重新上传清晰完整的扫描件。"),
    "inconsistent": ("inconsistent", "所载信息与申请表填写的内容不一致，请核对后重新提交。"),
    "signature": ("missing_signature", "签字处缺少本人签名，请签名后重新提交。"),
    "old_form": ("wrong_form", "使用了旧版表格，请下载最新版空白表格填写后重新提交。"),
    "expired": ("expired", "已过有效期，请提交有效期内的证件或证明。"),
    "pages": ("missing_pages", "页面不全，请提交完整材料。"),
    "photo": ("other", "照片不符合规格，请提交近期正面免冠、背景符合要求的照片。"),
}
FIELD_PROBLEMS = [
    ("inconsistent", "填写内容与所附证明材料不一致，请核对后修改。"),
    ("wrong_entry", "填写不完整，请按实际情况补充。"),
]


def _conditions(conditions: str) -> list[str]:
    """The guide's acceptance conditions clause by clause, those a case can fail (not the generic
    "材料齐全、符合法定形式" nor "符合某法等规定的条件")."""
    clauses = []
    for part in re.split(r"[；;。\n]", conditions or ""):
        part = re.sub(r"^\s*(\d+[.、）)]|[（(]\d+[)）])\s*", "", part).strip(" ，,")
        if 4 <= len(part) <= 60 and not re.search(r"(材料齐全|法定形式|等规定的条件)", part):
            clauses.append(part)
    return clauses


def handed_in(case: Case) -> list[Any]:
    """The checklist's materials the applicant handed in (not an e-licence the office verified)."""
    return [
        i.material
        for i in drafts.checklist(case)
        if i.provided and not all(f.licence_identifier for f in i.files)
    ]


def _not_met(case: Case, rng: random.Random) -> str:
    """A condition of the case's own guide it does not meet (or the law its guide names)."""
    clauses = _conditions(case.version.acceptance_conditions)
    if clauses:
        return f"不符合“{rng.choice(clauses)}”的条件"
    law = re.search(r"《[^》]+》", case.version.legal_basis or "")
    return f"不符合{law.group(0)}规定的条件" if law else f"不符合“{case.version.name}”的法定条件"


def refusal_reason(case: Case, rng: random.Random) -> str:
    """不予许可 for a reason of the case's own: a material it handed in (not a form, a photo or a
    certificate a government body issued), or a condition of its guide."""
    evidence = [
        m
        for m in handed_in(case)
        if m.source != "government" and not SIGNED.search(m.name) and not PHOTO.search(m.name)
    ]
    options = [f"经审查，申请人{_not_met(case, rng)}。"]
    if evidence:
        m = rng.choice(evidence)
        options.append(f"经核查，申请人提交的“{m.name}”所载情况与实际情况不符，不予批准。")
    return rng.choice(options)


def not_accepted_reason(case: Case, why: str, rng: random.Random) -> str:
    """不予受理: the correction never answered (naming what was asked for), or a reason of the case's
    own entry: a condition of its guide, or (a licence) a matter that needs no such licence."""
    if why == "no_answer":
        correction = case.corrections.order_by("-round").first()
        labels = [str(it["label"]) for it in (correction.items if correction else []) if it.get("label")]
        if labels:
            return f"申请人未在规定期限内补正{'、'.join(f'“{label}”' for label in labels)}。"
        return "申请人未在规定期限内补正全部材料。"
    options = [f"申请人不具备申请资格：{_not_met(case, rng)}。"]
    result = case.version.result_name
    if case.entry.catalog_item.item_type.code == "01" and case.version.result_type == "licence" and result:
        options.append(f"申请人所申请的经营或活动依法不需要取得“{result}”。")
    return rng.choice(options)


def material_correction(material: Any, applicant: Applicant, rng: random.Random) -> dict[str, Any]:
    """One point of a notice to correct: what can be wrong with this kind of material."""
    name = material.name
    signed, long = bool(SIGNED.search(name)), bool(LONG.search(name))
    problems = [MATERIAL_PROBLEMS["scan"]]
    if PHOTO.search(name):
        problems.append(MATERIAL_PROBLEMS["photo"])
    elif signed:
        problems += [
            MATERIAL_PROBLEMS["signature"],
            ("inconsistent", "填写内容与所附证明材料不一致，请核对后重新提交。"),
        ]
        if material.blank_form_id:
            problems.append(MATERIAL_PROBLEMS["old_form"])
    else:
        problems.append(MATERIAL_PROBLEMS["inconsistent"])
    if not signed and not long and (material.licence_type_code or CERTIFICATE.search(name)):
        problems.append(MATERIAL_PROBLEMS["expired"])
    if long:
        problems.append(MATERIAL_PROBLEMS["pages"])
    if material.source in ("intermediary", "other") and not material.licence_type_code:
        issuer = material.source_body or "出具单位"
        problems.append(("missing_signature", f"未加盖{issuer}公章，请加盖后重新提交。"))
    elif applicant.is_enterprise and material.source == "applicant" and not PHOTO.search(name):
        problems.append(("missing_signature", "未加盖申请单位公章，请加盖公章后重新提交。"))
    code, note = rng.choice(problems)
    return {"kind": "material", "material": material.pk, "reasons": [code], "note": note}

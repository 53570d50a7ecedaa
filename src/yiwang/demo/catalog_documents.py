"""The guide document of one department's entry for a demo item (`build_document`, in the format
of `catalog.guide_document`): the data tables' words for materials turned into the document's
values, the department's site and phones, a blank and a sample form for every form among the
materials, and no paper original over the counter in a guide that claims no visit.
"""

from __future__ import annotations

import re
from typing import Any

from yiwang.catalog import rules
from yiwang.core.models import Department, DivisionLevel
from yiwang.demo.catalog_data.sites import SITES
from yiwang.demo.catalog_forms import form_page
from yiwang.demo.catalog_specs import ItemSpec
from yiwang.demo.files import FormFiles

# --- Vocabulary of the data tables -----------------------------------------------------------

KIND = {"原件": "original", "复印件": "copy", "原件和复印件": "both", "电子": "electronic"}
NECESSITY = {"必要": "required", "情形": "conditional", "非必要": "optional"}
SOURCE = {"自备": "applicant", "政府": "government", "中介": "intermediary", "其他": "other"}
ISSUERS = {
    "居民身份证": "公安机关",
    "居民户口簿": "公安机关",
    "居住证": "公安机关",
    "机动车驾驶证": "公安机关交通管理部门",
    "机动车行驶证": "公安机关交通管理部门",
    "无犯罪记录证明": "公安机关",
    "营业执照": "市场监督管理部门",
    "结婚证": "婚姻登记机关",
    "出生医学证明": "助产机构（卫生健康部门监制）",
    "不动产权证书": "不动产登记机构",
    "社会保障卡": "人力资源和社会保障部门",
    "退休证": "人力资源和社会保障部门",
    "残疾人证": "残疾人联合会",
    "税收完税证明": "税务部门",
    "车辆购置税完税证明": "税务部门",
}
# Forms: every material so named gets a blank form and a filled-in sample (the audit's FORM_WORDS
# and a few more kinds of document people fill in or sign).
FORM_NAME = re.compile(f"{rules.FORM_WORDS.pattern}|(声明书|授权书|委托书|协议书|申报书|审核表|备案书)")

# Township bodies receive applications that a county body decides.
TOWNSHIP_PARTNER = {
    "dongcheng_service": "城关区政务服务中心",
    "beihe_town_service": "北河县政务服务中心",
    "liushu_service": "北河县政务服务中心",
    "xinhua_service": "南原市政务服务中心",
}


# --- Guide documents --------------------------------------------------------------------------


def material(spec: ItemSpec, row: tuple, files: FormFiles | None) -> dict[str, Any]:
    name, kind, necessity, source, licence, condition, *rest = row
    extra: dict[str, Any] = rest[0] if rest else {}
    electronic = kind == "电子"
    is_form = bool(FORM_NAME.search(name))
    default_fill = "可下载空白表格填写并签字，或网上申报时在线填写、系统自动生成" if is_form else ""
    doc: dict[str, Any] = {
        "name": name,
        "kind": KIND[kind],
        "media_format": "电子文件（PDF、JPG）" if electronic else "纸质",
        "necessity": NECESSITY[necessity],
        "condition": condition,
        "is_key": extra.get("key", necessity != "非必要"),
        "source": SOURCE[source],
        "source_body": extra.get("body", ISSUERS.get(licence, "")),
        "licence_type_code": licence,
        "paper_copies": 0 if electronic else extra.get("copies", 1),
        "paper_size": "" if electronic else "A4",
        "fill_instructions": extra.get("fill", default_fill),
        "acceptance_standard": {
            "original": "原件真实有效、在有效期内，信息与申请人一致",
            "copy": "复印件清晰完整，与原件一致",
            "both": "核验原件后留存复印件，复印件清晰完整",
            "electronic": "电子文件清晰完整；电子证照经核验有效",
        }[KIND[kind]],
        "legal_basis": extra.get("basis", spec.guide["legal_basis"].split("；")[0])[:300],
        "situation": extra.get("situation"),
    }
    if is_form and files is not None:
        doc["blank_form"], doc["sample_form"] = files.ids_for(form_page(spec, name))
    return doc


def build_document(
    spec: ItemSpec, dept_key: str, department: Department, files: FormFiles | None
) -> dict[str, Any]:
    """The guide document of one department's entry for an item (see `catalog.guide_document`)."""
    location, hours, consult, complaint = SITES[dept_key]
    if dept_key in spec.sites:
        location, hours = spec.sites[dept_key], spec.hours or hours
    guide = spec.guide
    instant = guide["case_kind"] == "instant"
    doc = {key: value for key, value in guide.items() if key not in ("materials", "fees", "faqs")}
    doc.update(
        location=location,
        hours=hours,
        consult_phone=consult,
        complaint_phone=complaint,
        in_hall=True,
        is_free=not guide["fees"],
        procedure=[{"name": name, "description": text} for name, text in guide["procedure"]],
        review_steps=(
            [{"name": "审核办结", "role": "approver"}]
            if instant
            else [{"name": "审查", "role": "reviewer"}, {"name": "决定", "role": "approver"}]
        ),
        situations=[
            {"seq": i, "name": name, "description": text}
            for i, (name, text) in enumerate(guide["situations"], start=1)
        ],
        materials=[material(spec, row, files) for row in guide["materials"]],
        fees=[
            {"name": name, "standard": standard, "basis": basis, "reductions": reductions}
            for name, standard, basis, reductions in guide["fees"]
        ],
        faqs=[{"question": q, "answer": a} for q, a in guide["faqs"]],
    )
    if department.division.level == DivisionLevel.TOWNSHIP:
        partner = TOWNSHIP_PARTNER.get(dept_key, "")
        doc["joint_bodies"] = f"{partner}（审核、决定）" if partner else doc.get("joint_bodies", "")
    return _no_visit_needs_no_paper(doc)


def _no_visit_needs_no_paper(doc: dict[str, Any]) -> dict[str, Any]:
    """A guide that claims 最多跑0次 (or 全程网办) takes no paper original over the counter (the
    audit's `paper_original_without_visit`): a form is filled in and signed online, a 全程网办
    guide takes a scan of the original, and any other guide takes the original by post (办理形式
    “邮寄”, said on the material)."""
    if (doc["visits_required"] and doc["online_depth"] != 6) or "mail" in doc["handling_forms"]:
        return doc
    by_post = False
    for m in doc["materials"]:
        if not rules.paper_original(m):
            continue
        if FORM_NAME.search(m["name"]) and doc["online_depth"] >= 2:
            m["media_format"] = "纸质或电子（网上申报时在线填写、签名）"
        elif doc["online_depth"] == 6:
            m.update(
                kind="electronic",
                media_format="电子文件（原件扫描件，PDF、JPG）",
                paper_copies=0,
                paper_size="",
                acceptance_standard="原件扫描件清晰完整、在有效期内，信息与申请人一致",
            )
        else:
            by_post = True
            note = "原件可邮寄至办理地点（免费寄递），无需到现场。"
            m["fill_instructions"] = "；".join(t for t in (m["fill_instructions"].rstrip("。"), note) if t)
    if by_post:
        doc["handling_forms"] = [*doc["handling_forms"], "mail"]
    return doc

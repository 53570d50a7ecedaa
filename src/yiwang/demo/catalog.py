"""The demo catalog of 青山市: catalog items claimed by city, county and township bodies, each
compiled into an implementation list entry with a complete guide, reviewed and published.

Built only through the catalog services (create_catalog_item, claim_item, compile_entry,
submit_version, publish_version ...) and the documented guide document format, from the plain
data in `catalog_data`. Running it again changes nothing: an entry whose claim already exists is
left alone.

A few entries are deliberately imperfect so the guide audit (找茬) has real findings: errors sit
in drafts that cannot be published, warnings in published guides (`SEEDED_DEFECTS`). Some
entries show the rest of the workflow: an open new draft, a version awaiting review, a returned
version and a suspended entry.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from yiwang.catalog import guide_document, rules, services
from yiwang.catalog.models import CatalogItem, Claim, Entry, EntryStatus, VersionState
from yiwang.core.models import Department, DivisionLevel
from yiwang.demo import region as demo_region
from yiwang.demo.catalog_data import english as demo_english
from yiwang.demo.catalog_data.featured import FEATURED
from yiwang.demo.catalog_data.fields import enterprise, f, person
from yiwang.demo.catalog_data.further import FURTHER
from yiwang.demo.catalog_data.sites import SITES
from yiwang.demo.files import FormFiles, FormPage

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
APPLICATION_FORM = re.compile(r"(申请表|申请书|登记表|申报表|审批表|审核表|信息表|备案表|备案书)")
UNIT_TEXT = {"workday": "个工作日", "natural_day": "个自然日", "hour": "小时"}

# Township bodies receive applications that a county body decides.
TOWNSHIP_PARTNER = {
    "dongcheng_service": "城关区政务服务中心",
    "beihe_town_service": "北河县政务服务中心",
    "liushu_service": "北河县政务服务中心",
    "xinhua_service": "南原市政务服务中心",
}

# The profile the sample forms are filled in with (the demo citizen and enterprise).
SAMPLE_ID_NUMBER = demo_region.person_id_number("19850312", "159902", "123")
SAMPLE_USCC = demo_region.enterprise_uscc("159902", "MA0Q1234")
SAMPLE_BY_NAME = {
    "applicant_name": "张三",
    "applicant_id_number": SAMPLE_ID_NUMBER,
    "applicant_phone": "13800138000",
    "enterprise_name": "青山市好味道餐饮有限公司",
    "uscc": SAMPLE_USCC,
    "legal_representative": "张三",
    "agent_name": "张三",
    "agent_id_number": SAMPLE_ID_NUMBER,
    "agent_phone": "13800138000",
    "delivery": "邮寄送达（免费）",
    "partner_id_number": demo_region.person_id_number("19870606", "159902", "246", female=True),
}
SAMPLE_BY_TYPE = {
    "text": "按实际情况填写",
    "textarea": "按实际情况填写",
    "number": "1",
    "money": "1000.00",
    "date": "2026-03-16",
    "id_number": SAMPLE_ID_NUMBER,
    "uscc": SAMPLE_USCC,
    "phone": "13800138000",
    "address": "青山市城关区东城街道光明路8号幸福小区3号楼2单元501室",
}


# Forms shared by several items, with their own rows.
SHARED_FORM_ROWS: dict[str, list[tuple[str, str]]] = {
    "不动产登记申请书": [
        ("申请登记事项", "转移登记（二手房买卖）"),
        ("不动产坐落", "青山市城关区东城街道光明路8号幸福小区3号楼2单元501室"),
        ("不动产单元号", "159902001001GB00012F00020003"),
        ("权利人（申请人）", "张三、李娜"),
        ("义务人", "王建华"),
        ("证件种类及号码", f"居民身份证 {SAMPLE_ID_NUMBER}"),
        ("不动产权证书号", "青（2019）城关区不动产权第0004567号"),
        ("面积（平方米）", "89.60"),
        ("用途", "住宅"),
        ("申请登记原因及证明", "存量房买卖；存量房买卖合同（网签备案号 QS2026-0001234）"),
    ],
    "公司登记（备案）申请书": [
        ("名称", "青山市好味道餐饮有限公司"),
        ("申请事项", "设立登记"),
        ("住所", "青山市城关区新华大街100号"),
        ("法定代表人", "张三"),
        ("注册资本（万元）", "100"),
        ("公司类型", "有限责任公司"),
        ("经营范围", "餐饮服务；食品销售（仅销售预包装食品）"),
        ("联系电话", "13800138000"),
    ],
    "中国公民出入境证件申请表": [
        ("姓名", "张三"),
        ("性别", "男"),
        ("公民身份号码", SAMPLE_ID_NUMBER),
        ("申请类别", "首次申请"),
        ("申请证件", "普通护照"),
        ("出境事由", "旅游"),
        ("紧急联系人及电话", "李娜 13800138001"),
    ],
}

# --- The workflow and the seeded defects ------------------------------------------------------

# (department key, basic code) -> how far the first version goes, and what is wrong with it.
FIRST_VERSION_PLANS: dict[tuple[str, str], dict[str, Any]] = {
    ("city_culture", "150101511000"): {"state": "draft", "changes": {"materials": []}},
    ("chengguan_service", "150101512000"): {
        "state": "draft",
        "changes": {"complaint_phone": SITES["chengguan_service"][2], "hours": "工作日上午、下午"},
    },
    ("city_urban_management", "150101811000"): {
        "state": "draft",
        "add_materials": [("法律法规规定的其他材料", "原件", "必要", "自备", "", "")],
    },
    ("beihe_service", "150101812000"): {
        "state": "draft",
        "changes": {
            "is_free": False,
            "fees": [
                {"name": "城市道路占用费", "standard": "按占用面积和天数计收", "basis": "", "reductions": ""}
            ],
        },
    },
    ("liushu_service", "150500305000"): {
        "state": "draft",
        "changes": {"location": "乡政府", "hours": "工作日"},
        "strip_forms": True,
    },
    ("xinhua_service", "150500130000"): {
        "state": "draft",
        "changes": {"promised_limit": 0},
        "add_materials": [("户籍迁移证明", "原件", "情形", "政府", "居民户口簿", "")],
    },
    ("city_market", "150101006000"): {
        "state": "returned",
        "comment": "承诺时限与法定时限相同，请按“放管服”要求压缩至5个工作日以内，并在特别程序中写明现场核查时限。",
    },
    ("city_market", "151001007000"): {"state": "submitted"},
}

# Published entries that get a second version: (changes, extra FAQs, submit it for review?).
NEW_DRAFTS: dict[tuple[str, str], dict[str, Any]] = {
    ("city_market", "150101001001"): {
        "changes": {"promised_limit_note": "企业开办全流程（执照、刻章、发票、社保、公积金）当日办结"},
        "add_faqs": [("外地人可以在青山注册公司吗？", "可以，股东和法定代表人不受户籍限制，全程网上办理。")],
    },
    ("city_hrss", "150500404000"): {
        "changes": {"visits_required": 1, "visit_reasons": "首次申领需到窗口核验身份"},
    },
    ("city_civil_affairs", "150700301000"): {
        "add_faqs": [
            ("可以在周末登记结婚吗？", "每年2月14日、5月20日和农历七夕遇周末时，婚姻登记处正常办公。")
        ],
        "submit": True,
    },
}

SUSPENDED: dict[tuple[str, str], str] = {
    (
        "nanyuan_service",
        "150101701000",
    ): "本年度春节烟花爆竹零售网点申请已集中受理完毕，暂停受理；下一年度受理时间另行公告。",
}

# (department key, basic code, version state, rule) the audit must find.
SEEDED_DEFECTS: list[tuple[str, str, str, str]] = [
    ("city_culture", "150101511000", "draft", "empty_materials"),
    ("chengguan_service", "150101512000", "draft", "phones_identical"),
    ("chengguan_service", "150101512000", "draft", "hours_irregular"),
    ("city_urban_management", "150101811000", "draft", "vague_material"),
    ("beihe_service", "150101812000", "draft", "fee_without_basis"),
    ("liushu_service", "150500305000", "draft", "missing_blank_form"),
    ("liushu_service", "150500305000", "draft", "missing_sample_form"),
    ("liushu_service", "150500305000", "draft", "location_irregular"),
    ("xinhua_service", "150500130000", "draft", "instant_not_marked"),
    ("xinhua_service", "150500130000", "draft", "conditional_without_condition"),
    ("city_hrss", "150500404000", "draft", "full_online_with_visits"),
    ("city_market", "150101006000", "returned", "promised_not_shorter"),
    ("city_health", "150100213000", "published", "promised_not_shorter"),
    ("city_health", "150100212000", "published", "faq_missing"),
    ("city_market", "150101005000", "published", "time_units_mixed"),
    ("city_transport", "150101111000", "published", "government_material_not_fetchable"),
    ("city_natural_resources", "150700701001", "published", "jargon_without_plain_title"),
    ("city_public_security", "150100115000", "published", "visits_without_reason"),
    ("city_housing", "150100811000", "published", "online_depth_inconsistent"),
]

# --- Normalising the two tables into one shape ------------------------------------------------


@dataclass
class ItemSpec:
    code: str
    name: str
    type: str
    claims: list[str]
    guide: dict[str, Any]
    samples: dict[str, str] = field(default_factory=dict)
    table_samples: dict[str, list[list[str]]] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    hours: str = ""


def _limit_text(value: int, unit: str) -> str:
    return f"{value}{UNIT_TEXT[unit]}"


def _default_procedure(kind: str, promised: int, unit: str, result: str) -> list[tuple[str, str]]:
    if kind == "instant":
        return [
            ("申请", "网上提交申请，或到窗口提交申请材料"),
            ("受理并办结", "材料齐全、符合法定形式的当场办结；不齐全的一次性告知需补正的全部内容"),
            ("领取结果", f"当场领取{result}，或选择邮寄、电子证照"),
        ]
    return [
        ("申请", "网上提交申请，或到窗口提交申请材料"),
        ("受理", "材料齐全、符合法定形式的予以受理；不齐全的当场或在5个工作日内一次性告知需补正的全部内容"),
        ("审查", f"自受理之日起{_limit_text(promised, unit)}内完成审查"),
        ("决定", "作出准予或不予批准的决定；不予批准的书面说明理由，并告知申请行政复议或提起行政诉讼的权利"),
        ("送达", f"{result}窗口领取、邮寄送达或推送电子证照"),
    ]


def _default_faqs(kind: str, legal: int, promised: int, unit: str, depth: int) -> list[tuple[str, str]]:
    if kind == "instant":
        time_answer = "材料齐全、符合法定形式的当场办结。"
    else:
        time_answer = (
            f"自受理之日起{_limit_text(promised, unit)}内办结（法定时限为{_limit_text(legal, unit)}）。"
        )
    online = {
        6: "可以全程网上办理，无需到现场。",
        5: "可以网上申请和办理，结果可邮寄或推送电子证照。",
        4: "可以网上提交申请，由窗口在线受理。",
        3: "可以网上提交材料预审，预审通过后到窗口办理。",
    }.get(depth, "请到窗口办理，可先电话咨询需要准备的材料。")
    return [("办理需要多长时间？", time_answer), ("可以网上办理吗？", online)]


def _featured(row: dict[str, Any]) -> ItemSpec:
    legal, legal_unit = row["legal"]
    promised, promised_unit = row["promised"]
    kind = row.get("kind", "promised")
    result_type, result_name = row["result"]
    depth = row.get("depth", 4)
    forms = ["window"] + (["online"] if depth >= 2 else []) + (["mail"] if row.get("express") else [])
    guide = {
        "plain_title": row["plain_title"],
        "aliases": row.get("aliases", []),
        "legal_basis": row["legal_basis"],
        "joint_bodies": row.get("joint", ""),
        "legal_limit": legal,
        "legal_limit_unit": legal_unit,
        "legal_limit_note": row.get("legal_note", ""),
        "promised_limit": promised,
        "promised_limit_unit": promised_unit,
        "promised_limit_note": row.get("promised_note", ""),
        "case_kind": kind,
        "audience": row["audience"],
        "acceptance_conditions": row["conditions"],
        "procedure": row.get("procedure") or _default_procedure(kind, promised, promised_unit, result_name),
        "special_procedures": [
            {"name": name, "limit": limit, "unit": unit} for name, limit, unit in row.get("special", [])
        ],
        "handling_forms": forms,
        "visits_required": row.get("visits", 0),
        "visit_reasons": row.get("visit_reasons", ""),
        "online_depth": depth,
        "express_delivery": bool(row.get("express")),
        "online_payment": bool(row.get("payment")),
        "appointment": bool(row.get("appointment")),
        "self_service_terminal": bool(row.get("terminal")),
        "cross_region_scope": row.get("scope", "city"),
        "tolerance_acceptance": bool(row.get("tolerance")),
        "notification_commitment": bool(row.get("commitment")),
        "result_type": result_type,
        "result_name": result_name,
        "topics": row["topics"],
        "form_schema": row["form"],
        "situations": row.get("situations", []),
        "materials": row["materials"],
        "fees": row.get("fees", []),
        "faqs": row["faqs"],
    }
    return ItemSpec(
        code=row["code"],
        name=row["name"],
        type=row["type"],
        claims=row["claims"],
        guide=guide,
        samples=row.get("samples", {}),
        table_samples=row.get("table_samples", {}),
        sites=row.get("sites", {}),
        hours=row.get("hours", ""),
    )


def _further(row: dict[str, Any]) -> ItemSpec:
    legal, promised, *rest = row["limits"]
    unit = rest[0] if rest else "workday"
    kind = "instant" if promised == 0 else "promised"
    depth = row.get("depth", 4)
    result_type, result_name = row["result"]
    visits = row.get("visits", 0 if depth == 6 else 1)
    reasons = row.get("reasons", "需到窗口核验申请材料原件" if visits else "")
    express = bool(row.get("express")) or depth >= 5
    forms = row.get("handling") or (
        ["window"] + (["online"] if depth >= 2 else []) + (["mail"] if express else [])
    )
    first_law = row["basis"].split("；")[0]
    who = "单位" if row["audience"] == "enterprise" else "申请人"
    extra_fields = row.get("fields") or [
        f("request", "申请事项说明", "textarea", required=False, max_length=500)
    ]
    schema = enterprise(*extra_fields) if row["audience"] == "enterprise" else person(*extra_fields)
    guide = {
        "plain_title": row["plain"],
        "aliases": row.get("aliases", []),
        "legal_basis": row["basis"],
        "legal_limit": legal,
        "legal_limit_unit": unit,
        "legal_limit_note": row.get("legal_note", ""),
        "promised_limit": promised,
        "promised_limit_unit": unit,
        "promised_limit_note": row.get("promised_note", ""),
        "case_kind": kind,
        "audience": row["audience"],
        "acceptance_conditions": row.get("conditions")
        or f"{who}符合{first_law}等规定的条件，申请材料齐全、符合法定形式。",
        "procedure": _default_procedure(kind, promised, unit, result_name),
        "handling_forms": forms,
        "visits_required": visits,
        "visit_reasons": reasons,
        "online_depth": depth,
        "express_delivery": express,
        "online_payment": bool(row.get("fees")),
        "appointment": depth < 6,
        "self_service_terminal": bool(row.get("terminal")),
        "cross_region_scope": row.get("scope", "city"),
        "notification_commitment": bool(row.get("commitment")),
        "result_type": result_type,
        "result_name": result_name,
        "topics": row["topics"],
        "form_schema": schema,
        "situations": [],
        "materials": row["materials"],
        "fees": row.get("fees", []),
        "faqs": row["faqs"] if "faqs" in row else _default_faqs(kind, legal, promised, unit, depth),
    }
    return ItemSpec(code=row["code"], name=row["name"], type=row["type"], claims=row["claims"], guide=guide)


def item_specs() -> list[ItemSpec]:
    """Every item of the demo catalog, featured first."""
    return [_featured(row) for row in FEATURED] + [_further(row) for row in FURTHER]


# --- Guide documents --------------------------------------------------------------------------


def _sample_value(spec: ItemSpec, field_def: dict[str, Any]) -> str:
    name = field_def["name"]
    if name in spec.samples:
        return spec.samples[name]
    if name in SAMPLE_BY_NAME:
        return SAMPLE_BY_NAME[name]
    if field_def["type"] in ("choice", "multichoice"):
        return field_def["options"][0]["label"]
    return SAMPLE_BY_TYPE.get(field_def["type"], "按实际情况填写")


def _sample_raw(spec: ItemSpec, field_def: dict[str, Any]) -> Any:
    """The stored value behind a sample answer (option values for choices), for `show_if`."""
    shown = _sample_value(spec, field_def)
    if field_def["type"] == "choice":
        return next((o["value"] for o in field_def["options"] if o["label"] == shown), None)
    if field_def["type"] == "multichoice":
        return [o["value"] for o in field_def["options"] if o["label"] in shown]
    return shown


def _shown_in_sample(spec: ItemSpec, field_def: dict[str, Any], fields: dict[str, dict]) -> bool:
    cond = field_def.get("show_if")
    if not cond:
        return True
    raw = _sample_raw(spec, fields[cond["field"]])
    return raw == cond["equals"] or (isinstance(raw, list) and cond["equals"] in raw)


def _form_page(spec: ItemSpec, title: str) -> FormPage:
    """The content of one form: shared forms have their own rows, application forms follow the
    item's online form, other signed documents are short texts."""
    if title in SHARED_FORM_ROWS:
        return FormPage(title, rows=SHARED_FORM_ROWS[title])
    if APPLICATION_FORM.search(title):
        rows, tables = [], []
        fields = {fd["name"]: fd for fd in spec.guide["form_schema"]["fields"]}
        for field_def in fields.values():
            if not _shown_in_sample(spec, field_def, fields):
                if field_def["type"] != "table":
                    rows.append((f"{field_def['label']}（按需填写）", None))
                continue
            if field_def["type"] == "table":
                columns = [c["label"] for c in field_def["columns"]]
                sample_rows = spec.table_samples.get(field_def["name"]) or [
                    [_sample_value(spec, c) for c in field_def["columns"]]
                ]
                tables.append((field_def["label"], columns, sample_rows))
            else:
                rows.append((field_def["label"], _sample_value(spec, field_def)))
        return FormPage(title, rows=rows, tables=tables)
    if "协议书" in title:
        return FormPage(
            title,
            rows=[("男方", "张三"), ("女方", "李娜"), ("结婚登记日期", "2015年10月1日")],
            paragraphs=[
                "一、男女双方自愿离婚。",
                "二、子女抚养：婚生子张小明由男方抚养，女方每月支付抚养费1500元，直至其年满十八周岁。",
                "三、财产分割：位于青山市城关区的住房一套归男方所有，男方向女方支付折价款二十万元。",
                "四、债权债务：双方确认无共同债权债务。",
                "本协议一式三份，双方各执一份，婚姻登记机关存档一份。",
            ],
            signature="男方、女方（签名）：",
            signer="张三　李娜",
        )
    if "委托书" in title or "授权书" in title:
        return FormPage(
            title,
            rows=[
                ("委托人（授权人）", "张三"),
                ("委托人证件号码", SAMPLE_ID_NUMBER),
                ("受托人（被授权人）", "李娜"),
                ("受托人证件号码", SAMPLE_BY_NAME["partner_id_number"]),
                ("委托（授权）事项", f"代为办理“{spec.name}”的申请、材料提交和结果领取"),
                ("委托期限", "自签署之日起至办结之日止"),
            ],
            signature="委托人（授权人）签名：",
        )
    if "声明书" in title:
        return FormPage(
            title,
            rows=[("声明人", "张三"), ("证件号码", SAMPLE_ID_NUMBER)],
            paragraphs=[
                f"本人就申请“{spec.name}”郑重声明：所填写的信息和提交的材料真实、准确、完整，"
                "不存在法律法规禁止的情形。如有虚假，本人愿意承担由此产生的一切法律责任。"
            ],
            signature="声明人（签名）：",
        )
    return FormPage(
        title,
        rows=[("承诺人", "张三"), ("证件号码", SAMPLE_ID_NUMBER), ("承诺事项", spec.name)],
        paragraphs=[
            f"本人（单位）申请办理“{spec.name}”，现郑重承诺：已知晓办理该事项的全部条件和要求；"
            "所提交的材料真实、合法、有效；符合告知的全部条件，并将按要求接受事后核查。",
            "如承诺不实，愿意承担相应的法律责任，并同意将失信信息记入信用记录。",
        ],
        signature="承诺人（签名或盖章）：",
    )


def _material(spec: ItemSpec, row: tuple, files: FormFiles | None) -> dict[str, Any]:
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
        doc["blank_form"], doc["sample_form"] = files.ids_for(_form_page(spec, name))
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
        materials=[_material(spec, row, files) for row in guide["materials"]],
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


def _with_plan(doc: dict[str, Any], spec: ItemSpec, plan: dict[str, Any]) -> dict[str, Any]:
    doc = {**doc, **plan.get("changes", {})}
    if plan.get("add_materials"):
        doc["materials"] = doc["materials"] + [_material(spec, row, None) for row in plan["add_materials"]]
    if plan.get("strip_forms"):
        doc["materials"] = [{**m, "blank_form": None, "sample_form": None} for m in doc["materials"]]
    return doc


# --- Loading ----------------------------------------------------------------------------------


@dataclass
class CatalogSummary:
    items: int = 0
    created_entries: int = 0
    published: int = 0
    files_generated: int = 0
    seconds: float = 0.0
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)


def _departments(region_result: demo_region.Region | None) -> dict[str, Department]:
    if region_result is not None:
        return region_result.departments
    names = {key: name for key, name, _division, _nature in demo_region.DEPARTMENTS}
    by_name = {d.name: d for d in Department.objects.filter(name__in=names.values())}
    return {key: by_name[name] for key, name in names.items() if name in by_name}


def _catalog_item(spec: ItemSpec, departments: dict[str, Department]) -> CatalogItem:
    item = CatalogItem.objects.filter(basic_code=spec.code).first()
    if item is not None:
        return item
    levels = sorted({departments[key].division.level for key in spec.claims})
    return services.create_catalog_item(
        basic_code=spec.code,
        name=spec.name,
        item_type=spec.type,
        legal_basis=spec.guide["legal_basis"],
        levels=levels,
    )


def _second_version(entry: Entry, plan: dict[str, Any]) -> None:
    draft = services.start_new_draft(entry, None)
    changes = dict(plan.get("changes", {}))
    if plan.get("add_faqs"):
        faqs = guide_document.version_to_document(draft)["faqs"]
        changes["faqs"] = faqs + [{"question": q, "answer": a} for q, a in plan["add_faqs"]]
    services.save_draft(draft, changes, None)
    if plan.get("submit"):
        services.submit_version(draft, None)


def load_catalog(region_result: demo_region.Region | None = None) -> CatalogSummary:
    """Create the demo catalog; running it again changes nothing."""
    started = time.monotonic()
    departments = _departments(region_result)
    files = FormFiles()
    summary = CatalogSummary()
    for spec in item_specs():
        item = _catalog_item(spec, departments)
        summary.items += 1
        for dept_key in spec.claims:
            department = departments[dept_key]
            claim = Claim.objects.filter(department=department, catalog_item=item).first()
            existing = Entry.objects.filter(claim=claim).first() if claim else None
            if existing is not None:
                summary.entries[(dept_key, spec.code)] = existing
                continue
            claim = claim or services.claim_item(department, item)
            plan = FIRST_VERSION_PLANS.get((dept_key, spec.code), {})
            doc = _with_plan(build_document(spec, dept_key, department, files), spec, plan)
            doc = demo_english.with_english(doc, spec.code)  # issue 13: English names
            entry = services.compile_entry(claim, None, doc)
            summary.entries[(dept_key, spec.code)] = entry
            summary.created_entries += 1
            version = entry.versions.get()
            state = plan.get("state", VersionState.PUBLISHED)
            if state == VersionState.DRAFT:
                services.record_audit(version)
                continue
            services.submit_version(version, None)
            if state == VersionState.RETURNED:
                services.return_version(version, None, plan["comment"])
            elif state == VersionState.PUBLISHED:
                services.publish_version(version, None, "演示数据：审核通过")
                summary.published += 1
                if (dept_key, spec.code) in NEW_DRAFTS:
                    _second_version(entry, NEW_DRAFTS[(dept_key, spec.code)])
                if (dept_key, spec.code) in SUSPENDED:
                    services.set_entry_status(
                        entry, None, EntryStatus.SUSPENDED, SUSPENDED[(dept_key, spec.code)]
                    )
    summary.files_generated = files.generated
    summary.seconds = time.monotonic() - started
    return summary

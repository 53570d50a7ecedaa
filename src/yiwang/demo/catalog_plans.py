"""The workflow and the seeded defects of the demo catalog: how far each entry's first version goes
and what is wrong with it (`FIRST_VERSION_PLANS`, applied by `with_plan`), the published entries
that get a second version (`NEW_DRAFTS`, made by `second_version`), the suspended entry
(`SUSPENDED`) and the findings the guide audit must make (`SEEDED_DEFECTS`).

A few entries are deliberately imperfect so the guide audit (找茬) has real findings: errors sit
in drafts that cannot be published, warnings in published guides. Some entries show the rest of
the workflow: an open new draft, a version awaiting review, a returned version and a suspended
entry.
"""

from __future__ import annotations

from typing import Any

from yiwang.catalog import guide_document, services
from yiwang.catalog.models import Entry
from yiwang.demo.catalog_data.sites import SITES
from yiwang.demo.catalog_documents import material
from yiwang.demo.catalog_specs import ItemSpec

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


def with_plan(doc: dict[str, Any], spec: ItemSpec, plan: dict[str, Any]) -> dict[str, Any]:
    doc = {**doc, **plan.get("changes", {})}
    if plan.get("add_materials"):
        doc["materials"] = doc["materials"] + [material(spec, row, None) for row in plan["add_materials"]]
    if plan.get("strip_forms"):
        doc["materials"] = [{**m, "blank_form": None, "sample_form": None} for m in doc["materials"]]
    return doc


def second_version(entry: Entry, plan: dict[str, Any]) -> None:
    draft = services.start_new_draft(entry, None)
    changes = dict(plan.get("changes", {}))
    if plan.get("add_faqs"):
        faqs = guide_document.version_to_document(draft)["faqs"]
        changes["faqs"] = faqs + [{"question": q, "answer": a} for q, a in plan["add_faqs"]]
    services.save_draft(draft, changes, None)
    if plan.get("submit"):
        services.submit_version(draft, None)

"""The items of the demo catalog in one shape (`ItemSpec`, `item_specs`): the featured table's
complete guides and the further table's lighter rows, with what a row leaves out (procedure, FAQs,
acceptance conditions, handling forms, visits, the online form) filled in with the usual defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yiwang.demo.catalog_data.featured import FEATURED
from yiwang.demo.catalog_data.fields import enterprise, f, person
from yiwang.demo.catalog_data.further import FURTHER

UNIT_TEXT = {"workday": "个工作日", "natural_day": "个自然日", "hour": "小时"}


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

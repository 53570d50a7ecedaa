"""Guide documents and entries for the catalog and workbench tests."""

from __future__ import annotations

import copy
from typing import Any

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

GOOD: dict[str, Any] = {
    "name": "食品经营许可（新办）",
    "plain_title": "开饭店办食品经营许可证",
    "initiation": "application",
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "legal_limit": 20,
    "legal_limit_unit": "workday",
    "legal_limit_note": "",
    "promised_limit": 5,
    "promised_limit_unit": "workday",
    "promised_limit_note": "",
    "case_kind": "promised",
    "acceptance_conditions": "申请人已取得营业执照，有与经营食品品种相适应的经营场所。",
    "procedure": [
        {"name": "申请", "description": "网上或窗口提交材料"},
        {"name": "受理", "description": "材料齐全当场受理"},
        {"name": "审查", "description": "审查材料，必要时现场核查"},
        {"name": "决定", "description": "作出准予或不予许可的决定"},
        {"name": "送达", "description": "发放电子证照，可邮寄纸质证书"},
    ],
    "handling_forms": ["window", "online"],
    "visits_required": 0,
    "visit_reasons": "",
    "online_depth": 6,
    "location": "青山市人民路100号政务服务中心一楼A区12号窗口",
    "hours": "周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）",
    "consult_phone": "0471-8001234",
    "complaint_phone": "12345",
    "is_free": True,
    "fees": [],
    "result_type": "licence",
    "result_name": "食品经营许可证",
    "faqs": [
        {"question": "网上申请后多久能拿到许可证？", "answer": "承诺5个工作日内办结，电子证照即时发放。"}
    ],
    "materials": [
        {
            "name": "食品经营许可申请书",
            "kind": "original",
            "necessity": "required",
            "source": "applicant",
            "blank_form": "blank-file",
            "sample_form": "sample-file",
        },
        {
            "name": "营业执照",
            "kind": "copy",
            "necessity": "required",
            "source": "government",
            "licence_type_code": "LIC-BUSINESS",
        },
    ],
}


def good_document(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(GOOD)
    doc.update(copy.deepcopy(changes))
    return doc


def db_document(blank_id: str | None, sample_id: str | None, **changes: Any) -> dict[str, Any]:
    """The good document with real stored file ids (or none) for the application form."""
    doc = good_document(**changes)
    doc.pop("initiation", None)
    doc["materials"][0]["blank_form"] = blank_id
    doc["materials"][0]["sample_form"] = sample_id
    return doc


def make_entry(
    department,
    *,
    basic_code: str = "150100123000",
    name: str = "食品经营许可",
    user=None,
    document: dict[str, Any] | None = None,
):
    """A catalog item claimed by the department and compiled into an entry with draft v1."""
    from yiwang.catalog import services

    item = services.create_catalog_item(
        basic_code=basic_code,
        name=name,
        item_type=basic_code[2:4],
        legal_basis="《中华人民共和国食品安全法》",
        levels=[2, 3],
    )
    claim = services.claim_item(department, item, user)
    return services.compile_entry(claim, user, document)


def store_pdf(name: str = "form.pdf", user=None):
    from yiwang.core import uploads

    return uploads.store_bytes(PDF, name, allowed=("pdf",), user=user)

"""A small 我要开饭店 over four published entries of two departments: business registration (it
issues the 营业执照, and assigns its 统一社会信用代码), the food business permit and the signboard
permit (both wait for the registration and take its licence), and the fire safety check (only over
50 seats, in parallel). Used by the bundle tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from case_fixtures import _second_admin, publish, seed_catalog_types
from catalog.guide_samples import GOOD, make_entry

PERSON = [
    {"name": "applicant_name", "label": "申请人姓名", "type": "text", "required": True, "prefill": "name"},
    {"name": "applicant_phone", "label": "联系电话", "type": "phone", "required": True, "prefill": "phone"},
]


def _material(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "copy", "necessity": "required", "source": "applicant", **extra}


SPECS = {
    "register": {
        "department": "city_market",
        "basic_code": "150101201000",
        "name": "个体工商户设立登记",
        "case_kind": "instant",
        "promised_limit": None,
        "fields": [
            {"name": "shop_name", "label": "个体工商户名称", "type": "text", "required": True},
            {"name": "shop_address", "label": "经营场所", "type": "text", "required": True},
        ],
        "materials": [_material("居民身份证"), _material("经营场所使用证明")],
    },
    "food": {
        "department": "city_market",
        "basic_code": "150101202000",
        "name": "食品经营许可",
        "promised_limit": 5,
        "fields": [
            {"name": "shop_name", "label": "经营者名称", "type": "text", "required": True},
            {"name": "uscc", "label": "统一社会信用代码", "type": "uscc", "required": True},
            {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": True, "min": 1},
        ],
        "materials": [
            _material("食品安全管理制度文本"),
            _material("营业执照", licence_type_code="营业执照", source="government"),
            _material("居民身份证（经营者）"),
        ],
    },
    "sign": {
        "department": "city_market",
        "basic_code": "150101203000",
        "name": "户外招牌设置审批",
        "promised_limit": 3,
        "fields": [
            {"name": "shop_name", "label": "设置单位", "type": "text", "required": True},
            {"name": "sign_text", "label": "招牌文字", "type": "text", "required": True},
        ],
        "materials": [_material("招牌设计效果图"), _material("营业执照", licence_type_code="营业执照")],
    },
    "fire": {
        "department": "city_fire",
        "basic_code": "150101204000",
        "name": "公众聚集场所投入使用、营业前消防安全检查",
        "promised_limit": 10,
        "fields": [
            {"name": "shop_address", "label": "场所地址", "type": "text", "required": True},
            {"name": "seats", "label": "座位数", "type": "number", "required": True},
        ],
        "materials": [_material("场所平面布置图")],
    },
}

BUSINESS_SCHEMA = {
    "fields": [
        {"name": "uscc", "label": "统一社会信用代码", "type": "text", "assign": "uscc"},
        {"name": "name", "label": "名称", "type": "text", "from": "shop_name"},
        {"name": "address", "label": "经营场所", "type": "text", "from": "shop_address"},
    ]
}


def definition(entries: dict[str, Any], **changes: Any) -> dict[str, Any]:
    code = {k: e.code for k, e in entries.items()}
    doc = {
        "questions": [
            {"code": "seats", "text": "经营场所有多少个座位？", "kind": "number", "unit": "个"},
            {"code": "signboard", "text": "是否在门头设置招牌？", "kind": "yes_no"},
            {"code": "prepacked_only", "text": "是否只销售预包装食品？", "kind": "yes_no"},
        ],
        "members": [
            {"entry": code["register"]},
            {
                "entry": code["food"],
                "after": [code["register"]],
                "when": [{"question": "prepacked_only", "equals": "no"}],
            },
            {
                "entry": code["sign"],
                "after": [code["register"]],
                "when": [{"question": "signboard", "equals": "yes"}],
            },
            {"entry": code["fire"], "when": [{"question": "seats", "above": 50}]},
        ],
        "map": {code["food"]: {"uscc": "licence.uscc"}},
        "same_materials": [["居民身份证", "居民身份证（经营者）"]],
    }
    doc.update(changes)
    return doc


@pytest.fixture
def restaurant_entries(region, media, users, workday_calendar):
    """The four entries, published, and the 营业执照 type issued by registration (with a seal)."""
    from licences.licence_fixtures import licence_type
    from yiwang.licences import keys

    seed_catalog_types()
    entries = {}
    for key, spec in SPECS.items():
        department = region.departments[spec["department"]]
        admin = users["demo-itemadmin"] if spec["department"] == "city_market" else _second_admin(region)
        document = copy.deepcopy(GOOD)
        document.pop("initiation", None)
        document.update(name=spec["name"], materials=spec["materials"], result_name=spec["name"])
        entry = make_entry(
            department, basic_code=spec["basic_code"], name=spec["name"], user=admin, document=document
        )
        changes = {
            "form_schema": {"fields": PERSON + spec["fields"]},
            "audience": "both",
            "case_kind": spec.get("case_kind", "promised"),
            "promised_limit": spec["promised_limit"],
            "visits_required": 1 if key == "fire" else 0,
            "online_depth": 4 if key == "fire" else 6,  # the fire check visits the premises once
        }
        entries[key] = publish(
            entry,
            user=admin,
            reviewer=users["demo-approver" if spec["department"] == "city_market" else "demo-admin"],
            **changes,
        )
    licence_type(
        entries["register"].department,
        code_suffix="009",
        name="营业执照",
        schema=BUSINESS_SCHEMA,
        entries=[entries["register"]],
    )
    keys.create_key(entries["register"].department, users["demo-admin"])
    return entries


@pytest.fixture
def restaurant(restaurant_entries, users, region):
    """我要开饭店, published (drafted by the market regulator's item admin, published by the admin)."""
    from yiwang.bundles import services

    version = services.create_bundle(
        users["demo-itemadmin"], code="open-restaurant", name="我要开饭店", division=region.city
    )
    problems = services.save_draft(
        version,
        users["demo-itemadmin"],
        plain_title="开饭店、开餐馆",
        aliases=["开饭店", "开餐馆"],
        definition=definition(restaurant_entries),
    )
    assert problems == []
    services.submit_version(version, users["demo-itemadmin"])
    services.publish_version(version, users["demo-admin"])
    version.bundle.refresh_from_db()
    return version.bundle

"""Fixtures for the licence tests: the food business permit type issued by the test entry's
department, that department's seal, a business licence type, and a case walked to approval."""

from __future__ import annotations

import pytest

from yiwang.cases import services
from yiwang.licences import keys
from yiwang.licences.models import LicenceType

FOOD_SCHEMA = {
    "fields": [
        {"name": "operator", "label": "经营者名称", "type": "text", "required": True, "prefill": "name"},
        {"name": "shop_name", "label": "店铺名称", "type": "text", "required": True, "max_length": 50},
        {"name": "area", "label": "经营面积（平方米）", "type": "number"},
        {"name": "scope", "label": "经营项目", "type": "text", "max_length": 100},
    ]
}
BUSINESS_SCHEMA = {
    "fields": [
        {"name": "name", "label": "名称", "type": "text", "required": True, "prefill": "name"},
        {"name": "kind", "label": "类型", "type": "text"},
        {"name": "address", "label": "经营场所", "type": "text"},
    ]
}


def licence_type(department, *, code_suffix: str, name: str, schema: dict, entries=(), holder_kind="person"):
    licence_type = LicenceType.objects.create(
        code=department.uscc + code_suffix,
        name=name,
        agency=department,
        holder_kind=holder_kind,
        schema=schema,
        validity_years=5,
        layout={"shown": [f["name"] for f in schema["fields"]]},
        number_prefix="JY",
    )
    licence_type.entries.set(entries)
    return licence_type


@pytest.fixture
def food_type(published):
    return licence_type(
        published.department,
        code_suffix="001",
        name="食品经营许可证",
        schema=FOOD_SCHEMA,
        entries=[published],
    )


@pytest.fixture
def seal_key(published, users):
    return keys.create_key(published.department, users["demo-admin"])


@pytest.fixture
def approve(users):
    """approve(case) → the case accepted, passed and approved by the demo staff."""

    def walk(case):
        services.act(users["demo-clerk"], case, "accept")
        services.act(users["demo-reviewer"], case, "pass_step")
        services.act(users["demo-approver"], case, "approve")
        return case

    return walk

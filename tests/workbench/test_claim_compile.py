"""认领 and 编制: browse the basic catalog, claim for the department, compile entry + draft v1."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(region):
    from yiwang.catalog import services

    return {
        "food": services.create_catalog_item(
            basic_code="150100777000",
            name="食品经营许可",
            item_type="01",
            legal_basis="《食品安全法》",
            levels=[2, 3],
        ),
        "county_only": services.create_catalog_item(
            basic_code="150100888000", name="乡村小作坊登记", item_type="01", levels=[3]
        ),
        "provincial": services.create_catalog_item(
            basic_code="150700999000", name="省级确认事项", item_type="07", levels=[1]
        ),
    }


def test_claim_then_compile(as_user, items, market, staff):
    from yiwang.catalog.models import AuditFinding, Claim, Entry

    client = as_user("demo-itemadmin")
    page = client.get("/workbench/catalog/claim/").content.decode()
    assert "食品经营许可" in page
    assert "乡村小作坊登记" not in page and "省级确认事项" not in page  # not exercised at city level
    response = client.post("/workbench/catalog/claim/", {"item": items["food"].pk})
    assert response.status_code == 302
    claim = Claim.objects.get(department=market, catalog_item=items["food"])
    assert claim.claimed_by == staff["demo-itemadmin"]
    page = client.get("/workbench/catalog/claim/").content.decode()
    pending = page.split('id="pending"')[1].split("</section>")[0]
    assert "食品经营许可" in pending and f"/workbench/catalog/claims/{claim.pk}/compile/" in pending
    available = page.split('id="catalog-title"')[1]
    assert "食品经营许可" not in available
    # claiming twice says so
    response = client.post("/workbench/catalog/claim/", {"item": items["food"].pk}, follow=True)
    assert "本部门已认领该事项" in response.content.decode()

    response = client.post(f"/workbench/catalog/claims/{claim.pk}/compile/")
    entry = Entry.objects.get(claim=claim)
    assert (
        response.status_code == 302 and response["Location"] == f"/workbench/catalog/entries/{entry.pk}/edit/"
    )
    assert entry.code == market.uscc + "2" + "150100777000"
    version = entry.versions.get()
    assert version.number == 1 and version.state == "draft" and version.legal_basis == "《食品安全法》"
    assert AuditFinding.objects.filter(version=version, rule="empty_materials").exists()
    # compiling again is refused with a message
    response = client.post(f"/workbench/catalog/claims/{claim.pk}/compile/", follow=True)
    assert "已编制实施清单" in response.content.decode()


def test_other_department_cannot_compile_the_claim(as_user, items, market, staff):
    from yiwang.catalog import services

    claim = services.claim_item(market, items["food"], staff["demo-itemadmin"])
    response = as_user("demo-itemadmin-hrss").post(f"/workbench/catalog/claims/{claim.pk}/compile/")
    assert response.status_code == 404
    assert not hasattr(claim, "entry")


def test_claim_search(as_user, items):
    page = as_user("demo-itemadmin").get("/workbench/catalog/claim/?q=1501007").content.decode()
    assert "食品经营许可" in page
    page = as_user("demo-itemadmin").get("/workbench/catalog/claim/?q=不存在").content.decode()
    assert "没有可认领的事项" in page

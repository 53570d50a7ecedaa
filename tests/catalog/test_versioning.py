"""The guide version workflow: compile → submit → review → publish, editing a published guide,
immutability, permissions and the readable diff."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.catalog import guide_document, queries, services
from yiwang.catalog.models import EntryStatus, VersionState

from .guide_samples import db_document, make_entry, store_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(region):
    from yiwang.accounts.models import User

    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


@pytest.fixture
def entry(region, media, people):
    user = people["demo-itemadmin"]
    blank, sample = store_pdf("blank.pdf", user), store_pdf("sample.pdf", user)
    doc = db_document(str(blank.pk), str(sample.pk))
    doc["situations"] = [{"seq": 1, "name": "个体工商户", "description": "个体经营", "form_schema": {}}]
    doc["materials"][1]["situation"] = 1
    doc["topics"] = ["business-permit"]
    return make_entry(region.departments["city_market"], user=user, document=doc)


def publish_first(entry, people):
    v1 = entry.versions.get(number=1)
    services.submit_version(v1, people["demo-itemadmin"])
    services.publish_version(v1, people["demo-reviewer"], "同意")
    entry.refresh_from_db()
    return entry.versions.get(number=1)


def test_publish_makes_the_entry_active(entry, people):
    v1 = publish_first(entry, people)
    assert v1.state == VersionState.PUBLISHED and v1.reviewed_by == people["demo-reviewer"]
    assert entry.status == EntryStatus.ACTIVE and entry.published == v1 and entry.published_at


def test_published_version_is_immutable(entry, people):
    v1 = publish_first(entry, people)
    with pytest.raises(services.StateConflict) as exc:
        services.save_draft(v1, {"hours": "周一 9:00-10:00"}, people["demo-itemadmin"])
    assert "不能修改" in exc.value.message and exc.value.allowed == ["start_new_draft"]
    v1.refresh_from_db()
    assert v1.hours.startswith("周一至周五")
    with pytest.raises(services.StateConflict):
        services.submit_version(v1, people["demo-itemadmin"])
    with pytest.raises(services.StateConflict):
        services.return_version(v1, people["demo-reviewer"], "再改改")


def test_edit_makes_a_new_draft_with_copied_children(entry, people):
    v1 = publish_first(entry, people)
    v2 = services.start_new_draft(entry, people["demo-itemadmin"])
    assert (v2.number, v2.state, v2.created_by) == (2, VersionState.DRAFT, people["demo-itemadmin"])
    assert v2.submitted_at is None and v2.reviewed_by is None and v2.review_comment == ""
    assert services.start_new_draft(entry, people["demo-itemadmin"]) == v2  # the open one, not a third
    a = guide_document.version_to_document(queries.version_with_children(v1.pk))
    b = guide_document.version_to_document(queries.version_with_children(v2.pk))
    for key in ("materials", "fees", "faqs", "situations", "topics", "procedure", "location"):
        assert a[key] == b[key], key
    # children are copies, not shared rows
    assert not set(v1.materials.values_list("pk", flat=True)) & set(v2.materials.values_list("pk", flat=True))
    assert v2.materials.get(order=1).situation.version == v2
    services.save_draft(v2, {"materials": b["materials"][:1]}, people["demo-itemadmin"])
    assert v1.materials.count() == 2 and v2.materials.count() == 1


def test_publish_supersedes_the_previous(entry, people):
    v1 = publish_first(entry, people)
    v2 = services.start_new_draft(entry, people["demo-itemadmin"])
    services.save_draft(v2, {"hours": "周一至周六 9:00-17:00"}, people["demo-itemadmin"])
    services.submit_version(v2, people["demo-itemadmin"])
    services.publish_version(v2, people["demo-approver"])
    v1.refresh_from_db()
    v2.refresh_from_db()
    entry.refresh_from_db()
    assert v1.state == VersionState.SUPERSEDED and v2.state == VersionState.PUBLISHED
    assert entry.published == v2
    assert entry.versions.filter(state=VersionState.PUBLISHED).count() == 1


def test_reviewer_cannot_publish_own_submission(entry, people):
    admin = people["demo-admin"]  # platform administrator: may both compile and review
    v1 = entry.versions.get()
    services.submit_version(v1, admin)
    with pytest.raises(services.StateConflict, match="不能发布自己提交的版本"):
        services.publish_version(v1, admin)
    services.publish_version(v1, people["demo-reviewer"])


def test_return_needs_a_reason(entry, people):
    v1 = entry.versions.get()
    services.submit_version(v1, people["demo-itemadmin"])
    with pytest.raises(ValidationError) as exc:
        services.return_version(v1, people["demo-reviewer"], "   ")
    assert "comment" in exc.value.message_dict
    v1.refresh_from_db()
    assert v1.state == VersionState.SUBMITTED
    services.return_version(v1, people["demo-reviewer"], "补充示例样表")
    v1.refresh_from_db()
    assert v1.state == VersionState.RETURNED and v1.review_comment == "补充示例样表"
    # a returned version is editable and can be submitted again
    services.save_draft(v1, {"hours": "周一至周五 9:00-17:00"}, people["demo-itemadmin"])
    services.submit_version(v1, people["demo-itemadmin"])


def test_submit_is_refused_while_the_audit_finds_errors(entry, people):
    v1 = entry.versions.get()
    services.save_draft(v1, {"location": ""}, people["demo-itemadmin"])
    with pytest.raises(ValidationError) as exc:
        services.submit_version(v1, people["demo-itemadmin"])
    assert "location" in exc.value.message_dict
    v1.refresh_from_db()
    assert v1.state == VersionState.DRAFT


def test_nothing_half_saved(entry, people):
    v1 = entry.versions.get()
    doc = guide_document.version_to_document(v1)
    doc["hours"] = "周一至周日 0:00-24:00"
    doc["materials"][0]["sample_form"] = "00000000-0000-0000-0000-000000000000"  # no such file
    with pytest.raises(ValidationError):
        services.save_draft(v1, doc, people["demo-itemadmin"])
    v1.refresh_from_db()
    assert v1.hours.startswith("周一至周五") and v1.materials.count() == 2


def test_other_departments_get_permission_denied(entry, people):
    v1 = entry.versions.get()
    for call in (
        lambda: services.save_draft(v1, {"hours": "x"}, people["demo-itemadmin-hrss"]),
        lambda: services.submit_version(v1, people["demo-itemadmin-hrss"]),
        lambda: services.start_new_draft(entry, people["demo-itemadmin-hrss"]),
        lambda: services.save_draft(v1, {"hours": "x"}, people["demo-reviewer"]),  # reviewers do not compile
    ):
        with pytest.raises(PermissionDenied):
            call()
    services.submit_version(v1, people["demo-itemadmin"])
    for call in (
        lambda: services.publish_version(v1, people["demo-reviewer-civil"]),
        lambda: services.return_version(v1, people["demo-reviewer-civil"], "不行"),
        lambda: services.set_entry_status(entry, people["demo-reviewer-civil"], "cancelled", "x"),
        lambda: services.publish_version(v1, people["demo-itemadmin"]),  # item admins do not publish
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_views_answer_404_for_a_foreign_entry(client, entry, people):
    client.force_login(people["demo-itemadmin-hrss"])
    for path in ("", "edit/", "versions/1/", "versions/1/diff/", "form/"):
        assert client.get(f"/workbench/catalog/entries/{entry.pk}/{path}").status_code == 404
    assert client.get(f"/workbench/catalog/entries/{entry.pk + 1000}/").status_code == 404


def test_status_transitions(entry, people):
    reviewer = people["demo-reviewer"]
    with pytest.raises(services.StateConflict):  # a draft entry can only be cancelled
        services.set_entry_status(entry, reviewer, EntryStatus.SUSPENDED, "x")
    publish_first(entry, people)
    with pytest.raises(ValidationError):
        services.set_entry_status(entry, reviewer, EntryStatus.SUSPENDED, "")
    assert services.set_entry_status(entry, reviewer, EntryStatus.SUSPENDED, "系统升级").status == "suspended"
    assert services.set_entry_status(entry, reviewer, EntryStatus.ACTIVE, "").status == "active"
    assert services.set_entry_status(entry, reviewer, EntryStatus.CANCELLED, "职能划转").status == "cancelled"
    with pytest.raises(services.StateConflict) as exc:
        services.set_entry_status(entry, reviewer, EntryStatus.ACTIVE, "")
    assert exc.value.allowed == []


def test_diff_is_readable(entry, people):
    from yiwang.workbench.catalog_display import readable_diff

    v1 = publish_first(entry, people)
    v2 = services.start_new_draft(entry, people["demo-itemadmin"])
    doc = guide_document.version_to_document(v2)
    doc["materials"][0]["kind"] = "copy"
    doc["materials"].append({"name": "健康证明", "kind": "original", "necessity": "required"})
    services.save_draft(
        v2,
        {
            "promised_limit_unit": "natural_day",
            "express_delivery": True,
            "materials": doc["materials"],
            "handling_forms": ["window"],
        },
        people["demo-itemadmin"],
    )
    changes = queries.diff_versions(
        queries.version_with_children(v1.pk), queries.version_with_children(v2.pk)
    )
    labels = {c["element"]: c["label"] for c in changes}
    assert labels == {
        "promised_limit_unit": "承诺时限单位",
        "express_delivery": "支持物流快递",
        "handling_forms": "办理形式",
        "materials": "申请材料",
    }
    readable = {c["element"]: c for c in readable_diff(changes)}
    assert readable["promised_limit_unit"]["before"] == ["工作日"]
    assert readable["promised_limit_unit"]["after"] == ["自然日"]
    assert readable["express_delivery"]["after"] == ["是"]
    assert readable["handling_forms"]["before"] == ["窗口办理、网上办理"]
    assert "新增材料“健康证明”" in readable["materials"]["after"]
    assert "材料“食品经营许可申请书”·材料类型：原件" in readable["materials"]["before"]
    assert "材料“食品经营许可申请书”·材料类型：复印件" in readable["materials"]["after"]


def test_partial_documents_keep_situation_materials(entry, people):
    """Saving only materials may refer to the version's situations; saving only situations keeps
    their materials (and refuses to drop a situation that still has some)."""
    v1 = entry.versions.get()
    user = people["demo-itemadmin"]
    doc = guide_document.version_to_document(v1)
    doc["materials"][1]["name"] = "个体工商户营业执照"
    services.save_draft(v1, {"materials": doc["materials"]}, user)
    assert v1.materials.get(order=1).situation.seq == 1
    situations = doc["situations"] + [{"seq": 2, "name": "企业", "description": "", "form_schema": {}}]
    situations[0]["form_schema"] = {"fields": [{"name": "shop", "label": "字号", "type": "text"}]}
    services.save_draft(v1, {"situations": situations}, user)
    material = v1.materials.get(order=1)
    assert material.name == "个体工商户营业执照" and material.situation.seq == 1
    assert material.situation.form_schema["fields"][0]["name"] == "shop"
    with pytest.raises(ValidationError) as exc:
        services.save_draft(v1, {"situations": situations[1:]}, user)
    assert "情形 1 还有申请材料" in exc.value.message_dict["situations"][0]
    assert v1.situations.count() == 2 and v1.materials.get(order=1).situation.seq == 1


def test_result_sample_travels_in_the_document_and_is_copied_to_a_new_draft(entry, people):
    user = people["demo-itemadmin"]
    draft = entry.versions.get()
    sample = store_pdf("licence-sample.pdf", user)
    services.save_draft(draft, {"result_sample": str(sample.pk)}, user)
    draft.refresh_from_db()
    assert guide_document.version_to_document(draft)["result_sample"] == str(sample.pk)
    publish_first(entry, people)
    new_draft = services.start_new_draft(entry, user)
    assert new_draft.result_sample_id == sample.pk
    with pytest.raises(ValidationError) as raised:
        services.save_draft(new_draft, {"result_sample": "no-such-file"}, user)
    assert "result_sample" in raised.value.message_dict
    new_draft.refresh_from_db()
    assert new_draft.result_sample_id == sample.pk  # nothing half-saved

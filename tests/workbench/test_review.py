"""Reviewers: the queue, the review page with the readable diff, 发布 / 退回, suspend, resume,
cancel, and the version history; illegal actions answer 409 with the service's message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(entry, staff):
    from yiwang.catalog import services

    services.submit_version(entry.versions.get(), staff["demo-itemadmin"])
    return entry


def review_url(entry) -> str:
    return f"/workbench/catalog/entries/{entry.pk}/review/"


def test_queue_and_publish(as_user, submitted):
    client = as_user("demo-reviewer")
    page = client.get("/workbench/catalog/reviews/").content.decode()
    assert "1 个版本待审核" in page and review_url(submitted) in page
    page = client.get(review_url(submitted)).content.decode()
    assert "首次发布" in page and "食品经营许可申请书" in page and "刘芳" in page
    response = client.post(review_url(submitted), {"action": "publish", "comment": "同意"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "active" and submitted.published.number == 1
    assert submitted.published.reviewed_by.username == "demo-reviewer"
    assert "没有待审核的办事指南" in client.get("/workbench/catalog/reviews/").content.decode()
    # publishing again: nothing to review any more
    response = client.post(review_url(submitted), {"action": "publish"}, follow=True)
    assert "没有待审核的版本" in response.content.decode()


def test_return_needs_a_reason(as_user, submitted):
    client = as_user("demo-approver")
    response = client.post(review_url(submitted), {"action": "return", "comment": "  "})
    assert response.status_code == 400
    assert "退回时请写明需要修改的内容" in response.content.decode()
    assert submitted.versions.get().state == "submitted"
    response = client.post(review_url(submitted), {"action": "return", "comment": "办理时间请写到分钟"})
    assert response.status_code == 302
    version = submitted.versions.get()
    assert version.state == "returned" and version.review_comment == "办理时间请写到分钟"
    page = as_user("demo-itemadmin").get(f"/workbench/catalog/entries/{submitted.pk}/edit/").content.decode()
    assert "审核退回意见" in page and "办理时间请写到分钟" in page


def test_reviewer_cannot_publish_own_submission(as_user, entry, staff):
    from yiwang.catalog import services

    admin = staff["demo-admin"]  # a platform administrator may compile and review
    services.submit_version(entry.versions.get(), admin)
    client = as_user("demo-admin")
    page = client.get(review_url(entry)).content.decode()
    assert "不能发布" in page
    response = client.post(review_url(entry), {"action": "publish"})
    assert response.status_code == 409
    assert "审核人不能发布自己提交的版本" in response.content.decode()
    assert entry.versions.get().state == "submitted"


def test_publishing_a_guide_with_errors_is_refused(as_user, bare_entry, staff):
    from yiwang.catalog.models import EntryVersion, VersionState

    EntryVersion.objects.filter(entry=bare_entry).update(state=VersionState.SUBMITTED)  # bypassing the audit
    response = as_user("demo-reviewer").post(review_url(bare_entry), {"action": "publish"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "指南还有错误，不能发布" in page and "没有填写办理地点" in page


def test_edit_published_diff_and_history(as_user, submitted, staff):
    from yiwang.catalog import services

    reviewer = as_user("demo-reviewer")
    reviewer.post(review_url(submitted), {"action": "publish"})
    itemadmin = as_user("demo-itemadmin")
    response = itemadmin.post(f"/workbench/catalog/entries/{submitted.pk}/new-draft/")
    assert response.status_code == 302
    v2 = submitted.versions.get(number=2)
    assert v2.state == "draft" and v2.materials.count() == 2 and v2.faqs.count() == 1
    doc = {"hours": "周一至周六 9:00-17:00", "materials": []}
    services.save_draft(v2, {"hours": doc["hours"]}, staff["demo-itemadmin"])
    v1_materials = [m.name for m in submitted.versions.get(number=1).materials.all()]
    mats = services.guide_document.version_to_document(v2)["materials"]
    mats[0]["kind"] = "copy"
    services.save_draft(v2, {"materials": mats}, staff["demo-itemadmin"])
    services.submit_version(v2, staff["demo-itemadmin"])
    page = reviewer.get(review_url(submitted)).content.decode()
    assert "与现行版本的差异" in page and "2 项要素有修改" in page
    assert "办理时间" in page and "周一至周六 9:00-17:00" in page
    assert "材料“食品经营许可申请书”·材料类型" in page and "复印件" in page and "原件" in page
    reviewer.post(review_url(submitted), {"action": "publish"})
    submitted.refresh_from_db()
    assert submitted.published.number == 2
    assert submitted.versions.get(number=1).state == "superseded"
    assert [m.name for m in submitted.versions.get(number=1).materials.all()] == v1_materials
    # history and diff pages
    page = itemadmin.get(f"/workbench/catalog/entries/{submitted.pk}/").content.decode()
    assert "已被替代" in page and "已发布" in page and "v2 与上一版对比" in page
    diff = itemadmin.get(f"/workbench/catalog/entries/{submitted.pk}/versions/2/diff/").content.decode()
    assert "v1 → v2 修改对比" in diff and "周一至周六 9:00-17:00" in diff
    version_page = itemadmin.get(f"/workbench/catalog/entries/{submitted.pk}/versions/1/").content.decode()
    assert "已被替代" in version_page and "食品经营许可申请书" in version_page


def test_suspend_resume_cancel(as_user, submitted):
    client = as_user("demo-reviewer")
    client.post(review_url(submitted), {"action": "publish"})
    status_url = f"/workbench/catalog/entries/{submitted.pk}/status/"
    response = client.post(status_url, {"status": "suspended", "reason": ""})
    assert response.status_code == 400 and "请写明暂停或取消的原因" in response.content.decode()
    response = client.post(status_url, {"status": "suspended", "reason": "系统升级"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "suspended" and submitted.status_reason == "系统升级"
    assert client.post(status_url, {"status": "active", "reason": ""}).status_code == 302
    assert client.post(status_url, {"status": "cancelled", "reason": "职能划转"}).status_code == 302
    response = client.post(status_url, {"status": "active", "reason": "恢复"})
    assert response.status_code == 409
    assert "“取消”的事项不能改为“在用”" in response.content.decode()
    # item administrators cannot change the status
    response = as_user("demo-itemadmin").post(status_url, {"status": "active", "reason": "x"})
    assert response.status_code == 403
    # nor edit a cancelled entry
    response = as_user("demo-itemadmin").post(f"/workbench/catalog/entries/{submitted.pk}/new-draft/")
    assert response.status_code == 409

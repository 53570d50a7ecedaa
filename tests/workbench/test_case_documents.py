"""The workbench case page lists the documents the case produced; staff who may see the case open
them inline, others get 404."""

from __future__ import annotations

from yiwang.cases import services
from yiwang.cases.models import CaseDocument


def test_staff_see_and_open_the_documents(as_user, submitted, staff, deliver_outbox):
    case = submitted()
    services.act(staff["demo-clerk"], case, "accept")
    services.act(staff["demo-reviewer"], case, "pass_step")
    services.act(staff["demo-approver"], case, "approve")
    url = f"/workbench/cases/{case.number}/"
    assert "办件文书" not in as_user("demo-clerk").get(url).content.decode()
    deliver_outbox()
    body = as_user("demo-clerk").get(url).content.decode()
    documents = {d.kind: d for d in CaseDocument.objects.filter(case=case)}
    assert set(documents) == {"acceptance_notice", "approval_decision"}
    assert "办件文书" in body and "受理通知书" in body and "准予许可决定书" in body
    link = f"/workbench/cases/{case.number}/documents/{documents['approval_decision'].pk}/"
    assert link in body
    response = as_user("demo-approver").get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    assert as_user("demo-supervisor").get(link).status_code == 200  # reads the case, may read this
    assert as_user("demo-reviewer-civil").get(link).status_code == 404
    assert as_user("demo-citizen").get(link).status_code == 404

"""The applicant's case page: the documents of the case (决定书, 通知书) to download once the worker
has made them, and delivery shown as it stands (electronic: delivered when the decision can be
downloaded)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from yiwang.cases import drafts, services
from yiwang.cases.models import Case, CaseDocument

REMEDY = (
    "如不服本决定，可以自收到本决定书之日起六十日内向青山市人民政府申请行政复议，或者六个月内提起行政诉讼。"
)


@pytest.fixture
def citizen(client, users):
    client.force_login(users["demo-citizen"])
    return users["demo-citizen"]


def page(client, case) -> str:
    response = client.get(reverse("portal:case", args=[case.number]))
    assert response.status_code == 200
    return response.content.decode()


def decide(users, case, decision: str = "approve"):
    services.act(users["demo-clerk"], case, "accept")
    services.act(users["demo-reviewer"], case, "pass_step")
    fields = {"reason": "经营场所不符合要求", "remedy": REMEDY} if decision == "refuse" else {}
    services.act(users["demo-approver"], case, decision, fields)


def test_the_applicant_downloads_the_decision_and_nobody_else_can(
    client, citizen, submitted, users, deliver_outbox
):
    case = submitted()
    decide(users, case, "refuse")
    body = page(client, case)
    assert "办理文书" in body and "决定文书正在生成" in body
    deliver_outbox()
    body = page(client, case)
    refusal = CaseDocument.objects.get(case=case, kind="refusal_decision")
    url = reverse("portal:case-document", args=[case.number, refusal.pk])
    assert url in body and "不予许可决定书" in body and "受理通知书" in body
    assert "决定文书正在生成" not in body
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    other = Client()
    other.force_login(users["demo-citizen2"])
    assert other.get(url).status_code == 404
    staff = Client()
    staff.force_login(users["demo-clerk"])
    assert staff.get(url).status_code == 404  # staff open it from the workbench
    assert Client().get(url).status_code == 302  # sign in first


def test_electronic_delivery_shown_as_it_stands(client, citizen, submitted, users, deliver_outbox):
    case = submitted()
    drafts.set_delivery(citizen, Case.objects.get(pk=case.pk), "electronic")
    case = Case.objects.get(pk=case.pk)
    decide(users, case)
    services.act(users["demo-approver"], case, "complete")
    body = page(client, case)
    assert "已办结" in body and "正在生成决定文书，生成后即电子送达" in body
    deliver_outbox()
    body = page(client, case)
    approval = CaseDocument.objects.get(case=case, kind="approval_decision")
    assert Case.objects.get(pk=case.pk).state == "delivered"
    assert "已送达" in body and "下载准予许可决定书" in body
    assert reverse("portal:case-document", args=[case.number, approval.pk]) in body

"""Delivery that is true (issue 8 §4), through the API: every decision and acceptance produces its
document (a PDF made after commit by the outbox, never in the action), kept with the case and
downloadable by the applicant only; electronic delivery once the decision document exists; express
delivered on the carrier's signed-for event; pickup always against the pickup code."""

from __future__ import annotations

import pytest

from api.test_cases_api import application

REMEDY = (
    "如不服本决定，可以自收到本决定书之日起六十日内向青山市人民政府申请行政复议，"
    "或者自收到本决定书之日起六个月内向青山市人民法院提起行政诉讼。"
)
# Who takes each action in these tests (the entry's two review steps: reviewer, then approver).
ROLE = {
    "accept": "demo-clerk",
    "not_accept": "demo-clerk",
    "pass_step": "demo-reviewer",
    "approve": "demo-approver",
    "refuse": "demo-approver",
    "complete": "demo-approver",
    "deliver": "demo-clerk",
}
FIELDS = {
    "not_accept": {"reason": "申请事项不属于本机关职权范围", "remedy": REMEDY},
    "refuse": {"reason": "经营场所与住宅相连，不符合食品安全要求", "remedy": REMEDY},
}


@pytest.fixture
def api(client, api_token):
    tokens: dict[str, str] = {}

    def call(method: str, path: str, username: str, body=None):
        if username not in tokens:
            tokens[username] = api_token(username)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[username]}"}
        if body is None:
            return getattr(client, method)(f"/api/v1{path}", **headers)
        return getattr(client, method)(f"/api/v1{path}", body, content_type="application/json", **headers)

    return call


@pytest.fixture
def apply(api):
    def make(entry, **changes) -> str:
        response = api("post", "/cases", "demo-citizen", application(entry, **changes))
        assert response.status_code == 201, response.content
        return response.json()["number"]

    return make


def act(api, number: str, action: str, username: str | None = None, **fields):
    body = {"action": action, **FIELDS.get(action, {}), **fields}
    return api("post", f"/cases/{number}/actions", username or ROLE[action], body)


def walk(api, number: str, *actions: str) -> None:
    for action in actions:
        response = act(api, number, action)
        assert response.status_code == 200, (action, response.content)


def case_of(api, number: str, username: str = "demo-citizen") -> dict:
    response = api("get", f"/cases/{number}", username)
    assert response.status_code == 200
    return response.json()


def kept(number: str, kind: str):
    from yiwang.cases.models import CaseDocument

    return CaseDocument.objects.get(case__number=number, kind=kind)


@pytest.mark.parametrize(
    ("path", "kind", "words"),
    [
        (["accept"], "acceptance_notice", ["受理通知书", "决定予以受理", "第三十二条"]),
        (["not_accept"], "non_acceptance_notice", ["不予受理通知书", "申请事项不属于本机关职权范围", REMEDY]),
        (["accept", "pass_step", "approve"], "approval_decision", ["准予许可决定书", "决定准予行政许可"]),
        (
            ["accept", "pass_step", "refuse"],
            "refusal_decision",
            ["不予许可决定书", "经营场所与住宅相连，不符合食品安全要求", REMEDY],
        ),
    ],
)
def test_each_decision_has_its_document_once_the_outbox_is_delivered(
    api, apply, published, deliver_outbox, path, kind, words
):
    number = apply(published)
    walk(api, number, *path)
    # Nothing is rendered in the action: the document comes after commit, from the outbox.
    assert case_of(api, number)["documents"] == []
    deliver_outbox()
    documents = {d["kind"]: d for d in case_of(api, number)["documents"]}
    assert kind in documents
    document = documents[kind]
    assert document["url"] == f"/api/v1/cases/{number}/documents/{document['id']}/file"
    text = kept(number, kind).text
    for word in ["张三", number, published.name, "青山市市场监督管理局", *words]:
        assert word in text, (word, text)
    if kind in ("refusal_decision", "non_acceptance_notice"):
        assert "行政复议" in text and "行政诉讼" in text and "六十日" in text and "六个月" in text
    # The applicant downloads it; the handling staff may open it; anyone else gets 404.
    response = api("get", document["url"].removeprefix("/api/v1"), "demo-citizen")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-") and len(body) == document["size"]
    assert api("get", document["url"].removeprefix("/api/v1"), "demo-clerk").status_code == 200
    for stranger in ("demo-citizen2", "demo-reviewer-civil"):
        assert api("get", document["url"].removeprefix("/api/v1"), stranger).status_code == 404
    # A document id of another case is not found through this one.
    other = apply(published)
    assert api("get", f"/cases/{other}/documents/{document['id']}/file", "demo-citizen").status_code == 404
    # Delivering the outbox again makes no second document.
    deliver_outbox()
    assert [d["kind"] for d in case_of(api, number)["documents"]].count(kind) == 1


def test_a_refusal_with_a_remedy_that_names_no_remedy_still_tells_it(api, apply, published, deliver_outbox):
    number = apply(published)
    walk(api, number, "accept", "pass_step")
    response = act(api, number, "refuse", remedy="请联系窗口")
    assert response.status_code == 200
    deliver_outbox()
    text = kept(number, "refusal_decision").text
    assert "行政复议" in text and "行政诉讼" in text and "六十日" in text and "六个月" in text


def test_electronic_delivery_waits_for_the_decision_document(api, apply, published, deliver_outbox):
    number = apply(published, delivery={"method": "electronic"})
    walk(api, number, "accept", "pass_step", "approve", "complete")
    case = case_of(api, number)
    # Completed, not delivered: there is nothing to download yet.
    assert case["state"] == "completed" and not case["documents"]
    assert [e["action"] for e in case["events"]][-1] == "complete"
    response = act(api, number, "deliver", method="electronic")
    assert response.status_code == 409 and response.json()["code"] == "document_missing"
    deliver_outbox()
    case = case_of(api, number)
    assert case["state"] == "delivered" and case["delivery"]["delivered_at"]
    assert "approval_decision" in {d["kind"] for d in case["documents"]}
    deliver = case["events"][-1]
    assert deliver["action"] == "deliver" and deliver["actor"] == "系统"
    # The applicant is told of the delivery (the notices subscriber, from the deliver event).
    notices = api("get", "/notices", "demo-citizen").json()["results"]
    assert any(n["key"] == "case_delivered" and number in n["body"] for n in notices)


def test_electronic_delivery_when_the_document_comes_first(api, apply, published, deliver_outbox):
    number = apply(published, delivery={"method": "electronic"})
    walk(api, number, "accept", "pass_step", "refuse")
    deliver_outbox()
    assert case_of(api, number)["state"] == "refused"  # its document exists; not completed yet
    walk(api, number, "complete")
    assert case_of(api, number)["state"] == "completed"
    deliver_outbox()
    assert case_of(api, number)["state"] == "delivered"


def test_no_electronic_delivery_when_the_document_cannot_be_made(
    api, apply, published, deliver_outbox, monkeypatch
):
    from yiwang.core import pdf

    def broken(html: str) -> bytes:
        raise RuntimeError("no font")

    number = apply(published, delivery={"method": "electronic"})
    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    walk(api, number, "accept", "pass_step", "approve", "complete")  # the actions never wait for it
    deliver_outbox()
    case = case_of(api, number)
    assert case["state"] == "completed" and case["documents"] == []
    monkeypatch.undo()
    from yiwang.core import outbox
    from yiwang.core.models import OutboxDelivery

    failed = OutboxDelivery.objects.filter(subscriber="cases.documents", state="failed")
    assert failed.exists() and "no font" in failed.first().last_error
    outbox.retry(failed.values_list("pk", flat=True))  # as an administrator would
    deliver_outbox()
    assert case_of(api, number)["state"] == "delivered"


def test_express_is_delivered_when_signed_for_not_on_dispatch(api, apply, make_published, deliver_outbox):
    entry = make_published(express_delivery=True)
    address = {"method": "express", "recipient": "张三", "phone": "13800138000", "address": "青山市人民路1号"}
    number = apply(entry, delivery=address)
    walk(api, number, "accept", "pass_step", "approve", "complete")
    response = act(api, number, "deliver", method="express")
    assert response.status_code == 200
    case = response.json()
    assert case["state"] == "completed" and case["delivery"]["delivered_at"] is None
    assert case["events"][-1]["action"] == "dispatch"
    # The carrier is booked after the dispatch committed, by the worker: then the number exists.
    assert case["delivery"]["tracking_number"] == "" and case["delivery"]["state"] == "booking"
    deliver_outbox()
    tracking_number = case_of(api, number)["delivery"]["tracking_number"]
    assert tracking_number
    # Dispatched twice? No: it is on its way.
    response = act(api, number, "deliver", method="express")
    assert response.status_code == 409 and response.json()["code"] == "in_transit"
    tracking = f"/cases/{number}/tracking"
    response = api(
        "post", tracking, "demo-clerk", {"status": "in_transit", "description": "运输中：青山市分拨中心"}
    )
    assert response.status_code == 200 and response.json()["state"] == "completed"
    assert api("post", tracking, "demo-citizen", {"status": "signed", "description": "x"}).status_code == 404
    response = api("post", tracking, "demo-clerk", {"status": "signed", "description": "本人签收"})
    assert response.status_code == 200
    case = response.json()
    assert case["state"] == "delivered" and case["delivery"]["delivered_at"]
    delivers = [e for e in case["events"] if e["action"] == "deliver"]
    assert len(delivers) == 1 and delivers[0]["to_state"] == "delivered"
    assert [t["status"] for t in case["delivery"]["tracking"]] == ["accepted", "in_transit", "signed"]
    # A second signed-for report changes nothing.
    api("post", tracking, "demo-clerk", {"status": "signed", "description": "重复回传"})
    assert [e["action"] for e in case_of(api, number)["events"]].count("deliver") == 1
    deliver_outbox()
    notices = api("get", "/notices", "demo-citizen").json()["results"]
    assert any(n["key"] == "case_delivered" and tracking_number in n["body"] for n in notices)


def test_pickup_always_checks_the_code(api, apply, published):
    number = apply(published)  # no delivery chosen: pickup at the window, with a code
    walk(api, number, "accept", "pass_step", "approve", "complete")
    code = case_of(api, number)["delivery"]["pickup_code"]
    assert len(code) == 6 and code.isdigit()
    assert case_of(api, number, "demo-clerk")["delivery"]["pickup_code"] == ""  # the applicant's alone
    response = act(api, number, "deliver", method="pickup")
    assert response.status_code == 422 and "pickup_code" in response.json()["fields"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = act(api, number, "deliver", method="pickup", pickup_code=wrong)
    assert response.status_code == 422 and "pickup_code" in response.json()["fields"]
    assert case_of(api, number)["state"] == "completed"
    response = act(api, number, "deliver", method="pickup", pickup_code=code)
    assert response.status_code == 200 and response.json()["state"] == "delivered"


def test_documents_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{number}/documents/{document_id}/file" in schema["paths"]
    assert "documents" in schema["components"]["schemas"]["CaseOut"]["properties"]

"""Case documents through the services and the outbox: the variants' texts (容缺受理, 视为受理,
即办件, 告知承诺), one document per event however often the event is delivered, nothing rendered
inside the action's transaction, and the pickup code given at completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from yiwang.cases import clock, delivery, documents, drafts, services
from yiwang.cases.models import CaseDocument, DocumentKind
from yiwang.core import outbox
from yiwang.core.models import OutboxMessage


def texts(case) -> dict[str, str]:
    return {d.kind: d.text for d in CaseDocument.objects.filter(case=case)}


def test_acceptance_with_pending_materials_names_them_and_the_committed_date(
    make_published, users, deliver_outbox
):
    entry = make_published(tolerant_second=True, tolerance_acceptance=True)
    citizen = users["demo-citizen"]
    with clock.frozen(dt.date(2026, 11, 2)):
        case = drafts.start_application(citizen, entry)
        drafts.save_form(citizen, case, FORM_DATA)
        first, second = (i.material for i in drafts.checklist(case))
        drafts.attach_material(citizen, case, first.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
        services.act(
            users["demo-clerk"],
            case,
            "accept_with_pending",
            {"pending_materials": [second.pk], "commitment_date": "2026-11-06"},
        )
    deliver_outbox()
    text = texts(case)[DocumentKind.ACCEPTANCE_NOTICE]
    assert "容缺受理" in text and second.name in text and "2026年11月6日" in text
    assert "受理日期为2026年11月2日" in text


def test_deemed_acceptance_says_so(submitted, deliver_outbox):
    case = submitted()
    services.act(None, case, "deem_accepted")
    deliver_outbox()
    text = texts(case)[DocumentKind.ACCEPTANCE_NOTICE]
    assert "第三十二条第一款第（四）项" in text and "即为受理" in text


def test_on_the_spot_and_on_commitment_approvals(make_published, submitted, users, deliver_outbox):
    instant = submitted(entry=make_published(case_kind="instant", promised_limit=0))
    services.act(users["demo-clerk"], instant, "decide_on_the_spot")
    committed = submitted(entry=make_published(notification_commitment=True))
    services.act(users["demo-clerk"], committed, "approve_on_commitment", {"commitment": "经营场所符合要求"})
    deliver_outbox()
    assert "当场决定准予行政许可" in texts(instant)[DocumentKind.APPROVAL_DECISION]
    text = texts(committed)[DocumentKind.APPROVAL_DECISION]
    assert "告知承诺制" in text and "经营场所符合要求" in text and "核查" in text


def test_one_document_per_event_however_often_it_is_delivered(submitted, users):
    from yiwang.core.models import StoredFile

    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    message = OutboxMessage.objects.get(topic="case.accept", payload__case=case.pk)
    documents.on_case_event(message)
    documents.on_case_event(message)  # at least once: a repeat, e.g. after a crash before the receipt
    outbox.drain()
    document = CaseDocument.objects.get(case=case)
    assert document.kind == "acceptance_notice" and document.event_seq == message.payload["seq"]
    assert document.file.kind == "pdf" and document.file.original_name == f"{case.number}-受理通知书.pdf"
    assert StoredFile.objects.filter(original_name__endswith="受理通知书.pdf").count() == 1
    # Stored again by a racing delivery: the same one answers, the unique row holds.
    again = delivery.store_document(case, document.kind, document.event_seq, PDF, title="受理通知书")
    assert again.pk == document.pk and CaseDocument.objects.filter(case=case).count() == 1


def test_the_action_commits_without_rendering_anything(submitted, users, monkeypatch):
    from yiwang.core import pdf

    def refuse_to_render(html: str) -> bytes:
        raise AssertionError("a PDF rendered inside the action")

    monkeypatch.setattr(pdf, "html_to_pdf", refuse_to_render)
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    services.act(users["demo-reviewer"], case, "pass_step")
    services.act(users["demo-approver"], case, "approve")
    services.act(users["demo-approver"], case, "complete")
    assert case.state == "completed" and not CaseDocument.objects.filter(case=case).exists()
    assert OutboxMessage.objects.filter(topic="case.approve", payload__case=case.pk, done_at=None).exists()


def test_completion_gives_a_pickup_code_when_nothing_was_chosen(submitted, users):
    case = submitted()
    assert getattr(case, "delivery", None) is None
    services.act(users["demo-clerk"], case, "accept")
    services.act(users["demo-reviewer"], case, "pass_step")
    services.act(users["demo-approver"], case, "approve")
    services.act(users["demo-approver"], case, "complete")
    case.refresh_from_db()
    assert case.delivery.method == "pickup" and len(case.delivery.pickup_code) == 6
    with pytest.raises(ValidationError) as exc:
        services.act(users["demo-clerk"], case, "deliver", {"method": "pickup"})
    assert "pickup_code" in exc.value.message_dict
    services.act(
        users["demo-clerk"], case, "deliver", {"method": "pickup", "pickup_code": case.delivery.pickup_code}
    )
    assert case.state == "delivered"

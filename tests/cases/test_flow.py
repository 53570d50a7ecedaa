"""The procedure through the services: apply, correct, accept, review, decide, deliver."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from yiwang.cases import drafts, services, trace
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.models import Case, CaseEvent


def test_submission_names_every_missing_field_and_material(published, users):
    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, published)
    assert case.form_data == {"applicant_name": "张三"}  # prefilled from the profile
    with pytest.raises(ValidationError) as exc:
        drafts.submit(citizen, case)
    problems = exc.value.message_dict
    assert {"shop_name", "area"} <= set(problems)
    assert sum(1 for k in problems if k.startswith("material.")) == 2
    case.refresh_from_db()
    assert case.state == "draft" and case.number is None


def test_full_procedure_with_a_correction(submitted, users):
    citizen, clerk = users["demo-citizen"], users["demo-clerk"]
    reviewer, approver = users["demo-reviewer"], users["demo-approver"]
    case = submitted()
    assert case.number.startswith(case.entry.code) and len(case.number) == 44
    assert case.acceptance_due and case.due_date == case.acceptance_due
    first_material = drafts.checklist(case)[0].material
    services.act(
        clerk, case, "request_correction", {"items": [{"material": first_material.pk, "note": "请加盖公章"}]}
    )
    assert case.state == "correction_requested" and case.due_date is None
    with pytest.raises(ValidationError):
        services.act(citizen, case, "resubmit")
    other = drafts.checklist(case)[1].material
    with pytest.raises(CaseConflict):
        drafts.attach_material(citizen, case, other.pk, PDF, "x.pdf")
    drafts.attach_material(citizen, case, first_material.pk, PDF, "盖章版.pdf")
    services.act(citizen, case, "resubmit")
    services.act(clerk, case, "accept")
    assert case.state == "accepted" and case.decision_due and case.due_date == case.decision_due
    with pytest.raises(NotYourAction):
        services.act(approver, case, "pass_step")
    services.act(reviewer, case, "pass_step", {"opinion": "材料齐全"})
    assert case.state == "under_review" and case.review_step == 1
    services.act(approver, case, "approve")
    assert case.state == "approved" and case.delivery_due
    services.act(approver, case, "complete")
    services.act(clerk, case, "deliver", {"method": "pickup", "pickup_code": case.delivery.pickup_code})
    assert case.state == "delivered"
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [e.action for e in events if e.from_state != e.to_state] == [
        "submit",
        "request_correction",
        "resubmit",
        "accept",
        "pass_step",
        "approve",
        "complete",
        "deliver",
    ]
    fresh = Case.objects.get(pk=case.pk)
    assert (
        list(trace.verify_chain(case.pk, fresh.draft_key, events, fresh.event_count, fresh.last_event_hash))
        == []
    )


def test_illegal_action_names_the_allowed_ones(submitted, users):
    case = submitted()
    with pytest.raises(CaseConflict) as exc:
        services.act(users["demo-approver"], case, "approve")
    assert exc.value.allowed is not None


def test_draft_fields_are_validated_but_may_be_missing(published, users):
    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, published)
    with pytest.raises(ValidationError) as exc:
        drafts.save_form(citizen, case, {**FORM_DATA, "area": "不是数字"})
    assert "area" in exc.value.message_dict
    drafts.save_form(citizen, case, {"shop_name": "好味道"})
    case.refresh_from_db()
    assert case.form_data == {"shop_name": "好味道"}


def test_an_electronic_licence_material_does_not_block_submission(make_published, users):
    entry = make_published(shared_licence=True)
    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, FORM_DATA)
    form, licence = drafts.checklist(case)
    assert licence.shared and not licence.blocking and form.blocking
    drafts.attach_material(citizen, case, form.material.pk, PDF, "申请书.pdf")
    assert drafts.submit(citizen, case).state == "submitted"

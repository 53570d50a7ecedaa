"""The law's edge cases (行政许可法 arts. 32, 34, 38, 42), each through the services or the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF, good_document
from yiwang.cases import clock, drafts, services, sweeps
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.rules import REMEDY_STATUTORY
from yiwang.catalog import rules as audit_rules


def _submit_on(day: dt.date, entry, users, *, skip_second: bool = False):
    citizen = users["demo-citizen"]
    with clock.frozen(day):
        case = drafts.start_application(citizen, entry)
        drafts.save_form(citizen, case, FORM_DATA)
        for i, item in enumerate(drafts.checklist(case)):
            if not (skip_second and i == 1):
                drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
        return drafts.submit(citizen, case)


# --- Art. 32: deemed acceptance is a rule, not only a sweep ---------------------------------------


def test_after_five_working_days_no_correction_and_no_refusal_of_acceptance(published, users):
    case = _submit_on(dt.date(2026, 11, 2), published, users)  # a Monday; due 11-09
    assert case.acceptance_due == dt.date(2026, 11, 9)
    with clock.frozen(dt.date(2026, 11, 10)):
        with pytest.raises(CaseConflict) as raised:
            services.act(users["demo-clerk"], case, "request_correction", {"items": [{"note": "补充"}]})
        assert raised.value.code == "guard_acceptance_period" and "第三十二条" in raised.value.message
        with pytest.raises(CaseConflict):
            services.act(users["demo-clerk"], case, "not_accept", {"reason": "x", "remedy": REMEDY_STATUTORY})
        assert "request_correction" not in services.available_actions(users["demo-clerk"], case)
        assert "not_accept" not in services.available_actions(users["demo-clerk"], case)
    case.refresh_from_db()
    assert case.state == "submitted"  # nothing recorded by the refused attempts


def test_a_late_acceptance_dates_from_receipt(published, users):
    case = _submit_on(dt.date(2026, 11, 2), published, users)
    with clock.frozen(dt.date(2026, 11, 12)):
        services.act(users["demo-clerk"], case, "accept")
    assert case.state == "accepted" and case.accepted_on == dt.date(2026, 11, 2)


def test_a_reviewer_can_go_on_without_the_worker_having_run(published, users):
    case = _submit_on(dt.date(2026, 11, 2), published, users)
    with clock.frozen(dt.date(2026, 11, 12)):
        assert "pass_step" in services.available_actions(users["demo-reviewer"], case)
        services.act(users["demo-reviewer"], case, "pass_step", {"opinion": "同意"})
    assert case.state == "under_review" and case.accepted_on == dt.date(2026, 11, 2)
    actions = list(case.events.order_by("seq").values_list("action", "actor_role"))
    assert actions[-2:] == [("deem_accepted", "system"), ("pass_step", "reviewer")]
    assert sweeps.deem_overdue_acceptances(dt.date(2026, 11, 12)) == 0  # nothing left to sweep


# --- Art. 38: remedies -------------------------------------------------------------------------


def test_a_remedy_that_names_neither_review_nor_litigation_gets_the_statutory_text(published, users):
    case = _submit_on(dt.date(2026, 11, 2), published, users)
    with clock.frozen(dt.date(2026, 11, 3)):
        services.act(
            users["demo-clerk"], case, "not_accept", {"reason": "不属于本机关职权", "remedy": "可以申诉"}
        )
    assert case.remedy.startswith("可以申诉") and REMEDY_STATUTORY in case.remedy
    assert "行政复议" in case.remedy and "六个月" in case.remedy
    kept = "如不服，可于六十日内向青山市人民政府申请行政复议。"
    other = _submit_on(dt.date(2026, 11, 2), published, users)
    with clock.frozen(dt.date(2026, 11, 3)):
        services.act(users["demo-clerk"], other, "not_accept", {"reason": "不符合条件", "remedy": kept})
    assert other.remedy == kept


# --- Submission time --------------------------------------------------------------------------


def test_the_original_submission_time_is_kept_and_a_resubmission_has_its_own(published, users):
    citizen, clerk = users["demo-citizen"], users["demo-clerk"]
    case = _submit_on(dt.date(2026, 11, 2), published, users)
    first = case.submitted_at
    material = drafts.checklist(case)[0].material
    with clock.frozen(dt.date(2026, 11, 3)):
        services.act(
            clerk, case, "request_correction", {"items": [{"material": material.pk, "note": "盖章"}]}
        )
    with clock.frozen(dt.date(2026, 11, 16)):
        drafts.attach_material(citizen, case, material.pk, PDF, "b.pdf")
        services.act(citizen, case, "resubmit")
    case.refresh_from_db()
    assert case.submitted_at == first and timezone.localdate(case.resubmitted_at) == dt.date(2026, 11, 16)
    assert case.acceptance_due == dt.date(2026, 11, 23)  # five working days from the corrected one


# --- Review steps: back a step, a proposal to refuse ---------------------------------------------


def test_a_reviewer_proposes_refusal_and_the_approver_decides(submitted, users):
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    with pytest.raises(ValidationError) as raised:
        services.act(users["demo-reviewer"], case, "propose_refusal", {})
    assert "reason" in raised.value.message_dict
    services.act(users["demo-reviewer"], case, "propose_refusal", {"reason": "经营场所不符合要求"})
    assert case.state == "under_review" and case.review_step == 1
    proposal = case.events.order_by("-seq").first()
    assert proposal.data["proposal"] == "refuse" and proposal.reason == "经营场所不符合要求"
    # The approver may send it back to the reviewer …
    assert "return_step" in services.available_actions(users["demo-approver"], case)
    services.act(users["demo-approver"], case, "return_step", {"reason": "请补充现场核查记录"})
    assert case.review_step == 0 and case.state == "under_review"
    with pytest.raises(CaseConflict):  # the first step has nothing before it
        services.act(users["demo-reviewer"], case, "return_step", {"reason": "x"})
    services.act(users["demo-reviewer"], case, "propose_refusal", {"reason": "核查后仍不符合"})
    services.act(users["demo-approver"], case, "refuse", {"reason": "不符合条件", "remedy": REMEDY_STATUTORY})
    assert case.state == "refused"


def test_only_the_current_step_role_passes_or_returns(submitted, users):
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    with pytest.raises(NotYourAction):
        services.act(users["demo-approver"], case, "propose_refusal", {"reason": "x"})


# --- Acceptance with a required material missing -------------------------------------------------


def test_a_clerk_cannot_accept_with_a_required_material_missing_except_by_naming_it(make_published, users):
    entry = make_published(tolerant_second=True, tolerance_acceptance=True)
    case = _submit_on(dt.date(2026, 11, 2), entry, users, skip_second=True)
    second = drafts.checklist(case)[1].material
    clerk = users["demo-clerk"]
    with clock.frozen(dt.date(2026, 11, 3)):
        assert "accept" not in services.available_actions(clerk, case)
        with pytest.raises(CaseConflict) as raised:
            services.act(clerk, case, "accept")
        assert raised.value.code == "guard_materials_complete" and second.name in raised.value.message
        services.act(
            clerk,
            case,
            "accept_with_pending",
            {"pending_materials": [second.pk], "commitment_date": "2026-11-10"},
        )
    assert case.state == "accepted" and case.pending_materials == [second.pk]


def test_the_workbench_names_the_missing_materials_before_the_clerk_acts(make_published, users, client):
    entry = make_published(tolerant_second=True, tolerance_acceptance=True)
    case = _submit_on(clock.today(), entry, users, skip_second=True)
    second = drafts.checklist(case)[1].material
    client.force_login(users["demo-clerk"])
    page = client.get(f"/workbench/cases/{case.number}/").content.decode()
    assert 'id="action-accept"' not in page and 'id="action-accept_with_pending"' in page
    assert second.name in page


# --- Decision limit: snapshotted with its unit --------------------------------------------------


def test_the_decision_limit_and_its_unit_are_taken_on_submission(make_published, users):
    entry = make_published(promised_limit=10, promised_limit_unit="natural_day")
    case = _submit_on(dt.date(2026, 11, 2), entry, users)
    assert (case.limit_workdays, case.limit_unit) == (10, "natural_day")
    with clock.frozen(dt.date(2026, 11, 3)):
        services.act(users["demo-clerk"], case, "accept")
    # Ten natural days from 11-03 is 11-13, a Friday.
    assert case.decision_due == dt.date(2026, 11, 13)


def test_without_a_promise_the_legal_limit_in_its_unit_then_the_statutory_twenty_days_apply():
    from yiwang.cases.deadlines import LEGAL_DECISION_WORKDAYS
    from yiwang.cases.published import decision_limit
    from yiwang.catalog.models import EntryVersion

    legal = EntryVersion(
        case_kind="promise", promised_limit=None, legal_limit=30, legal_limit_unit="natural_day"
    )
    assert decision_limit(legal) == (30, "natural_day")
    bare = EntryVersion(case_kind="promise", promised_limit=None, legal_limit=None)
    assert decision_limit(bare) == (LEGAL_DECISION_WORKDAYS, "workday") == (20, "workday")
    assert decision_limit(EntryVersion(case_kind="instant", promised_limit=None)) == (0, "workday")


# --- Guides whose steps cannot decide ------------------------------------------------------------


def test_a_guide_whose_steps_cannot_reach_a_decision_is_refused_naming_the_step():
    doc = good_document(
        review_steps=[{"name": "初审", "role": "reviewer"}, {"name": "复审", "role": "reviewer"}]
    )
    errors = audit_rules.errors_of(audit_rules.audit(doc))
    assert [e.rule for e in errors] == ["review_steps_cannot_decide"] and "复审" in errors[0].message


# --- 服务对象: entries for 法人 only ----------------------------------------------------------------


def test_an_enterprise_only_entry_is_not_applied_for_by_a_person_for_themselves(
    make_published, users, client, api_token
):
    entry = make_published(audience="enterprise")
    with pytest.raises(ValidationError) as raised:
        drafts.start_application(users["demo-citizen2"], entry)
    assert "enterprise" in raised.value.message_dict
    token = api_token("demo-citizen2")
    response = client.post(
        "/api/v1/cases",
        {"entry": entry.code, "form_data": FORM_DATA},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422 and "法人" in response.json()["fields"]["enterprise"][0]


def test_the_apply_box_of_an_enterprise_only_entry_never_defaults_to_oneself(make_published, users, client):
    entry = make_published(audience="enterprise")
    client.force_login(users["demo-citizen"])  # an authorised agent of an enterprise
    page = client.get(f"/items/{entry.code}/").content.decode()
    assert 'id="apply-self"' not in page and 'id="apply-enterprise-' in page
    client.force_login(users["demo-citizen2"])  # acts for nobody
    page = client.get(f"/items/{entry.code}/").content.decode()
    assert 'id="apply-enterprise-only"' in page and 'id="apply-button"' not in page
    # Posting "self" anyway is refused with the reason.
    client.force_login(users["demo-citizen"])
    response = client.post(f"/my/cases/new/{entry.code}/", {"applicant": "self"})
    assert response.status_code == 400 and "仅限法人" in response.content.decode()

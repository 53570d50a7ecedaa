"""Every guide-quality rule (rules.RULES) on a guide that breaks it and one that satisfies it.

A new rule without a case here fails `test_every_rule_has_a_case`."""

from __future__ import annotations

import pytest

from yiwang.catalog import rules

from .guide_samples import good_document


def _material(**changes):
    doc = good_document()
    doc["materials"][0].update(changes)
    return doc


def _with_material(**material):
    doc = good_document()
    doc["materials"].append(
        {"name": "其他", "kind": "original", "necessity": "required", "source": "applicant", **material}
    )
    return doc


# rule code → (a document the rule must flag, a document it must accept)
CASES = {
    "empty_materials": (
        good_document(materials=[]),
        good_document(materials=[], initiation="ex_officio"),
    ),
    "missing_blank_form": (_material(blank_form=None), good_document()),
    "missing_sample_form": (
        _material(sample_form=None),
        _material(name="身份证", sample_form=None, blank_form=None),
    ),
    "vague_material": (
        _with_material(name="法律法规规定的其他材料"),
        _with_material(name="房屋所有权证"),
    ),
    "conditional_without_condition": (
        _with_material(name="委托书", necessity="conditional", condition="", blank_form="b", sample_form="s"),
        _with_material(
            name="委托书",
            necessity="conditional",
            condition="委托他人办理的",
            blank_form="b",
            sample_form="s",
        ),
    ),
    "location_irregular": (good_document(location="政务大厅"), good_document()),
    "hours_irregular": (good_document(hours="工作日上班时间"), good_document()),
    "time_units_mixed": (
        good_document(promised_limit_unit="natural_day"),
        good_document(promised_limit_note="自受理之日起5个工作日"),
    ),
    "instant_not_marked": (
        good_document(promised_limit=2, promised_limit_unit="hour"),
        good_document(promised_limit=2, promised_limit_unit="hour", case_kind="instant"),
    ),
    "promised_not_shorter": (good_document(promised_limit=20), good_document(promised_limit=19)),
    "promised_missing": (
        good_document(promised_limit=None),
        good_document(promised_limit=None, case_kind="instant"),
    ),
    "phone_missing": (good_document(complaint_phone=" "), good_document()),
    "phones_identical": (good_document(complaint_phone="0471-8001234"), good_document()),
    "full_online_with_visits": (
        good_document(visits_required=1, visit_reasons="核验原件"),
        good_document(visits_required=1, visit_reasons="核验原件", online_depth=5),
    ),
    "paper_original_without_visit": (
        _with_material(name="健康体检证明", media_format="纸质"),
        _with_material(name="健康体检证明", media_format="纸质", licence_type_code="LIC-HEALTH"),
    ),
    "limit_with_bracketed_exception": (
        good_document(promised_limit_note="5个工作日（需现场勘验的除外）"),
        good_document(promised_limit_note="5个工作日（含公示时间）"),
    ),
    "visits_without_reason": (
        good_document(visits_required=2, online_depth=4),
        good_document(visits_required=2, online_depth=4, visit_reasons="现场勘验经营场所"),
    ),
    "fee_without_basis": (
        good_document(is_free=False, fees=[{"name": "工本费", "standard": "10元/证", "basis": ""}]),
        good_document(
            is_free=False, fees=[{"name": "工本费", "standard": "10元/证", "basis": "发改价格〔2019〕100号"}]
        ),
    ),
    "legal_basis_missing": (good_document(legal_basis="无"), good_document()),
    "jargon_without_plain_title": (
        good_document(name="存量房转移登记", plain_title=""),
        good_document(name="存量房转移登记", plain_title="二手房买卖过户"),
    ),
    "acceptance_conditions_missing": (good_document(acceptance_conditions=""), good_document()),
    "procedure_missing": (good_document(procedure=[]), good_document()),
    "online_depth_inconsistent": (
        good_document(handling_forms=["window"]),
        good_document(handling_forms=["window"], online_depth=1, visits_required=1, visit_reasons="现场核验"),
    ),
    "result_missing": (good_document(result_name=""), good_document()),
    "faq_missing": (good_document(faqs=[]), good_document()),
    # The failing example names a last step that cannot decide and a window-clerk step.
    "review_steps_cannot_decide": (
        good_document(
            review_steps=[{"name": "窗口初审", "role": "window_clerk"}, {"name": "复核", "role": "reviewer"}]
        ),
        good_document(
            review_steps=[{"name": "审查", "role": "reviewer"}, {"name": "决定", "role": "approver"}]
        ),
    ),
    "government_material_not_fetchable": (
        good_document(materials=[{**good_document()["materials"][1], "licence_type_code": ""}]),
        good_document(),
    ),
    "form_duplicates_platform_step": (
        good_document(
            form_schema={"fields": [{"name": "mail_address", "label": "邮寄地址", "type": "address"}]}
        ),
        good_document(form_schema={"fields": [{"name": "premises", "label": "经营场所", "type": "address"}]}),
    ),
}
RULES_BY_CODE = {r.code: r for r in rules.RULES}


def test_every_rule_has_a_case():
    assert len(CASES) == len(rules.RULES)
    assert set(CASES) == set(RULES_BY_CODE)


def test_the_sample_guide_has_no_findings():
    assert rules.audit(good_document()) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_flags_the_bad_guide(code):
    bad, _good = CASES[code]
    rule = RULES_BY_CODE[code]
    found = list(rule.check(bad))
    assert found, f"{code} did not flag its bad guide"
    for finding in found:
        assert finding.rule == code and finding.severity == rule.severity
        assert finding.message and finding.suggestion and finding.element
    # the same finding comes out of the whole audit
    assert any(f.rule == code for f in rules.audit(bad))


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_accepts_the_good_guide(code):
    _bad, good = CASES[code]
    assert list(RULES_BY_CODE[code].check(good)) == []


def test_findings_name_the_element():
    doc = good_document()
    doc["materials"][0]["sample_form"] = None
    doc["fees"] = [{"name": "工本费", "standard": "10元", "basis": ""}]
    doc["is_free"] = False
    elements = {f.element for f in rules.audit(doc)}
    assert {"materials.0.sample_form", "fees.0.basis"} <= elements


def test_errors_come_first_and_errors_of_filters():
    doc = good_document(faqs=[], location="")
    found = rules.audit(doc)
    assert [f.severity for f in found] == sorted((f.severity for f in found), key=lambda s: s != rules.ERROR)
    assert [f.rule for f in rules.errors_of(found)] == ["location_irregular"]


def test_both_phones_12345_ask_for_the_departments_own_line_not_for_12345():
    doc = good_document(consult_phone="12345", complaint_phone="12345")
    (finding,) = RULES_BY_CODE["phones_identical"].check(doc)
    assert finding.element == "consult_phone"
    assert "12345" not in finding.suggestion.split("，")[0]  # it does not suggest 12345 for 12345
    assert "本部门" in finding.suggestion

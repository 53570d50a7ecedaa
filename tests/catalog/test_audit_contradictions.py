"""Guide audit (找茬): contradictions the applicant trips on.

- a paper original to hand in while the guide claims 最多跑0次 or 全程网办;
- a time limit whose text hides an exception in brackets ("20个工作日（需现场勘验的除外）");
- no finding advises 12345 for a complaint phone that already is 12345 (with or without an
  area code)."""

from __future__ import annotations

import pytest

from yiwang.catalog import rules

from .guide_samples import good_document

RULES_BY_CODE = {r.code: r for r in rules.RULES}


def _check(code: str, doc: dict) -> list[rules.Finding]:
    return list(RULES_BY_CODE[code].check(doc))


# --- A paper original while claiming no visit ----------------------------------------------------


def _with_original(material: dict | None = None, **changes) -> dict:
    doc = good_document(**changes)
    doc["materials"].append(
        {
            "name": "近六个月内的健康体检证明",
            "kind": "original",
            "media_format": "纸质",
            "necessity": "required",
            "source": "intermediary",
            **(material or {}),
        }
    )
    return doc


def test_a_paper_original_in_a_full_online_guide_with_no_visit_is_an_error():
    (finding,) = _check("paper_original_without_visit", _with_original())
    assert finding.severity == rules.ERROR
    assert finding.element == "materials.2.kind"
    assert "近六个月内的健康体检证明" in finding.message
    assert "全程网办" in finding.message and "最多跑0次" in finding.message
    assert "邮寄" in finding.suggestion and "电子" in finding.suggestion
    assert any(
        f.rule == "paper_original_without_visit" for f in rules.errors_of(rules.audit(_with_original()))
    )


def test_zero_visits_alone_is_the_claim_broken():
    doc = _with_original(online_depth=4)
    (finding,) = _check("paper_original_without_visit", doc)
    assert "最多跑0次" in finding.message and "全程网办" not in finding.message


def test_full_online_with_a_visit_is_still_a_claim_broken():
    doc = _with_original(visits_required=1, visit_reasons="核验原件")
    (finding,) = _check("paper_original_without_visit", doc)
    assert "全程网办" in finding.message and "最多跑0次" not in finding.message


@pytest.mark.parametrize(
    "material",
    [
        {"kind": "both"},  # 原件和复印件: the original is shown
        {"necessity": "conditional", "condition": "从事接触有毒有害作业的"},
        {"media_format": "纸质（A4）"},
    ],
)
def test_other_paper_originals_trip_it_too(material):
    assert _check("paper_original_without_visit", _with_original(material))


@pytest.mark.parametrize(
    ("material", "changes"),
    [
        ({}, {"handling_forms": ["window", "online", "mail"]}),  # the original goes by post
        ({}, {"visits_required": 1, "visit_reasons": "核验体检证明原件", "online_depth": 4}),
        ({"kind": "copy"}, {}),
        ({"kind": "electronic", "media_format": "电子文件（PDF）"}, {}),
        ({"media_format": "纸质或电子"}, {}),  # an electronic route is offered
        ({"media_format": ""}, {}),  # not said to be paper
        ({"licence_type_code": "LIC-HEALTH"}, {}),  # fetched from the e-licence library
        ({"necessity": "optional"}, {}),
    ],
)
def test_no_contradiction_when_the_original_needs_no_visit(material, changes):
    assert _check("paper_original_without_visit", _with_original(material, **changes)) == []


# --- A time limit with an exception in brackets -------------------------------------------------


@pytest.mark.parametrize(
    ("key", "note", "exception"),
    [
        ("promised_limit_note", "20个工作日（需现场勘验的除外）", "需现场勘验的除外"),
        ("legal_limit_note", "自受理之日起20个工作日(需要听证的除外)", "需要听证的除外"),
        ("promised_limit_note", "当场办结（材料需核实的除外），其余5个工作日", "材料需核实的除外"),
    ],
)
def test_a_bracketed_exception_in_a_limit_is_flagged(key, note, exception):
    (finding,) = _check("limit_with_bracketed_exception", good_document(**{key: note}))
    assert finding.severity == rules.WARNING
    assert finding.element == key
    assert note in finding.message and exception in finding.message
    assert "情形" in finding.suggestion and "特别程序" in finding.suggestion


@pytest.mark.parametrize(
    "note",
    [
        "",
        "自受理之日起5个工作日",
        "5个工作日（含公示时间）",  # brackets, but no exception
        "自然日（法定节假日除外）",  # only what a working day is
        "需现场勘验的除外",  # not in brackets: not this rule
    ],
)
def test_a_limit_without_a_bracketed_exception_passes(note):
    doc = good_document(promised_limit_note=note, legal_limit_note=note)
    assert _check("limit_with_bracketed_exception", doc) == []


# --- The complaint phone and 12345 ----------------------------------------------------------------

HOTLINES = ["12345", "0471-12345", "047112345", "(0471)12345", "（0471）12345", "0471 12345", "010-12345"]
ADVISES_12345 = ("可用12345", "用12345", "或12345", "为12345")


@pytest.mark.parametrize("hotline", HOTLINES)
@pytest.mark.parametrize("consult", ["same", "12345", "0471-8001234", ""])
def test_nothing_advises_12345_for_a_complaint_phone_that_is_12345(hotline, consult):
    doc = good_document(complaint_phone=hotline, consult_phone=hotline if consult == "same" else consult)
    for finding in rules.audit(doc):
        assert not any(words in finding.suggestion for words in ADVISES_12345), finding
        assert not (finding.element == "complaint_phone" and "12345" in finding.suggestion), finding


@pytest.mark.parametrize("hotline", HOTLINES)
def test_both_phones_the_hotline_ask_for_the_departments_own_line(hotline):
    (finding,) = _check("phones_identical", good_document(consult_phone=hotline, complaint_phone=hotline))
    assert finding.element == "consult_phone" and "本部门" in finding.suggestion


def test_the_hotline_written_two_ways_is_still_the_same_phone():
    (finding,) = _check(
        "phones_identical", good_document(consult_phone="12345", complaint_phone="0471-12345")
    )
    assert finding.element == "consult_phone"


def test_a_departments_own_line_for_both_still_suggests_a_supervisor_or_12345():
    doc = good_document(consult_phone="0471-8001234", complaint_phone="0471 8001234")
    (finding,) = _check("phones_identical", doc)
    assert finding.element == "complaint_phone" and "12345" in finding.suggestion


def test_a_longer_number_ending_in_12345_is_not_the_hotline():
    doc = good_document(consult_phone="0471-8012345", complaint_phone="0471-8012345")
    (finding,) = _check("phones_identical", doc)
    assert finding.element == "complaint_phone"


def test_different_phones_pass_and_a_missing_complaint_phone_may_suggest_12345():
    assert (
        _check("phones_identical", good_document(consult_phone="0471-8001234", complaint_phone="12345")) == []
    )
    (finding,) = _check("phone_missing", good_document(complaint_phone=""))
    assert finding.element == "complaint_phone" and "12345" in finding.suggestion

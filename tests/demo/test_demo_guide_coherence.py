"""The demo guides keep their promises (no database): a guide that claims 最多跑0次 or 全程网办
takes no paper original over the counter, and no time limit hides an exception in brackets.

Every guide document the demo catalog would publish is built as `load_catalog` builds it and run
through the guide audit's contradiction rules (the loaded catalog's full audit is in
test_demo_catalog)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from yiwang.catalog import rules
from yiwang.core.models import DivisionLevel
from yiwang.demo import catalog_documents, catalog_plans, catalog_specs, region

NEW_RULES = ("paper_original_without_visit", "limit_with_bracketed_exception", "phones_identical")


def _department(division_code: str) -> SimpleNamespace:
    level = DivisionLevel.TOWNSHIP if len(division_code) > 6 else DivisionLevel.COUNTY
    return SimpleNamespace(division=SimpleNamespace(level=level, code=division_code))


def _published_documents() -> list[tuple[str, dict]]:
    departments = {key: _department(division) for key, _name, division, _nature in region.DEPARTMENTS}
    documents = []
    for spec in catalog_specs.item_specs():
        for dept_key in spec.claims:
            plan = catalog_plans.FIRST_VERSION_PLANS.get((dept_key, spec.code), {})
            if plan.get("state", "published") != "published":
                continue
            doc = catalog_documents.build_document(spec, dept_key, departments[dept_key], None)
            documents.append((f"{dept_key}/{spec.name}", doc))
    return documents


DOCUMENTS = _published_documents()


def test_there_are_published_guides_that_claim_no_visit():
    zero = [name for name, doc in DOCUMENTS if doc["visits_required"] == 0]
    assert len(DOCUMENTS) >= 150 and len(zero) >= 50


@pytest.mark.parametrize("code", NEW_RULES)
def test_no_published_demo_guide_trips_a_contradiction_rule(code):
    check = next(r for r in rules.RULES if r.code == code).check
    found = [(name, f.message) for name, doc in DOCUMENTS for f in check(doc)]
    assert found == []


def test_a_guide_with_no_visit_has_no_paper_original_unless_it_goes_by_post():
    for name, doc in DOCUMENTS:
        if doc["visits_required"] and doc["online_depth"] != 6:
            continue
        originals = [m["name"] for m in doc["materials"] if rules.paper_original(m)]
        assert not originals or "mail" in doc["handling_forms"], (name, originals)


def test_the_originals_that_go_by_post_say_so():
    posted = 0
    for _name, doc in DOCUMENTS:
        for m in doc["materials"]:
            if "原件可邮寄" in m["fill_instructions"]:
                assert "mail" in doc["handling_forms"] and rules.paper_original(m)
                posted += 1
    assert posted > 0


def test_every_published_demo_guide_passes_the_audit_without_errors():
    """Errors other than the missing form files, which only the loader generates (`files=None` here)."""
    files = {"missing_blank_form", "missing_sample_form"}
    found = [(name, f) for name, doc in DOCUMENTS for f in rules.errors_of(rules.audit(doc))]
    assert [(name, f.rule, f.message) for name, f in found if f.rule not in files] == []

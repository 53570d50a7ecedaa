"""The demo catalog of 青山市: enough published entries across departments and levels, every
required item present with a guide that passes the audit, the seeded defects found, valid forms
with real blank and sample files, the rest of the workflow shown, and loading twice is a no-op."""

from __future__ import annotations

from collections import Counter

import pytest

from yiwang.catalog import codes, form_schema, guide_document, queries, rules
from yiwang.catalog.models import (
    CatalogItem,
    Claim,
    Entry,
    EntryStatus,
    EntryVersion,
    Material,
    VersionState,
)
from yiwang.core.models import StoredFile
from yiwang.demo import catalog, catalog_plans, catalog_specs, region

# Key words that must all appear in the name of at least one published entry.
REQUIRED = [
    ("居民身份证", "申领", "换领", "补领"),
    ("户口登记", "出生登记"),
    ("出生医学证明",),
    ("结婚登记",),
    ("离婚登记",),
    ("居住证",),
    ("社会保障卡",),
    ("城乡居民基本养老保险", "参保"),
    ("职工", "退休"),
    ("失业保险金",),
    ("城乡居民基本医疗保险", "参保"),
    ("异地就医备案",),
    ("住房公积金提取",),
    ("住房公积金", "贷款"),
    ("机动车驾驶证", "换领", "补领"),
    ("机动车注册登记",),
    ("不动产转移登记",),
    ("不动产抵押登记",),
    ("最低生活保障",),
    ("临时救助",),
    ("高龄津贴",),
    ("残疾人证",),
    ("义务教育", "入学"),
    ("教师资格认定",),
    ("医师执业注册",),
    ("企业设立登记",),
    ("个体工商户设立登记",),
    ("食品经营许可",),
    ("公共场所卫生许可",),
    ("户外招牌设置",),
    ("旅馆业特种行业许可",),
    ("烟花爆竹零售经营许可",),
    ("药品零售经营许可",),
    ("建设工程规划许可",),
    ("建筑工程施工许可",),
    ("公众聚集场所", "消防安全检查"),
    ("道路货物运输经营许可",),
    ("娱乐场所经营许可",),
    ("取水许可",),
    ("排污许可",),
    ("林木采伐许可",),
    ("民办学校办学许可",),
    ("城镇污水排入排水管网许可",),
]
TOPICS = {
    "birth-adoption",
    "household",
    "marriage",
    "social-security",
    "housing",
    "employment",
    "education",
    "medical",
    "transport",
    "civil-affairs",
    "elderly",
    "disability",
    "property",
    "certificates",
    "professional-qualification",
    "establishment",
    "business-permit",
    "construction",
    "environment",
    "transport-business",
    "culture-tourism",
    "agriculture-forestry",
    "safety-fire",
    "health-permit",
    "education-institution",
}


# --- The data itself (no database) -----------------------------------------------------------


def test_item_data_is_consistent():
    specs = catalog_specs.item_specs()
    department_keys = {key for key, *_rest in region.DEPARTMENTS}
    assert len({s.code for s in specs}) == len(specs), "basic codes are unique"
    for spec in specs:
        codes.validate_basic_code(spec.code, spec.type)
        assert spec.code.startswith("15")
        assert set(spec.claims) <= department_keys, spec.name
        assert len(set(spec.claims)) == len(spec.claims), spec.name
        assert form_schema.schema_errors(spec.guide["form_schema"]) == [], spec.name
        assert set(spec.guide["topics"]) <= TOPICS, spec.name
        legal, promised = spec.guide["legal_limit"], spec.guide["promised_limit"]
        assert promised <= legal, spec.name
        assert (spec.guide["case_kind"] == "instant") == (promised == 0), spec.name
    for dept_key, code, _state, rule in catalog_plans.SEEDED_DEFECTS:
        assert any(s.code == code and dept_key in s.claims for s in specs), (dept_key, code)
        assert rule in {r.code for r in rules.RULES}


def test_sample_pdf_is_a_small_valid_pdf():
    from yiwang.demo.files import FormPage, render_pdf

    page = FormPage("测试申请表", rows=[("申请人姓名", "张三"), ("条件字段", None)], paragraphs=["说明"])
    for sample in (False, True):
        data = render_pdf(page, sample=sample)
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        assert len(data) < 200_000


# --- The loaded catalog -----------------------------------------------------------------------


def _entry(dept_key: str, code: str, departments) -> Entry:
    return Entry.objects.get(department=departments[dept_key], catalog_item__basic_code=code)


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (CatalogItem, Claim, Entry, EntryVersion, Material, StoredFile)
    )


@pytest.mark.django_db
def test_demo_catalog(settings, tmp_path, django_assert_max_num_queries):
    settings.MEDIA_ROOT = tmp_path
    demo_region = region.load_region()
    summary = catalog.load_catalog(demo_region)
    departments = demo_region.departments

    # Scale: published entries, departments, levels.
    published = Entry.objects.filter(published__isnull=False).select_related("department__division")
    active = published.filter(status=EntryStatus.ACTIVE)
    assert active.count() >= 150
    assert summary.published == published.count()
    assert published.values("department").distinct().count() >= 15
    assert {e.level_digit for e in published} == {"2", "3", "4"}
    division_codes = {e.department.division.code for e in published}
    assert {"159900000000", "159902000000", "159921000000", "159981000000"} <= division_codes
    assert {"159902001000", "159921100000"} <= division_codes

    # Every required item is published somewhere.
    names = set(published.values_list("name", flat=True))
    for words in REQUIRED:
        assert any(all(w in name for w in words) for name in names), words

    # Every version: a valid form; every published version: no audit error, and only the
    # seeded warnings (the rest of the demo data is clean).
    warnings = set()
    versions = EntryVersion.objects.select_related(
        "entry__department__division", "entry__catalog_item__item_type"
    ).prefetch_related("topics", "situations", "materials", "fees", "faqs")
    for version in versions:
        doc = guide_document.version_to_document(version)
        assert form_schema.schema_errors(doc["form_schema"]) == [], version.name
        for situation in doc["situations"]:
            assert form_schema.schema_errors(situation["form_schema"]) == []
        if version.state != VersionState.PUBLISHED:
            continue
        findings = rules.audit(doc)
        assert rules.errors_of(findings) == [], (version.name, findings)
        warnings |= {(version.entry_id, f.rule) for f in findings}
        assert doc["plain_title"] or version.name == "国有建设用地使用权及房屋所有权首次登记"
        assert doc["consult_phone"] != doc["complaint_phone"]
        assert doc["review_steps"] and doc["form_schema"]["fields"]
    seeded_published = {
        (_entry(d, c, departments).pk, rule)
        for d, c, state, rule in catalog_plans.SEEDED_DEFECTS
        if state == "published"
    }
    assert warnings == seeded_published

    # The seeded defects are found where they were put.
    for dept_key, code, state, rule in catalog_plans.SEEDED_DEFECTS:
        version = _entry(dept_key, code, departments).versions.get(state=state)
        found = {f.rule for f in rules.audit(guide_document.version_to_document(version))}
        assert rule in found, (dept_key, code, rule)
        if state == VersionState.DRAFT and rule not in ("promised_not_shorter",):
            assert version.findings.filter(rule=rule).exists(), "recorded for the supervisor"

    # Forms come with real blank and sample PDFs, one file per distinct form.
    form_materials = Material.objects.filter(version__state=VersionState.PUBLISHED).select_related(
        "blank_form", "sample_form"
    )
    checked = 0
    for material in form_materials:
        if not rules.FORM_WORDS.search(material.name):
            continue
        for stored in (material.blank_form, material.sample_form):
            assert stored is not None and stored.kind == "pdf", material.name
            assert (tmp_path / "files" / stored.storage_name).read_bytes().startswith(b"%PDF-")
        checked += 1
    assert checked >= 100
    assert summary.files_generated == StoredFile.objects.count()
    assert Counter(StoredFile.objects.values_list("original_name", flat=True)).most_common(1)[0][1] == 1

    # A featured guide in detail: the ID card with its situations and their own materials.
    id_card = _entry("city_public_security", "151000101000", departments).published
    assert [s.name for s in id_card.situations.all()] == ["首次申领", "换领", "补领"]
    by_situation = Counter(m.situation.name for m in id_card.materials.all() if m.situation)
    assert by_situation["换领"] >= 1 and by_situation["补领"] >= 1
    assert id_card.materials.filter(licence_type_code="居民户口簿").exists()
    assert id_card.fees.count() == 2 and not id_card.is_free
    fields = {f["name"]: f for f in id_card.form_schema["fields"]}
    assert fields["applicant_id_number"]["prefill"] == "id_number"
    assert any("show_if" in f for f in fields.values())
    transfer = _entry("city_natural_resources", "150700701002", departments).published
    assert transfer.plain_title == "二手房买卖过户"
    assert {"卖房", "买二手房", "房屋过户"} <= set(transfer.aliases)
    assert any(f["type"] == "table" for f in transfer.form_schema["fields"])
    assert published.filter(published__topics__code="birth-adoption").exists()

    # Citizens find entries by their own words (plain titles and aliases are indexed).
    for words, entry_id in (("卖房", transfer.entry_id), ("身份证丢了", id_card.entry_id)):
        _qs, ranked = queries.find_items(queries.ItemFilters(q=words))
        assert entry_id in ranked[:10], words

    # The rest of the workflow is shown.
    assert EntryVersion.objects.filter(state=VersionState.RETURNED).exclude(review_comment="").exists()
    assert EntryVersion.objects.filter(state=VersionState.SUBMITTED).count() >= 2
    open_drafts = EntryVersion.objects.filter(
        state__in=[VersionState.DRAFT, VersionState.SUBMITTED], entry__published__isnull=False
    )
    assert open_drafts.count() >= 3
    suspended = Entry.objects.get(status=EntryStatus.SUSPENDED)
    assert suspended.status_reason and "烟花爆竹" in suspended.name

    # Loading again changes nothing.
    before = _counts()
    with django_assert_max_num_queries(2000):
        again = catalog.load_catalog(demo_region)
    assert (again.created_entries, again.files_generated) == (0, 0)
    assert _counts() == before

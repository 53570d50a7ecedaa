"""A reader switches to English (issue 13): the English page's own example ("having a baby") finds
birth registration, the card and the guide read in English (names, materials, situations, topics),
what has no English is shown in Chinese and marked so; every page axe-clean."""

from __future__ import annotations

import importlib
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MATERIALS = {
    "出生医学证明": "Medical birth certificate",
    "父母双方居民身份证": "Both parents' resident identity cards",
    "出生登记申请表": "Birth registration form",
    "结婚证": "Marriage certificate",
}
SITUATIONS = {"父母一方为外地户籍": "One parent registered elsewhere", "非婚生育": "Birth outside marriage"}


@pytest.fixture
def english_catalog(live_server, settings, tmp_path):
    """The portal tests' catalog over the demo region, its birth registrations translated (but for
    two materials) as the demo's featured entries are."""
    from django.apps import apps

    from catalog.test_english_search import translate
    from portal.catalog_data import build_catalog
    from yiwang.demo.region import load_region

    settings.MEDIA_ROOT = str(tmp_path / "media")
    catalog = build_catalog(load_region())
    # The flush of a browser test removes the topics' English names with the topics.
    importlib.import_module("yiwang.catalog.migrations.0006_english_names").name_topics(apps, None)
    for entry in catalog.entries["birth"]:
        translate(
            entry,
            "Household registration (birth registration)",
            "Registering a newborn baby",
            materials=MATERIALS,
            situations=SITUATIONS,
        )
    return catalog


def test_an_english_reader_finds_birth_registration_and_reads_its_guide(journey, english_catalog):
    j = journey()
    page = j.page
    j.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("办事，从这里开始")
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".home-topics")).to_contain_text("Birth and adoption")
    j.check("home-english")

    box = page.get_by_role("searchbox", name="Search services")
    box.fill("having a baby")
    with page.expect_navigation():
        box.press("Enter")
    first = page.locator("#results .result").first
    expect(first.get_by_role("heading", level=3)).to_have_text("Registering a newborn baby")
    expect(first).to_contain_text("Household registration (birth registration)")
    expect(first).not_to_contain_text("新生儿上户口")
    j.check("search-english")

    first.get_by_role("link", name="Registering a newborn baby").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registering a newborn baby")
    expect(page.locator(".guide-header")).to_contain_text("Household registration (birth registration)")
    expect(page.locator("#guide-chinese-name span[lang='zh-Hans']")).to_have_text("出生登记")
    materials = page.locator("#materials")
    expect(materials).to_contain_text("Medical birth certificate")
    expect(materials).to_contain_text("Birth registration form")
    # A material without an English name: its Chinese name, marked as Chinese.
    expect(materials.locator(".material-name[lang='zh-Hans']")).to_have_text(["父母一方的居民户口簿"])
    expect(page.locator("#situations")).to_contain_text("One parent registered elsewhere")
    expect(page.locator("#legal")).to_contain_text("Birth and adoption")
    page.get_by_label("Birth registration form").check()  # the checklist works by its English label
    j.check("guide-english")

    # Back to Chinese: the same guide in Chinese.
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新生儿上户口")
    expect(page.locator("#materials")).not_to_contain_text(re.compile("Medical birth certificate"))
    j.check("guide-chinese-again")

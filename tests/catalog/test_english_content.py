"""English content (issue 13): optional English names of guides, plain titles, situations,
materials and topics; carried by the guide document, JSON and Excel; edited in the guide editor;
shown on English pages (falling back to the Chinese) and by the API."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import translation

from catalog.guide_samples import db_document, make_entry, store_pdf
from catalog.test_exchange import wipe_catalog, xlsx_values
from catalog.test_search import publish
from workbench.htmlforms import form_fields
from yiwang.catalog import exchange, guide_document, queries, services
from yiwang.catalog.models import Entry, EntryVersion, Topic
from yiwang.portal import guide_cache

pytestmark = pytest.mark.django_db

NAME_EN = "Food business licence (new shop)"
PLAIN_EN = "Food licence for opening a restaurant"
APPLICATION_EN = "Food business licence application"


def english_document(blank: str, sample: str) -> dict:
    doc = db_document(
        blank,
        sample,
        name_en=NAME_EN,
        plain_title_en=PLAIN_EN,
        topics=["business-permit"],
        situations=[{"seq": 1, "name": "新开店", "name_en": "Opening a new shop", "description": ""}],
    )
    doc["materials"][0]["name_en"] = APPLICATION_EN  # 营业执照 (the second) has no English name
    return doc


@pytest.fixture
def guides():
    caches[guide_cache.CACHE_ALIAS].clear()
    yield
    caches[guide_cache.CACHE_ALIAS].clear()


@pytest.fixture
def itemadmin(region):
    from yiwang.accounts.models import User

    return User.objects.get(username="demo-itemadmin")


@pytest.fixture
def english_entry(region, settings, tmp_path, itemadmin, guides) -> Entry:
    """A published entry of the market regulator with English names (not all of them)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    blank, sample = store_pdf("申请书空白.pdf", itemadmin), store_pdf("申请书样表.pdf", itemadmin)
    entry = make_entry(
        region.departments["city_market"],
        user=itemadmin,
        document=english_document(str(blank.pk), str(sample.pk)),
    )
    return publish(entry)


@pytest.fixture
def chinese_entry(region, settings, tmp_path, itemadmin, guides) -> Entry:
    """A published entry with no English at all."""
    settings.MEDIA_ROOT = tmp_path / "media"
    blank, sample = store_pdf("申请书空白.pdf", itemadmin), store_pdf("申请书样表.pdf", itemadmin)
    doc = db_document(str(blank.pk), str(sample.pk), name="药品零售经营许可", plain_title="开药店办许可证")
    entry = make_entry(
        region.departments["city_market"], basic_code="150100124000", name="药品零售经营许可", document=doc
    )
    return publish(entry)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Model, document, exchange, diff ---------------------------------------------------------


def test_english_is_optional_and_blank_by_default(region, itemadmin):
    entry = make_entry(region.departments["city_market"], user=itemadmin)
    doc = guide_document.version_to_document(services.current_draft(entry))
    assert doc["name_en"] == doc["plain_title_en"] == ""
    assert Topic.objects.get(code="birth-adoption").name_en == "Birth and adoption"  # seeded topics


def test_the_guide_document_carries_every_english_name(english_entry):
    doc = queries.published_document(english_entry.code)
    assert (doc["name_en"], doc["plain_title_en"]) == (NAME_EN, PLAIN_EN)
    assert [m["name_en"] for m in doc["materials"]] == [APPLICATION_EN, ""]
    assert [s["name_en"] for s in doc["situations"]] == ["Opening a new shop"]


def test_an_english_name_too_long_is_refused_by_path(english_entry):
    draft = services.start_new_draft(english_entry, None)
    with pytest.raises(Exception) as caught:
        guide_document.apply_document(
            draft, {"situations": [{"seq": 1, "name": "新开店", "name_en": "x" * 201}]}
        )
    assert "situations.0.name_en" in caught.value.message_dict


def test_json_and_excel_round_trips_keep_the_english(english_entry):
    json_before = exchange.dumps_json(exchange.export_documents())
    doc = json.loads(json_before)[0]
    assert (doc["name_en"], doc["plain_title_en"]) == (NAME_EN, PLAIN_EN)
    assert doc["materials"][0]["name_en"] == APPLICATION_EN
    assert doc["situations"][0]["name_en"] == "Opening a new shop"
    workbook = exchange.dumps_xlsx(exchange.export_documents())
    sheets = xlsx_values(workbook)
    assert "英文名称（可选） [name_en]" in sheets["事项"][0]
    assert "英文通俗名称（可选） [plain_title_en]" in sheets["事项"][0]
    assert "英文材料名称（可选） [name_en]" in sheets["材料"][0]
    assert "英文情形名称（可选） [name_en]" in sheets["情形"][0]
    for data in (workbook, json_before):
        wipe_catalog()
        exchange.import_sources(exchange.read_file(data), publish=True)
        assert exchange.dumps_json(exchange.export_documents()) == json_before


def test_a_file_without_english_columns_keeps_the_entrys_english(english_entry):
    docs = json.loads(exchange.dumps_json(exchange.export_documents()))
    for doc in docs:
        del doc["name_en"], doc["plain_title_en"]
        doc["promised_limit"] = 3
    exchange.import_sources(exchange.read_file(json.dumps(docs).encode()), publish=True)
    version = Entry.objects.get(pk=english_entry.pk).published
    assert version.promised_limit == 3 and (version.name_en, version.plain_title_en) == (NAME_EN, PLAIN_EN)


def test_the_diff_of_versions_shows_english_changes(english_entry):
    from yiwang.workbench.catalog_display import readable_diff

    old = english_entry.published
    draft = services.start_new_draft(english_entry, None)
    assert draft.situations.get().name_en == "Opening a new shop"  # copied into the new draft
    doc = guide_document.version_to_document(draft)
    doc["materials"][1]["name_en"] = "Business licence"
    services.save_draft(
        draft, {"plain_title_en": "Opening a restaurant", "materials": doc["materials"]}, None
    )
    draft.refresh_from_db()
    changes = {c["element"]: c for c in readable_diff(queries.diff_versions(old, draft))}
    assert changes["plain_title_en"]["label"] == "英文通俗名称（可选）"
    assert changes["plain_title_en"]["after"] == ["Opening a restaurant"]
    assert any(
        "英文材料名称" in line and "Business licence" in line for line in changes["materials"]["after"]
    )


# --- The guide editor ----------------------------------------------------------------------


def test_the_guide_editor_edits_the_english_names(as_user, region, itemadmin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    blank, sample = store_pdf("申请书空白.pdf", itemadmin), store_pdf("申请书样表.pdf", itemadmin)
    entry = make_entry(
        region.departments["city_market"], user=itemadmin, document=db_document(str(blank.pk), str(sample.pk))
    )
    client = as_user("demo-itemadmin")
    url = f"/workbench/catalog/entries/{entry.pk}/edit/"
    html = page(client.get(url))
    for label in ("英文名称（可选）", "英文通俗名称（可选）", "英文材料名称（可选）"):
        assert label in html
    assert re.search(
        r'<input[^>]*name="guide-name_en"[^>]*lang="en"|<input[^>]*lang="en"[^>]*name="guide-name_en"', html
    )
    data = form_fields(html, css_class="guide-form")
    data.update(
        {
            "guide-name_en": NAME_EN,
            "guide-plain_title_en": PLAIN_EN,
            "materials-0-name_en": APPLICATION_EN,
            "situations-TOTAL_FORMS": "1",
            "situations-0-name": "新开店",
            "situations-0-name_en": "Opening a new shop",
            "op": "save",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    version = EntryVersion.objects.get(entry=entry)
    assert (version.name_en, version.plain_title_en) == (NAME_EN, PLAIN_EN)
    assert version.materials.order_by("order").first().name_en == APPLICATION_EN
    assert version.situations.get().name_en == "Opening a new shop"
    # and the editor shows them again
    html = page(client.get(url))
    assert NAME_EN in html and APPLICATION_EN in html and "Opening a new shop" in html


# --- Portal and API ------------------------------------------------------------------------


def test_an_english_reader_sees_the_english_guide(client, english_entry):
    html = page(client.get(f"/items/{english_entry.code}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert f'<h1 id="guide-title">{PLAIN_EN}</h1>' in html
    assert NAME_EN in html  # the official name beside it
    assert '<span lang="zh-Hans">食品经营许可（新办）</span>' in html  # the Chinese name for the window
    assert APPLICATION_EN in html
    assert 'lang="zh-Hans">营业执照</' in html  # no English given: Chinese, marked as such
    assert "Opening a new shop" in html
    assert ">Business permits</a>" in html  # the topic
    assert "开饭店办食品经营许可证" not in html
    # The Chinese page is as before, from its own cache entry.
    html = page(client.get(f"/items/{english_entry.code}/"))
    assert '<h1 id="guide-title">开饭店办食品经营许可证</h1>' in html
    assert PLAIN_EN not in html and APPLICATION_EN not in html and "新开店" in html


def test_switching_to_english_shows_english_cards_topics_and_guides(english_entry, chinese_entry):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/items/"})
    assert response.status_code == 302
    html = page(client.get("/items/", {"q": "开饭店"}))
    card = html[html.index('<li class="result">') :]
    assert f">{PLAIN_EN}</a></h3>" in card and NAME_EN in card
    html = page(client.get("/topics/"))
    assert "Business permits" in html and "Birth and adoption" in html
    html = page(client.get("/topics/business-permit/"))
    assert "<h1>Business permits</h1>" in html
    # An entry without English: its Chinese title, marked as Chinese.
    html = page(client.get(f"/items/{chinese_entry.code}/"))
    assert '<h1 id="guide-title" lang="zh-Hans">开药店办许可证</h1>' in html
    assert 'id="guide-chinese-name"' not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = page(client.get("/items/", {"q": "开饭店"}))
    assert PLAIN_EN not in html and "开饭店办食品经营许可证" in html


def test_the_pdf_context_is_english_too(english_entry):
    version = queries.version_with_children(english_entry.published_id)
    from yiwang.portal.presenters import guide_context

    with translation.override("en"):
        context = guide_context(english_entry, version)
    assert (context["title"], context["official_name"], context["chinese_name"]) == (
        PLAIN_EN,
        NAME_EN,
        "食品经营许可（新办）",
    )
    assert [m.name for m in context["common_materials"]] == [APPLICATION_EN, "营业执照"]
    context = guide_context(english_entry, version)
    assert context["title"] == "开饭店办食品经营许可证" and context["chinese_name"] == ""


def test_the_api_gives_the_english_names(client, english_entry, chinese_entry):
    results = client.get("/api/v1/items", {"page_size": 100}).json()["results"]
    by_code = {r["code"]: r for r in results}
    assert (by_code[english_entry.code]["name_en"], by_code[english_entry.code]["plain_title_en"]) == (
        NAME_EN,
        PLAIN_EN,
    )
    assert by_code[chinese_entry.code]["name_en"] == ""
    doc = client.get(f"/api/v1/items/{english_entry.code}").json()
    assert doc["name_en"] == NAME_EN and doc["materials"][0]["name_en"] == APPLICATION_EN
    assert doc["situations"][0]["name_en"] == "Opening a new shop"


# --- The demo's translations ---------------------------------------------------------------


def test_every_featured_demo_entry_is_translated():
    from yiwang.demo.catalog_data import english
    from yiwang.demo.catalog_data.featured import FEATURED

    assert {row["code"]: row["name"] for row in FEATURED} == {
        code: chinese for code, (chinese, _name, _plain) in english.ENTRIES.items()
    }
    for row in FEATURED:
        for material in row.get("materials", []):
            assert material[0] in english.MATERIALS, material[0]
        for situation in row.get("situations", []):
            assert situation[0] in english.SITUATIONS, situation[0]
    for _chinese, name, plain in english.ENTRIES.values():
        assert name and plain and len(name) <= 200 and len(plain) <= 100
    assert all(len(text) <= 200 for text in [*english.MATERIALS.values(), *english.SITUATIONS.values()])


def test_with_english_adds_only_what_it_knows():
    from yiwang.demo.catalog_data.english import with_english

    doc = {"name": "户口登记（出生登记）", "materials": [{"name": "出生医学证明"}, {"name": "未知材料"}]}
    out = with_english(doc, "150700102001")
    assert out["plain_title_en"] == "Registering a newborn baby"
    assert [m.get("name_en") for m in out["materials"]] == ["Medical birth certificate", None]
    assert "situations" not in out and "name_en" not in doc  # the input is left as it was
    assert "name_en" not in with_english({"materials": []}, "999999999999")

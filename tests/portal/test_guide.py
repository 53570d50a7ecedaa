"""The guide (一次性告知单): every element in plain words, its PDF, and the files it offers."""

from __future__ import annotations

import re
import uuid
import zlib

import pytest

from yiwang.catalog import services
from yiwang.catalog.models import EntryStatus
from yiwang.core.uploads import store_bytes

from .catalog_data import PDF

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def section(page: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', page, re.S)
    assert match, section_id
    return match.group(0)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


# --- The page ------------------------------------------------------------------------------------
def test_guide_shows_every_element(client, catalog):
    entry = catalog.first("birth")
    response = client.get(f"/items/{entry.code}/")
    assert response.status_code == 200
    page = html(response)
    assert '<h1 id="guide-title">新生儿上户口</h1>' in page
    assert "正式名称：出生登记" in page
    assert "青山市公安局" in page and entry.code in page
    # who can apply and the conditions
    conditions = text_of(section(page, "conditions"))
    assert "个人（自然人）" in conditions and "父母一方为本市常住户口" in conditions
    # materials as a checklist: required, conditional with its condition, fetchable, forms
    materials = section(page, "materials")
    assert materials.count('type="checkbox"') == 2  # 户口簿 and the form; the rest are fetched
    assert "出生医学证明" in materials and materials.count("无需提交，可调取电子证照") == 3
    assert "必须提交" in materials and "父母已登记结婚的" in materials
    assert re.search(r'href="/files/[0-9a-f-]{36}/">下载空白表格', materials)
    assert re.search(r'href="/files/[0-9a-f-]{36}/">下载示例样表', materials)
    assert "用黑色签字笔填写" in materials
    # situations with their own materials
    situations = text_of(section(page, "situations"))
    assert "情形1：父母一方为外地户籍" in situations and "外地户籍一方的居民户口簿复印件" in situations
    assert "情形2：非婚生育" in situations and "无法提供结婚证且出生医学证明缺少父亲信息的" in situations
    assert "符合情形时提交" in situations
    # time limits, in words, never 天
    time = text_of(section(page, "time"))
    assert "法定办结时限 5个工作日" in time and "承诺办结时限 当场办结" in time
    assert "即办件" in time and "天" not in time
    # fees, visits, online handling explained (no apply button yet)
    assert "不收费" in text_of(section(page, "fees"))
    how = text_of(section(page, "how"))
    assert "最多跑1次" in how and "核验出生医学证明原件" in how
    assert "网上预审" in how and "可以在网上提交材料并预审" in how
    assert "/apply/" not in page
    # location, hours, phones
    where = section(page, "where")
    assert "青山市新华路88号" in where and "9:00-12:00" in where
    assert f'href="tel:{entry.department.phone}"' in where and 'href="tel:12345"' in where
    # procedure, result, FAQs, legal basis (collapsible)
    assert "一次性告知需要补正的内容" in section(page, "procedure")
    assert "居民户口簿（新生儿户口页）" in section(page, "result")
    assert "孩子出生多久内要上户口？" in section(page, "faqs")
    legal = section(page, "legal")
    assert (
        re.search(r"<details[^>]*>\s*<summary>设定依据", legal) and "《中华人民共和国户口登记条例》" in legal
    )
    # printable and downloadable
    assert 'href="/static/yiwang/print.css" media="print"' in page
    assert f'href="/items/{entry.code}/guide.pdf"' in page and "下载PDF" in page


def test_guide_limits_units_and_fees(client, catalog):
    page = html(client.get(f"/items/{catalog.first('property').code}/"))
    time = text_of(section(page, "time"))
    assert "法定办结时限 30个工作日" in time and "承诺办结时限 5个工作日" in time and "承诺件" in time
    fees = text_of(section(page, "fees"))
    assert "不动产登记费" in fees and "住宅每件80元" in fees and "发改价格规〔2016〕2559号" in fees
    assert "小微企业免收" in fees
    idcard = html(client.get(f"/items/{catalog.first('idcard').code}/"))
    time = text_of(section(idcard, "time"))
    assert "60个自然日" in time and "15个自然日" in time and "天" not in time


def test_full_online_guide_and_special_procedures(client, catalog):
    entry = catalog.first("food")
    page = html(client.get(f"/items/{entry.code}/"))
    assert "全程网办" in page and "不用到现场" in page and "最多跑0次" in page
    time = text_of(section(page, "time"))
    assert "现场核查：5个工作日" in time and "不计入办理时限" in time
    result = section(page, "result")
    assert "食品经营许可证" in result and re.search(r'href="/files/[0-9a-f-]{36}/">下载结果样本', result)
    assert "企业和其他组织（法人）" in page


def test_suspended_guide_shows_a_clear_notice(client, catalog):
    entry = catalog.first("logging")
    page = html(client.get(f"/items/{entry.code}/"))
    assert "本事项暂停办理" in page and "城市林地保护专项整治期间暂停受理" in page
    assert "本事项暂停办理" not in html(client.get(f"/items/{catalog.first('food').code}/"))


def test_unknown_unpublished_and_cancelled_codes_are_404(client, catalog):
    assert client.get("/items/NO-SUCH-CODE/").status_code == 404
    assert client.get("/items/NO-SUCH-CODE/guide.pdf").status_code == 404
    item = services.create_catalog_item(
        basic_code="152009901000", name="未发布的事项", item_type="20", legal_basis="《测试条例》第一条"
    )
    draft = services.compile_entry(services.claim_item(catalog.region.departments["city_hrss"], item))
    assert client.get(f"/items/{draft.code}/").status_code == 404
    cancelled = catalog.entries["birth"][1]
    services.set_entry_status(cancelled, None, EntryStatus.CANCELLED, "机构改革，职能划转")
    assert client.get(f"/items/{cancelled.code}/").status_code == 404
    assert client.get(f"/items/{cancelled.code}/guide.pdf").status_code == 404


def test_guide_page_has_no_n_plus_one(client, catalog, django_assert_max_num_queries):
    for key in ("birth", "property", "food"):
        with django_assert_max_num_queries(8):
            assert client.get(f"/items/{catalog.first(key).code}/").status_code == 200


def test_query_count_does_not_grow_with_materials(client, catalog):
    """As many queries for a guide with one material as for one with situations, fees and FAQs."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for key in ("medical", "property"):
        caches["guides"].clear()  # the uncached path: the version and its children are read
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/items/{catalog.first(key).code}/")
        counts.append(len(ctx))
    assert counts[0] == counts[1]


# --- The PDF ------------------------------------------------------------------------------------
def pdf_streams(data: bytes) -> bytes:
    """Every decompressed stream of a PDF (content, object streams, fonts' ToUnicode maps)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return b"\n".join(out)


def unicode_text(data: bytes) -> set[str]:
    """The characters the PDF's fonts map glyphs to (ToUnicode CMaps): the text it shows."""
    streams = pdf_streams(data)
    chars = set()
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", streams, re.S):
        for _glyph, code in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            text = bytes.fromhex(code.decode()).decode("utf-16-be", errors="ignore")
            chars.update(text)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", streams, re.S):
        for start, end, code in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = int(code, 16)
            chars.update(chr(first + i) for i in range(int(end, 16) - int(start, 16) + 1))
    return chars


def test_guide_pdf_is_a_pdf_with_embedded_cjk_fonts(client, catalog):
    entry = catalog.first("birth")
    response = client.get(f"/items/{entry.code}/guide.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E4%B8%80%E6%AC%A1%E6%80%A7%E5%91%8A%E7%9F%A5%E5%8D%95.pdf" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"%PDF")
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", pdf_streams(data) + data))
    cjk = [f for f in fonts if re.match(rb"[A-Z]{6}\+", f) and re.search(rb"CJK|WenQuanYi|Zen-?Hei", f)]
    assert cjk, f"no embedded CJK font subset among {fonts}"
    shown = unicode_text(data)
    for words in [
        "新生儿上户口",
        "出生登记",
        "一次性告知单",
        "出生医学证明",
        "无需提交，可调取电子证照",
        "当场办结",
    ]:
        missing = [c for c in words if c not in shown]
        assert not missing, f"{words}: {missing} not in the PDF text"


def test_suspended_guide_pdf_says_so(client, catalog):
    data = client.get(f"/items/{catalog.first('logging').code}/guide.pdf").content
    assert data.startswith(b"%PDF")
    assert all(c in unicode_text(data) for c in "本事项暂停办理")


# --- Files the guide offers ---------------------------------------------------------------------
def file_links(page: str) -> list[str]:
    return re.findall(r'href="(/files/[0-9a-f-]{36}/)"', page)


def test_forms_and_result_samples_of_published_guides_download(client, catalog):
    links = file_links(html(client.get(f"/items/{catalog.first('food').code}/")))
    assert len(links) == 3  # blank form, sample form, result sample
    for link in links:
        response = client.get(link)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(PDF)


def test_files_not_offered_by_a_published_guide_are_404(client, catalog):
    stray = store_bytes(PDF + b"% stray\n", "内部文件.pdf")
    assert client.get(f"/files/{stray.pk}/").status_code == 404
    assert client.get(f"/files/{uuid.uuid4()}/").status_code == 404
    assert client.get("/files/not-a-uuid/").status_code == 404


def test_files_of_superseded_drafts_and_cancelled_guides_are_404(client, catalog):
    from yiwang.catalog.guide_document import version_to_document

    entry = catalog.first("signboard")
    old_links = file_links(html(client.get(f"/items/{entry.code}/")))
    assert len(old_links) == 2 and all(client.get(link).status_code == 200 for link in old_links)
    # A new draft with new forms: its files are not offered until it is published.
    draft = services.start_new_draft(entry, None)
    doc = version_to_document(draft)
    new_blank = store_bytes(PDF + b"% new blank\n", "新版空白表格.pdf")
    new_sample = store_bytes(PDF + b"% new sample\n", "新版示例样表.pdf")
    doc["materials"][0].update(blank_form=str(new_blank.pk), sample_form=str(new_sample.pk))
    services.save_draft(draft, doc, None)
    assert client.get(f"/files/{new_blank.pk}/").status_code == 404
    services.submit_version(draft, None)
    services.publish_version(draft, None)
    assert client.get(f"/files/{new_blank.pk}/").status_code == 200
    assert client.get(f"/files/{new_sample.pk}/").status_code == 200
    assert all(client.get(link).status_code == 404 for link in old_links)  # superseded
    entry.refresh_from_db()
    services.set_entry_status(entry, None, EntryStatus.CANCELLED, "职能调整")
    assert client.get(f"/files/{new_blank.pk}/").status_code == 404


# --- English ---------------------------------------------------------------------------------------
def test_english_guide_and_pdf_do_not_fail(client, catalog):
    code = catalog.first("property").code
    page = client.get(f"/items/{code}/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and '<html lang="en">' in html(page)
    pdf = client.get(f"/items/{code}/guide.pdf", headers={"Accept-Language": "en"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_guide_pdf_is_kept_under_a_new_key_once_a_name_it_shows_changes(catalog):
    """Its department's or topics' names come from other tables: their admin pages bump the
    directory generation, which the PDF's cache key holds (else a rename waited 24 hours)."""
    from yiwang.core import generations
    from yiwang.portal import guide_pdf

    entry = catalog.first("food")
    context = {"entry": entry, "version": entry.published}
    before = guide_pdf.cache_key(context, "zh-hans")
    assert guide_pdf.cache_key(context, "zh-hans") == before
    generations.directory_changed()
    assert guide_pdf.cache_key(context, "zh-hans") != before

"""Upload hygiene (`core.uploads.check`, the one gate of every file path): an attack corpus of
wrong types, polyglots, active PDFs, archive bombs and hostile names, the generated PDFs that must
still pass, and the catalog importer's caps. NUL in a name is refused earlier, by the request
guard (tests/core/test_bad_input.py)."""

from __future__ import annotations

import base64
import io
import os
import time
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError

from catalog.guide_samples import PDF, PNG
from yiwang.core import uploads

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def refusal(data: bytes, name: str = "file", **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        uploads.check(data, name, **kwargs)
    return " ".join(caught.value.message_dict["file"])


# --- PDFs built by hand ---------------------------------------------------------------------------


def pdf_of(*objects: bytes, trailer: bytes = b"<</Root 1 0 R>>") -> bytes:
    """A PDF with these objects (numbered from 1) and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n" + trailer[:-2] + b"/Size %d>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<</Length %d%s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


PAGES = (
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
    stream(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET"),
)


def catalog(extra: bytes = b"") -> bytes:
    return b"<</Type/Catalog/Pages 2 0 R" + extra + b">>"


def object_stream(objects: dict[int, bytes], *, type_name: bytes = b"/Type/ObjStm") -> bytes:
    """An object stream holding `objects` (number → body), Flate-compressed."""
    header, body = [], b""
    for number, text in objects.items():
        header.append(b"%d %d" % (number, len(body)))
        body += text + b"\n"
    head = b" ".join(header) + b"\n"
    data = zlib.compress(head + body)
    return stream(data, b"%s/N %d/First %d/Filter/FlateDecode" % (type_name, len(objects), len(head)))


def test_a_plain_pdf_and_a_page_destination_on_open_pass():
    assert uploads.check(pdf_of(catalog(), *PAGES), "a.pdf").kind == "pdf"
    # LaTeX (hyperref) and many others open on a page: a destination, not an action.
    assert uploads.check(pdf_of(catalog(b"/OpenAction[3 0 R/Fit]"), *PAGES), "a.pdf").kind == "pdf"
    goto = catalog(b"/OpenAction<</S/GoTo/D[3 0 R/XYZ 0 0 1]>>")
    assert uploads.check(pdf_of(goto, *PAGES), "a.pdf").kind == "pdf"


@pytest.mark.parametrize(
    ("extra", "feature"),
    [
        (b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>", "JavaScript"),
        (b"/OpenAction 5 0 R", "/OpenAction"),  # an action elsewhere: a URI, a form submission ...
        (b"/AA<</O<</S/GoTo/D[3 0 R/Fit]>>>>", "/AA"),
        (b"/Names<</JavaScript<</Names[(a)<</S/JavaScript/JS(x)>>]>>>>", "JavaScript"),
        (b"/OpenAction<</S/Launch/F(cmd.exe)>>", "/Launch"),
        (b"/Names<</EmbeddedFiles<</Names[(a.exe)6 0 R]>>>>", "/EmbeddedFile"),
        (b"/AcroForm<</XFA 6 0 R/Fields[]>>", "/XFA"),
        (b"/RichMedia<<>>", "/RichMedia"),
    ],
)
def test_active_pdf_content_is_refused_naming_the_feature(extra, feature):
    data = pdf_of(catalog(extra), *PAGES, b"<</S/URI/URI(https://example.org/)>>")
    message = refusal(data, "a.pdf")
    assert "活动内容" in message and feature in message


def test_hex_escaped_names_are_read_as_what_they_are():
    for name in (b"/J#61vaScript", b"/#4A#53", b"/Open#41ction", b"/#41A"):
        data = pdf_of(catalog(name + b"<</S/JavaScript>>"), *PAGES)
        assert "活动内容" in refusal(data, "a.pdf"), name


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    hidden = {5: b"<</S/JavaScript/JS(app.alert(1))>>"}
    data = pdf_of(catalog(b"/OpenAction 5 0 R"), *PAGES, object_stream(hidden))
    assert "JavaScript" in refusal(data, "a.pdf")
    # ... also with the stream's own type written with escapes, or left out (/First marks it)
    for type_name in (b"/Type/Obj#53tm", b""):
        data = pdf_of(catalog(), *PAGES, object_stream({6: catalog(b"/J#53 5 0 R")}, type_name=type_name))
        assert "JavaScript" in refusal(data, "a.pdf"), type_name


def test_a_page_destination_kept_in_an_object_stream_passes():
    data = pdf_of(catalog(b"/OpenAction 5 0 R"), *PAGES, object_stream({5: b"[3 0 R/Fit]"}))
    assert uploads.check(data, "a.pdf").kind == "pdf"


def test_an_object_stream_that_inflates_beyond_the_cap_is_refused():
    bomb = zlib.compress(b" " * (uploads.PDF_MAX_INFLATED_BYTES + 1024), 9)
    data = pdf_of(catalog(), *PAGES, stream(bomb, b"/Type/ObjStm/N 1/First 4/Filter/FlateDecode"))
    assert len(data) < 200_000
    started = time.perf_counter()
    assert "解压后超过" in refusal(data, "a.pdf")
    assert time.perf_counter() - started < 5


def test_an_object_stream_in_an_encoding_that_cannot_be_read_is_refused():
    data = pdf_of(
        catalog(), *PAGES, stream(b"4041>", b"/Type/ObjStm/N 1/First 4/Filter[/ASCIIHexDecode/FlateDecode]")
    )
    assert "无法检查" in refusal(data, "a.pdf")


def test_names_in_binary_stream_data_are_not_taken_for_active_content():
    # An image or a font: its bytes may spell "/JS " or "/AA>" by chance; they are not names.
    noise = os.urandom(4096) + b" /JS /AA>> /OpenAction<</S/Launch>> " + os.urandom(4096)
    data = pdf_of(catalog(), *PAGES, stream(noise, b"/Type/XObject/Subtype/Image"))
    assert uploads.check(data, "a.pdf").kind == "pdf"
    # ... also when its length is an indirect object
    indirect = b"<</Length 6 0 R/Subtype/Image>>\nstream\n" + noise + b"\nendstream"
    data = pdf_of(catalog(), *PAGES, indirect, b"%d" % len(noise))
    assert uploads.check(data, "a.pdf").kind == "pdf"


def test_the_pdfs_the_platform_generates_pass(tmp_path):
    """Case documents and guides (WeasyPrint through core.pdf, with compressed object streams), the
    demo's blank and sample forms (Pillow, or WeasyPrint without the fonts)."""
    from yiwang.core import pdf
    from yiwang.demo import files

    html = (
        "<html><head><title>受理通知书</title></head><body><h1 id='top'>受理通知书</h1>"
        "<p>申请人：张三</p><a href='https://example.org/'>外部链接</a> <a href='#top'>回到顶部</a>"
        "<table><tr><th>材料</th><td>营业执照</td></tr></table></body></html>"
    )
    generated = [pdf.html_to_pdf(html)]
    page = files.FormPage("食品经营许可申请书", rows=[("申请人", "张三"), ("地址", "人民路 1 号")])
    generated.append(files._weasyprint_page(page, sample=True))
    if files._font_files() is not None:
        generated.append(files._draw_page(page, sample=False))
    assert b"/ObjStm" in generated[0]  # the object-stream path is exercised
    for data in generated:
        assert uploads.check(data, "受理通知书.pdf", allowed=("pdf",)).kind == "pdf"


# --- Wrong types and polyglots --------------------------------------------------------------------


def test_a_type_the_name_claims_but_the_content_is_not_is_refused():
    assert "不是允许的格式" in refusal(b"<html><script>alert(1)</script></html>", "scan.pdf")
    assert "不是允许的格式" in refusal(b"MZ\x90\x00" + b"\x00" * 64, "scan.pdf")
    assert "不是允许的格式" in refusal(b"GIF89a/*\x00\x00*/=1;alert(1)//", "photo.gif")  # GIF/JS
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert "不是允许的格式" in refusal(svg, "a.png")
    # HTML first and a PDF after it (readers find a header within 1 KB): not a PDF by its start
    assert "不是允许的格式" in refusal(b"<html><body>x</body></html>\n" + PDF, "a.pdf")
    assert "不是允许的格式" in refusal(PDF, "a.pdf", allowed=("png", "jpeg"))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n" + PDF[9:],
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x20tEXtComment\x00<script>alert(1)</script>" + b"\x00" * 64,
        JPEG[:20] + b"<!DOCTYPE html><iframe src=//evil.example>" + JPEG[20:],
    ],
    ids=["pdf-html", "png-script", "jpeg-html"],
)
def test_a_polyglot_with_a_web_page_in_its_first_bytes_is_refused(data):
    assert "网页代码" in refusal(data, "scan.pdf")


def test_an_image_named_as_a_web_page_is_kept_under_its_own_type():
    stored = uploads.check(PNG, "scan.html")
    assert (stored.kind, stored.content_type, stored.original_name) == ("png", "image/png", "scan.png")
    assert uploads.check(JPEG, "photo.JPG").original_name == "photo.JPG"  # an agreeing one is kept
    assert uploads.check(JPEG, "photo.png").original_name == "photo.jpg"
    assert uploads.check(PDF, "invoice.pdf.exe").original_name == "invoice.pdf.pdf"
    assert uploads.check(PDF, "营业执照（副本）").original_name == "营业执照（副本）.pdf"
    assert uploads.check(PDF, ".htaccess").original_name == "htaccess.pdf"
    assert uploads.check(PDF, "").original_name == "file.pdf"


def test_an_ole_file_takes_its_kind_between_doc_and_xls_from_the_name():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    assert (uploads.check(ole, "表.xls").kind, uploads.check(ole, "表.xls").original_name) == (
        "xls",
        "表.xls",
    )
    assert (uploads.check(ole, "表.html").kind, uploads.check(ole, "表.html").original_name) == (
        "doc",
        "表.doc",
    )


def test_an_empty_and_an_oversize_file_are_refused():
    with pytest.raises(ValidationError) as caught:
        uploads.check(b"", "a.pdf")
    assert caught.value.message_dict["file"] == ["文件为空。"]
    with pytest.raises(ValidationError) as caught:
        uploads.check(PDF + b" " * 2048, "a.pdf", max_bytes=1024)
    assert caught.value.error_dict["file"][0].code == "too_large"


# --- Hostile names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),  # shown as "invoiceexe.pdf" with the override
        ("\u2067scan\u2069 \u200bcopy\ufeff.pdf", "scan copy.pdf"),
        ("a\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2068b.pdf", "ab.pdf"),
        ("line\nbreak\r\tand\u2028more.pdf", "line break and more.pdf"),
        ("bell\x07\x1b[31mred.pdf", "bell[31mred.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\x\\Desktop\\证明.pdf", "证明.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("  . dots and spaces . .pdf", "dots and spaces.pdf"),
        ("e\u0301.pdf", "\u00e9.pdf"),  # NFC
    ],
)
def test_hostile_names_are_cleaned(name, kept):
    assert uploads.check(PDF, name).original_name == kept


def test_a_long_name_keeps_its_extension_within_the_limit():
    for stem in ("申" * 300, "a" * 1000, "x" * 197):
        name = uploads.check(PDF, stem + ".pdf").original_name
        assert len(name) <= 200 and name.endswith(".pdf") and name.startswith(stem[:10])
    assert uploads.check(PNG, "y" * 500 + ".html").original_name == "y" * 196 + ".png"


# --- Archives -----------------------------------------------------------------------------------


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
XLSX = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def test_a_small_document_and_one_with_an_embedded_workbook_pass():
    assert uploads.check(zip_of(DOCX), "a.docx").kind == "docx"
    embedded = zip_of({**DOCX, "word/embeddings/Microsoft_Excel_Worksheet.xlsx": zip_of(XLSX)})
    assert uploads.check(embedded, "a.docx").kind == "docx"
    # text that compresses well (a long sheet) is not a bomb below the floor
    assert uploads.check(zip_of({**XLSX, "xl/worksheets/sheet1.xml": b"<row/>" * 500_000}), "a.xlsx")


def test_an_archive_that_expands_beyond_the_cap_is_refused_before_it_is_read():
    bomb = zip_of({**DOCX, "word/media/zeros.bin": bytes(uploads.ZIP_MAX_TOTAL_BYTES + 1)})
    assert len(bomb) < 200_000
    started = time.perf_counter()
    assert "压缩炸弹" in refusal(bomb, "a.docx")
    assert time.perf_counter() - started < 1  # judged by the declared sizes: nothing inflated


def test_an_archive_with_a_suspicious_ratio_is_refused():
    member = zip_of({**XLSX, "xl/media/zeros.bin": bytes(6 * 1024 * 1024)})
    assert "压缩比异常" in refusal(member, "a.xlsx")


def test_an_archive_lying_about_its_sizes_is_refused():
    name = "word/media/zeros.bin"
    data = bytearray(zip_of({**DOCX, name: bytes(20 * 1024 * 1024)}))
    # declare the member 1,000 bytes (local header and central directory): it inflates to 20 MB
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name).header_offset
    central = data.rindex(name.encode()) - 46
    assert data[local : local + 4] == b"PK\x03\x04" and data[central : central + 4] == b"PK\x01\x02"
    data[local + 22 : local + 26] = data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    assert "损坏" in refusal(bytes(data), "a.docx")


def test_a_bomb_nested_in_an_office_file_is_refused():
    inner = zip_of({**XLSX, "xl/media/zeros.bin": bytes(uploads.ZIP_MAX_TOTAL_BYTES + 1)})
    outer = zip_of({**DOCX, "word/embeddings/sheet.xlsx": inner}, compression=zipfile.ZIP_STORED)
    assert "压缩炸弹" in refusal(outer, "a.docx")


def test_archives_nested_too_deep_are_refused():
    deep = zip_of({"a.zip": zip_of({"b.txt": b"x"})})
    outer = zip_of({**DOCX, "word/embeddings/x.xlsx": deep})
    assert "嵌套" in refusal(outer, "a.docx")


def test_an_archive_with_too_many_members_is_refused():
    many = zip_of({**DOCX, **{f"word/m{i}.xml": b"" for i in range(uploads.ZIP_MAX_MEMBERS)}})
    assert "文件过多" in refusal(many, "a.docx")


def test_a_broken_archive_is_not_an_office_file():
    assert "不是允许的格式" in refusal(b"PK\x03\x04" + b"\x00" * 100, "a.docx")


# --- Every path shares the gate -----------------------------------------------------------------


def test_names_are_cleaned_on_the_json_and_the_multipart_paths(client, api_token, published):
    from yiwang.cases.models import Case

    token = api_token("demo-citizen")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {
        "entry": published.code,
        "form_data": {"shop_name": "好味道小吃"},
        "submit": False,
        "materials": [
            {
                "filename": "photo\u202egnp.exe",
                "name": "其他\u202e材料",
                "content_base64": base64.b64encode(PNG).decode(),
            },
            {"filename": "长" * 400 + ".pdf", "content_base64": base64.b64encode(PDF).decode()},
        ],
    }
    response = client.post("/api/v1/cases", body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    case = response.json()
    assert [m["filename"] for m in case["materials"]] == ["photognp.png", "长" * 196 + ".pdf"]
    assert [m["name"] for m in case["materials"]] == ["其他材料", "长" * 196 + ".pdf"]
    assert case["materials"][0]["content_type"] == "image/png"
    # multipart
    key = case["draft_key"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/api/v1/cases/{key}/materials",
        {"file": SimpleUploadedFile("scan\u202e.html", PNG), "name": "\u2066另一份"},
        **headers,
    )
    assert response.status_code == 201, response.content
    assert (response.json()["filename"], response.json()["name"]) == ("scan.png", "另一份")
    names = set(Case.objects.get(draft_key=key).materials.values_list("file__original_name", flat=True))
    assert not any(ch in name for name in names for ch in "\u202e\u2066")


def test_an_active_pdf_is_a_422_naming_the_feature_in_the_request_language(client, api_token, published):
    token = api_token("demo-citizen")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    active = pdf_of(catalog(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), *PAGES)
    body = {
        "entry": published.code,
        "submit": False,
        "materials": [{"filename": "a.pdf", "content_base64": base64.b64encode(active).decode()}],
    }
    response = client.post("/api/v1/cases", body, content_type="application/json", **headers)
    assert response.status_code == 422
    assert "JavaScript" in response.json()["fields"]["materials.0.file"][0]
    english = client.post(
        "/api/v1/cases", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers
    )
    message = english.json()["fields"]["materials.0.file"][0]
    assert english.status_code == 422 and "active content" in message and message.isascii()


# --- The catalog importer -----------------------------------------------------------------------


def workbook_of(rows: int) -> bytes:
    from openpyxl import Workbook

    from yiwang.catalog.exchange.format import SHEET_ENTRIES

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_ENTRIES)
    sheet.append(["实施编码", "事项名称"])
    for i in range(rows):
        sheet.append([f"CODE{i}", f"事项{i}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_import_stops_as_soon_as_a_sheet_passes_the_row_cap(db, settings):
    from yiwang.catalog import exchange

    settings.MAX_IMPORT_ROWS = 1000
    data = workbook_of(60_000)
    started = time.perf_counter()
    with pytest.raises(exchange.ImportFailed) as caught:
        exchange.read_file(data, "items.xlsx")
    assert time.perf_counter() - started < 2  # 60,000 rows read whole take several seconds
    assert "超过 1000 行" in caught.value.errors[0].message
    json_rows = ("[" + ",".join(["{}"] * 1001) + "]").encode()
    with pytest.raises(exchange.ImportFailed) as caught:
        exchange.read_file(json_rows, "items.json")
    assert "超过 1000 行" in caught.value.errors[0].message


def test_an_import_workbook_that_is_an_archive_bomb_is_refused(db):
    from yiwang.catalog import exchange

    bomb = zip_of({**XLSX, "xl/sharedStrings.xml": bytes(uploads.ZIP_MAX_TOTAL_BYTES + 1)})
    with pytest.raises(exchange.ImportFailed) as caught:
        exchange.read_file(bomb, "items.xlsx")
    assert "压缩炸弹" in caught.value.errors[0].message


def test_a_file_kept_before_names_were_cleaned_is_offered_under_a_clean_name(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = uploads.check(PDF, "a.pdf")
    stored.original_name = "invoice\u202efdp.exe"  # as an earlier version kept it
    uploads.write(stored, PDF)
    stored.save(force_insert=True)
    response = uploads.serve(stored)
    assert "invoicefdp.pdf" in response["Content-Disposition"]
    assert (
        "\u202e" not in response["Content-Disposition"] and "%E2%80%AE" not in response["Content-Disposition"]
    )
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    response.close()

"""Import and export of entries: Excel and JSON round trips, row-level errors, all or nothing."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from catalog.test_search import GUIDE, build_catalog, publish
from yiwang.catalog import exchange, search, services
from yiwang.catalog.models import (
    AuditFinding,
    CatalogItem,
    Claim,
    Entry,
    EntryStatus,
    EntryVersion,
    VersionState,
)
from yiwang.core.models import StoredFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(region):
    entries = build_catalog(region)
    # Give one guide everything an exchange must carry: situation materials, forms, fees, odd text.
    form = StoredFile.objects.create(
        id=uuid.uuid4(),
        original_name="申请表.docx",
        content_type="application/msword",
        kind="docx",
        size=10,
        sha256="0" * 64,
    )
    entry = entries["city_natural_resources/不动产转移登记"]
    draft = services.start_new_draft(entry, None)
    doc = exchange.exchange_document(draft)
    doc["materials"] = [
        *doc["materials"],
        {
            "name": "不动产登记申请表",
            "name_en": "Real estate registration form",  # English travels too (issue 13)
            "kind": "original",
            "necessity": "conditional",
            "condition": "",
            "situation": 2,
            "source": "government",
            "source_body": "青山市不动产登记中心",
            "licence_type_code": "11150000MB1234567X001",
            "paper_copies": 2,
            "paper_size": "",
            "is_key": False,
            "media_format": "纸质",
            "fill_instructions": "第一行写姓名\n第二行写地址",
            "acceptance_standard": "=字迹清楚",
            "legal_basis": "《不动产登记暂行条例》第十六条",
            "blank_form": str(form.pk),
            "sample_form": str(form.pk),
        },
    ]
    doc["aliases"] = ["房屋过户", "卖房、买房过户"]  # an alias with 、 is kept as JSON
    doc["name_en"], doc["plain_title_en"] = "Real estate transfer registration", "Selling a flat"
    doc["situations"][0]["name_en"] = "Sale, in English"
    doc["special_procedures"] = [{"name": "现场查看", "limit": 5, "unit": "workday"}]
    doc["review_steps"] = [{"name": "审查", "role": "reviewer"}, {"name": "决定", "role": "approver"}]
    doc["legal_limit_note"] = ""
    doc["acceptance_conditions"] = "1. 申请人为房屋所有权人；\n2. 房屋无查封。"
    doc["consult_phone"] = "0471-8001111"
    doc["form_schema"] = {}
    services.save_draft(draft, doc, None)
    publish(entry)
    return entries


def wipe_catalog() -> None:
    AuditFinding.objects.all().delete()
    Entry.objects.update(published=None)
    EntryVersion.objects.all().delete()
    Entry.objects.all().delete()
    Claim.objects.all().delete()
    CatalogItem.objects.all().delete()


def counts() -> tuple[int, ...]:
    return (
        CatalogItem.objects.count(),
        Claim.objects.count(),
        Entry.objects.count(),
        EntryVersion.objects.count(),
    )


def xlsx_values(data: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Round trips -------------------------------------------------------------------------------


def test_json_round_trip_is_identical(catalog):
    first = exchange.dumps_json(exchange.export_documents())
    docs = json.loads(first)
    assert len(docs) == 26  # published and visible: not the cancelled one, not the draft
    assert {"version", "state", "status"}.isdisjoint(docs[0])
    wipe_catalog()
    report = exchange.import_sources(exchange.read_file(first), publish=True)
    assert (report.entries, report.created, report.published, report.unpublished) == (26, 26, 26, [])
    assert report.catalog_items_created == 24  # 食品经营许可 and 低保 are claimed twice
    again = exchange.dumps_json(exchange.export_documents())
    assert again == first
    assert '"plain_title_en": "Selling a flat"' in again.decode() and "Sale, in English" in again.decode()
    # Imported guides are searchable at once.
    assert Entry.objects.get(pk=search.ranked_ids("二手房过户")[0]).name == "不动产转移登记"


def test_excel_round_trip_is_lossless(catalog):
    json_before = exchange.dumps_json(exchange.export_documents())
    first = exchange.dumps_xlsx(exchange.export_documents())
    sheets = xlsx_values(first)
    assert list(sheets) == ["事项", "材料", "收费", "常见问题", "情形"]
    header = sheets["事项"][0]
    assert header[0] == "实施编码 [code]" and "承诺办结时限 [promised_limit]" in header
    row = dict(zip(header, next(r for r in sheets["事项"][1:] if r[3] == "07"), strict=True))
    assert row["办件类型 [case_kind]"] in ("即办件", "承诺件")
    wipe_catalog()
    exchange.import_sources(exchange.read_file(first), publish=True)
    assert xlsx_values(exchange.dumps_xlsx(exchange.export_documents())) == sheets
    assert exchange.dumps_json(exchange.export_documents()) == json_before


def test_drafts_round_trip_without_publishing(catalog):
    first = exchange.dumps_json(exchange.export_documents(drafts=True))
    assert "林木采伐许可" in first.decode()
    wipe_catalog()
    report = exchange.import_sources(exchange.read_file(first))
    assert report.published == 0 and report.created == 27
    assert not Entry.objects.filter(published__isnull=False).exists()
    assert exchange.dumps_json(exchange.export_documents(drafts=True)) == first


def test_import_updates_an_existing_entry_in_a_new_draft(catalog):
    docs = json.loads(exchange.dumps_json(exchange.export_documents()))
    doc = next(d for d in docs if d["name"] == "结婚登记")
    doc["promised_limit"] = 1
    doc["plain_title"] = "领结婚证（当天办结）"
    report = exchange.import_sources(exchange.read_json(json.dumps([doc]).encode()))
    assert (report.created, report.updated) == (0, 1)
    entry = Entry.objects.get(code=doc["code"])
    assert entry.published.plain_title == "领结婚证"  # citizens still see the published one
    draft = services.current_draft(entry)
    assert (draft.number, draft.state, draft.promised_limit) == (2, VersionState.DRAFT, 1)
    assert draft.materials.count() == 1  # children not in the document are replaced as given


# --- Errors: where, what, and nothing written ---------------------------------------------------


def test_bad_rows_are_reported_by_sheet_row_and_element_and_nothing_is_written(catalog, region):
    uscc = region.departments["city_market"].uscc
    before = counts()
    data = workbook_bytes(
        {
            "事项": [
                [
                    "实施主体统一社会信用代码 [department_uscc]",
                    "基本编码",
                    "事项名称",
                    "法定办结时限",
                    "承诺办结时限 [promised_limit]",
                    "办件类型 [case_kind]",
                    "办理流程 [procedure]",
                ],
                [uscc, "150101001000", "道路运输经营许可", 20, 5, "承诺件", "受理、审查、决定"],
                [uscc, "150101002000", "烟草专卖零售许可", 20, 30, "承诺件", ""],
                ["91150000MA0000000X", "150101003000", "娱乐场所经营许可", 20, 5, "承诺件", ""],
                [uscc, "150101001000", "道路运输经营许可", 20, 5, "承诺件", ""],
                [uscc, "150101004000", "互联网上网服务营业场所", 20, 5, "马上办", "[{"],
            ],
            "材料": [
                [
                    "实施编码 [code]",
                    "基本编码 [basic_code]",
                    "实施主体统一社会信用代码 [department_uscc]",
                    "材料名称 [name]",
                    "纸质份数",
                ],
                ["", "150101001000", uscc, "营业执照", 1],
                ["", "150101001000", uscc, "", 1],
                ["", "150109999000", uscc, "身份证", "两份"],
            ],
        }
    )
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_sources(exchange.read_file(data))
    messages = [str(e) for e in failed.value.errors]
    assert "材料 第4行 code: “事项”表中没有这个事项。" in messages
    assert "材料 第4行 paper_copies: 应为整数。" in messages
    assert "事项 第6行 case_kind: 取值“马上办”不在可选范围内：即办件、承诺件。" in messages
    assert "事项 第6行 procedure: 不是有效的 JSON。" in messages
    assert counts() == before  # read errors stop before anything is checked against the database

    # Fix the cell errors: the database checks report the rest, still all at once.
    data = workbook_bytes(
        {
            "事项": [
                ["department_uscc", "basic_code", "name", "legal_limit", "promised_limit", "case_kind"],
                [uscc, "150101001000", "道路运输经营许可", 20, 5, "承诺件"],
                [uscc, "150101002000", "烟草专卖零售许可", 20, 30, "承诺件"],
                ["91150000MA0000000X", "150101003000", "娱乐场所经营许可", 20, 5, "承诺件"],
                [uscc, "150101001000", "道路运输经营许可", 20, 5, "承诺件"],
                [uscc, "159901004000", "互联网上网服务营业场所", 20, 5, "承诺件"],
            ],
            "材料": [
                ["code", "basic_code", "department_uscc", "name"],
                ["", "150101001000", uscc, "营业执照"],
                ["", "150101001000", uscc, ""],
            ],
        }
    )
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_sources(exchange.read_file(data))
    messages = [str(e) for e in failed.value.errors]
    assert "事项 第3行 promised_limit: 承诺时限（30）不能长于法定时限（20）。" in messages
    assert any(m.startswith("材料 第3行 name:") for m in messages), messages
    assert "事项 第4行 department_uscc: 没有统一社会信用代码为 91150000MA0000000X 的部门。" in messages
    duplicate = next(m for m in messages if m.startswith("事项 第5行 code:"))
    assert "与第2行重复" in duplicate
    assert "事项 第6行 item_type: 未知的事项类型代码：99。" in messages
    assert not any("第2行" in m.split(" ")[1] for m in messages)  # the good row has no error
    assert counts() == before


def test_json_errors_name_the_document_and_the_path(catalog, region):
    docs = json.loads(exchange.dumps_json(exchange.export_documents()))[:3]
    docs[1]["materials"][0]["kind"] = "photocopy"
    docs[2]["department_uscc"] = "91150000MA0000000X"
    docs[2]["code"] = ""
    before = counts()
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_sources(exchange.read_json(json.dumps(docs).encode()))
    messages = [str(e) for e in failed.value.errors]
    assert any(m.startswith("JSON 第2项 materials.0.kind:") for m in messages), messages
    assert "JSON 第3项 department_uscc: 没有统一社会信用代码为 91150000MA0000000X 的部门。" in messages
    assert counts() == before


def test_conflicts_with_the_catalog_are_errors(catalog, region):
    docs = json.loads(exchange.dumps_json(exchange.export_documents(drafts=True)))
    cancelled = Entry.objects.get(status=EntryStatus.CANCELLED)
    cancelled_doc = exchange.exchange_document(cancelled.versions.first())
    submitted = catalog["city_forestry/林木采伐许可"]
    services.submit_version(services.current_draft(submitted), None)
    submitted_doc = next(d for d in docs if d["code"] == submitted.code)
    # A city-only catalog item cannot be claimed by a township's department.
    CatalogItem.objects.filter(basic_code="150700702000").update(levels=[2])
    town = region.departments["dongcheng_service"]
    town_doc = {
        **next(d for d in docs if d["basic_code"] == "150700702000"),
        "code": "",
        "department_uscc": town.uscc,
    }
    wrong_code = {**docs[0], "code": docs[0]["code"][:18] + "9" + docs[0]["code"][19:]}
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_sources(
            exchange.read_json(json.dumps([cancelled_doc, submitted_doc, town_doc, wrong_code]).encode())
        )
    text = "\n".join(str(e) for e in failed.value.errors)
    assert "JSON 第1项 code: 事项" in text and "已取消" in text
    assert "JSON 第2项 code:" in text and "待审核" in text
    assert "JSON 第3项 basic_code: “结婚登记”不在乡镇（街道）行使" in text
    assert "JSON 第4项 code: 实施编码" in text and "不一致" in text


def test_publish_leaves_guides_with_audit_errors_as_drafts(catalog, region):
    uscc = region.departments["city_market"].uscc
    good = {
        **GUIDE,
        "department_uscc": uscc,
        "basic_code": "150101001000",
        "name": "道路运输经营许可",
        "plain_title": "跑运输",
    }
    bad = {
        **good,
        "basic_code": "150101002000",
        "name": "烟草专卖零售许可",
        "complaint_phone": GUIDE["consult_phone"],
    }
    report = exchange.import_sources(exchange.read_json(json.dumps([good, bad]).encode()), publish=True)
    assert report.published == 1 and report.created == 2 and report.catalog_items_created == 2
    [(code, problems)] = report.unpublished
    assert code.endswith("150101002000") and any("complaint_phone" in p for p in problems)
    assert Entry.objects.get(code=code).published is None
    item = CatalogItem.objects.get(basic_code="150101001000")
    assert (item.name, item.item_type.code, item.levels) == ("道路运输经营许可", "01", [2])


def test_dry_run_writes_nothing(catalog):
    data = exchange.dumps_json(exchange.export_documents())
    wipe_catalog()
    report = exchange.import_sources(exchange.read_file(data), publish=True, dry_run=True)
    assert report.published == 26 and report.dry_run
    assert counts() == (0, 0, 0, 0)


def test_malformed_documents_are_errors_not_crashes(catalog, region):
    doc = {
        "code": 12345,
        "department_uscc": region.departments["city_market"].uscc,
        "basic_code": 150101001000,
        "name": "道路运输经营许可",
        "materials": "身份证",
        "situations": ["新办"],
        "fees": [{"name": "工本费"}],
        "form_schema": "表单",
        "legal_limit": "二十",
    }
    with pytest.raises(exchange.ImportFailed) as failed:
        exchange.import_sources(exchange.read_json(json.dumps([doc]).encode()))
    fields = {e.field for e in failed.value.errors}
    assert {"materials", "situations.0", "form_schema", "legal_limit", "code"} <= fields, fields


def test_unreadable_files(db):
    for data in (b"hello", b"PK\x03\x04broken", b"[1, 2", b'{"a": 1}'):
        with pytest.raises(exchange.ImportFailed) as failed:
            exchange.import_sources(exchange.read_file(data))
        assert failed.value.errors and str(failed.value.errors[0])


# --- Commands -----------------------------------------------------------------------------------


def test_export_and_import_commands(catalog, tmp_path, capsys):
    path = tmp_path / "items.xlsx"
    call_command("export_items", str(path), "--no-progress")
    assert "已导出 26 个事项" in capsys.readouterr().out
    call_command("export_items", str(tmp_path / "city.json"), "--division", "159902", "--no-progress")
    assert len(json.loads((tmp_path / "city.json").read_text())) == 1  # 城关区's food permit
    wipe_catalog()
    call_command("import_items", str(path), "--publish", "--no-progress")
    assert "已导入 26 个事项：新建 26 个" in capsys.readouterr().out
    assert Entry.objects.filter(published__isnull=False).count() == 26

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"department_uscc": "X", "basic_code": "1", "name": ""}]), encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_items", str(bad), "--no-progress")
    assert "JSON 第1项 department_uscc:" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("import_items", str(tmp_path / "missing.xlsx"), "--no-progress")

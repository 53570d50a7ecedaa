"""`yiwang audit-guides`: audits the catalog, stores findings, writes HTML and CSV reports."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("audit_guides", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_audits_latest_versions_and_writes_reports(entry, bare_entry, staff, tmp_path):
    from yiwang.catalog import services

    tmp_path = tmp_path / "out"
    from yiwang.catalog.models import AuditFinding

    services.submit_version(entry.versions.get(), staff["demo-itemadmin"])
    services.publish_version(entry.versions.get(), staff["demo-reviewer"])
    v2 = services.start_new_draft(entry, staff["demo-itemadmin"])
    services.save_draft(v2, {"location": "大厅"}, staff["demo-itemadmin"])
    AuditFinding.objects.all().delete()

    output = run("--output", str(tmp_path))
    assert "审核 2 个事项" in output and "2 个有错误" in output
    latest = {v2.pk, bare_entry.versions.get().pk}
    assert set(AuditFinding.objects.values_list("version_id", flat=True)) == latest
    csv_file = next(tmp_path.glob("guide-audit-*.csv"))
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    assert len(rows) == AuditFinding.objects.count()
    assert {r["实施编码"] for r in rows} == {entry.code, bare_entry.code}
    assert any(r["规则"] == "location_irregular" and r["实施编码"] == entry.code for r in rows)
    html = next(tmp_path.glob("guide-audit-*.html")).read_text(encoding="utf-8")
    assert "办事指南质量报告" in html and "办理地点不规范" in html and "青山市市场监督管理局" in html
    assert bare_entry.code in html

    # --published: only the versions citizens see (v1 of the first entry, which is clean)
    for f in tmp_path.iterdir():
        f.unlink()
    output = run("--published", "--output", str(tmp_path))
    assert "审核 1 个事项" in output and "0 个有错误" in output
    rows = list(csv.DictReader(io.StringIO(next(tmp_path.glob("*.csv")).read_text(encoding="utf-8-sig"))))
    assert rows == []


def test_runs_again_without_duplicating_findings(entry, bare_entry, tmp_path):
    from yiwang.catalog.models import AuditFinding

    run("--output", str(tmp_path), "--batch-size", "1")
    first = AuditFinding.objects.count()
    run("--output", str(tmp_path / "again"))
    assert AuditFinding.objects.count() == first > 0


def test_default_output_is_var_reports(entry, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    output = run()
    assert str(tmp_path / "reports") in output
    assert list((tmp_path / "reports").glob("guide-audit-*.html"))


def test_yiwang_command_name_maps_to_it():
    from django.core.management import get_commands

    assert get_commands()["audit_guides"] == "yiwang.catalog"

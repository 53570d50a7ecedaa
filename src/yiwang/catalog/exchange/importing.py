"""Validating and importing sources: everything checked first, then one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.catalog import codes, guide_document, rules, search_index, services
from yiwang.catalog.exchange.format import GUIDE_KEYS, MAX_ERRORS, ImportFailed, ImportReport, RowError
from yiwang.catalog.exchange.reading import Source, read_file
from yiwang.catalog.models import CatalogItem, Claim, Entry, EntryStatus, Initiation, ItemType, VersionState
from yiwang.core.models import Department, DivisionLevel, StoredFile


@dataclass
class _Plan:
    source: Source
    department: Department
    basic_code: str
    code: str
    entry: Entry | None
    guide: dict[str, Any]


def _guide_part(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in GUIDE_KEYS if k in doc}


def _plan(
    sources: list[Source],
    may_import: Callable[[Department], bool] | None,
    tick: Callable[[int], Any] | None = None,
) -> tuple[list[_Plan], dict[str, dict[str, Any]], list[RowError]]:
    """Check every source against the database without writing; the plans and catalog items to create."""
    errors: list[RowError] = []
    usccs = {(_text(s.doc.get("department_uscc")) or _text(s.doc.get("code"))[:18]).upper() for s in sources}
    departments = {d.uscc: d for d in Department.objects.filter(uscc__in=usccs).select_related("division")}
    item_types = set(ItemType.objects.values_list("code", flat=True))
    file_ids = {
        str(m.get(k))
        for s in sources
        for m in (s.doc.get("materials") or [])
        if isinstance(m, dict)
        for k in ("blank_form", "sample_form")
        if m.get(k)
    }
    known_files = set()
    for fid in file_ids:
        try:
            if StoredFile.objects.filter(pk=fid).exists():
                known_files.add(fid)
        except (ValidationError, ValueError):
            pass
    plans: list[_Plan] = []
    new_items: dict[str, dict[str, Any]] = {}
    seen: dict[str, Source] = {}
    existing_items = {}
    for source in sources:
        doc = source.doc
        before = len(errors)
        code = _text(doc.get("code")).upper()
        uscc = (_text(doc.get("department_uscc")) or code[:18]).upper()
        basic = _text(doc.get("basic_code")) or code[19:]
        department = departments.get(uscc)
        if not uscc:
            errors.append(
                source.error("department_uscc", _("请填写实施主体的统一社会信用代码（或实施编码）。"))
            )
        elif department is None:
            errors.append(
                source.error(
                    "department_uscc", _("没有统一社会信用代码为 %(uscc)s 的部门。") % {"uscc": uscc}
                )
            )
        elif may_import is not None and not may_import(department):
            errors.append(
                source.error("department_uscc", _("无权导入“%(dept)s”的事项。") % {"dept": department.name})
            )
        item_type = str(doc.get("item_type") or basic[2:4]).strip()
        if item_type.isdigit() and len(item_type) == 1:  # 7 typed into a number cell
            item_type = item_type.zfill(2)
        try:
            basic = codes.validate_basic_code(basic, item_type if item_type in item_types else None)
        except ValidationError as exc:
            errors.extend(source.error("basic_code", m) for m in exc.messages)
        if item_type not in item_types:
            errors.append(
                source.error("item_type", _("未知的事项类型代码：%(code)s。") % {"code": item_type})
            )
        if department is not None and len(errors) == before:
            level = department.division.level
            expected = codes.implementation_code(department.uscc, level, basic)
            if code and code != expected:
                errors.append(
                    source.error(
                        "code",
                        _("实施编码 %(code)s 与实施主体和基本编码不一致，应为 %(expected)s。")
                        % {"code": code, "expected": expected},
                    )
                )
            code = expected
        if code and code in seen:
            errors.append(
                source.error(
                    "code",
                    _("实施编码 %(code)s 与%(where)s重复。") % {"code": code, "where": _row_name(seen[code])},
                )
            )
        elif code:
            seen[code] = source
        # The basic catalog item: existing, or to be created from this row.
        if len(errors) == before and department is not None:
            level = department.division.level
            if basic not in existing_items:
                existing_items[basic] = (
                    CatalogItem.objects.filter(basic_code=basic).select_related("item_type").first()
                )
            item = existing_items[basic]
            if item is not None:
                if item.levels and level not in item.levels:
                    errors.append(
                        source.error(
                            "basic_code",
                            _("“%(item)s”不在%(level)s行使，%(dept)s不能认领。")
                            % {
                                "item": item.name,
                                "level": DivisionLevel(level).label,
                                "dept": department.name,
                            },
                        )
                    )
            else:
                name = str(doc.get("catalog_name") or doc.get("name") or "").strip()
                initiation = doc.get("initiation") or Initiation.ON_APPLICATION
                if not name:
                    errors.append(source.error("name", _("请填写事项名称。")))
                if initiation not in Initiation.values:
                    errors.append(source.error("initiation", _("行使方式应为依申请或依职权。")))
                spec = new_items.setdefault(
                    basic,
                    {
                        "basic_code": basic,
                        "name": name,
                        "item_type": item_type,
                        "initiation": initiation,
                        "legal_basis": str(doc.get("legal_basis") or ""),
                        "levels": set(),
                    },
                )
                spec["levels"].add(level)
        entry = Entry.objects.filter(code=code).first() if code and len(errors) == before else None
        if entry is not None:
            if entry.status == EntryStatus.CANCELLED:
                errors.append(source.error("code", _("事项 %(code)s 已取消，不能再导入。") % {"code": code}))
            elif entry.versions.filter(state=VersionState.SUBMITTED).exists():
                errors.append(
                    source.error(
                        "code", _("事项 %(code)s 有待审核的版本，请先审核或退回再导入。") % {"code": code}
                    )
                )
        guide = _guide_part(doc)
        errors.extend(_shape_errors(source, guide))
        try:
            guide_document.validate_document(guide)
        except ValidationError as exc:
            for path, messages in exc.message_dict.items():
                errors.extend(source.error(path, m) for m in messages)
        for i, m in enumerate(guide.get("materials") or []):
            if isinstance(m, dict):
                for k in ("blank_form", "sample_form"):
                    if m.get(k) and str(m[k]) not in known_files:
                        errors.append(
                            source.error(f"materials.{i}.{k}", _("引用的文件不存在：%(id)s。") % {"id": m[k]})
                        )
        if len(errors) == before and department is not None:
            plans.append(_Plan(source, department, basic, code, entry, guide))
        if tick is not None:
            tick(1)
        if len(errors) >= MAX_ERRORS:
            break
    return plans, new_items, errors[:MAX_ERRORS]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _shape_errors(source: Source, guide: dict[str, Any]) -> list[RowError]:
    """Lists that are not lists, rows that are not objects: reported, and left out of the document
    so that validating the rest cannot trip over them."""
    errors = []
    for key in ("situations", "materials", "fees", "faqs", "topics"):
        if key in guide and not isinstance(guide[key], list):
            errors.append(source.error(key, _("应为列表。")))
            guide.pop(key)
    for key in ("situations", "materials", "fees", "faqs"):
        bad = [i for i, row in enumerate(guide.get(key) or []) if not isinstance(row, dict)]
        for i in bad:
            errors.append(source.error(f"{key}.{i}", _("应为对象。")))
        if bad:
            guide[key] = [row for row in guide[key] if isinstance(row, dict)]
    for i, row in enumerate(guide.get("situations") or []):
        if not isinstance(row.get("form_schema") or {}, dict):
            errors.append(source.error(f"situations.{i}.form_schema", _("应为对象。")))
            row["form_schema"] = {}
    if not isinstance(guide.get("form_schema") or {}, dict):
        errors.append(source.error("form_schema", _("应为对象。")))
        guide.pop("form_schema")
    return errors


def _row_name(source: Source) -> str:
    unit = "项" if source.sheet == "JSON" else "行"
    return f"第{source.row}{unit}"


def import_sources(
    sources: list[Source],
    *,
    publish: bool = False,
    dry_run: bool = False,
    user=None,
    may_import: Callable[[Department], bool] | None = None,
    progress=None,
) -> ImportReport:
    """Validate all, then import all in one transaction (or nothing, raising ImportFailed)."""
    bar = progress(total=len(sources), desc=_("校验")) if progress else None
    try:
        plans, new_items, errors = _plan(sources, may_import, bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    if errors:
        raise ImportFailed(errors)
    report = ImportReport(entries=len(plans), dry_run=dry_run)
    bar = progress(total=len(plans), desc=_("导入")) if progress else None
    try:
        with transaction.atomic():
            items = {}
            for basic, spec in new_items.items():
                items[basic] = services.create_catalog_item(**{**spec, "levels": sorted(spec["levels"])})
                report.catalog_items_created += 1
            for plan in plans:
                _import_one(plan, items, publish, user, report)
                if bar is not None:
                    bar.update(1)
            if dry_run:
                transaction.set_rollback(True)
        if len(plans) >= 500 and not dry_run:
            search_index.analyze()
    except ValidationError as exc:  # a rule the checks above did not foresee: nothing is kept
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        current = getattr(exc, "_yiwang_source", None)
        raise ImportFailed(
            [
                current.error(path, m) if current else RowError("", None, path, m)
                for path, messages in fields.items()
                for m in messages
            ]
        ) from None
    finally:
        if bar is not None:
            bar.close()
    return report


def _import_one(
    plan: _Plan, items: dict[str, CatalogItem], publish: bool, user, report: ImportReport
) -> None:
    try:
        entry = plan.entry
        if entry is None:
            item = items.get(plan.basic_code) or CatalogItem.objects.get(basic_code=plan.basic_code)
            claim = Claim.objects.filter(department=plan.department, catalog_item=item).first()
            if claim is None:
                claim = services.claim_item(plan.department, item, user)
            entry = services.compile_entry(claim, user) if not hasattr(claim, "entry") else claim.entry
            report.created += 1
            version = services.current_draft(entry)
        else:
            report.updated += 1
            version = services.start_new_draft(entry, None)
        guide_document.apply_document(version, plan.guide)
        findings = services.record_audit(version)
        problems = rules.errors_of(findings)
        if publish and not problems:
            services.submit_version(version, None)
            services.publish_version(version, None)
            report.published += 1
        elif publish:
            report.unpublished.append((entry.code, [f"{f.element}: {f.message}" for f in problems]))
    except ValidationError as exc:
        exc._yiwang_source = plan.source  # type: ignore[attr-defined]
        raise


def import_file(path: Path | str, **kwargs) -> ImportReport:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed([RowError(str(path), None, "", exc.strerror or str(exc))]) from None
    return import_sources(read_file(data, path.name), **kwargs)

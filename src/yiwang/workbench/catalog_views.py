"""Catalog pages of the workbench: the item administrator's entry list, claiming and compiling,
the guide editor and the form builder; the reviewer's queue, review, publishing and status
changes; version history and diffs; the supervisor's guide-quality page.

Every change goes through `catalog.services`; object access through `catalog.access` (an entry
outside the user's scope answers 404). Illegal actions show the service's StateConflict message
with HTTP 409; invalid input re-renders what was typed with the errors (HTTP 400).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.catalog import access as catalog_access
from yiwang.catalog import form_presets, form_schema, guide_document, queries, rules, services, stats
from yiwang.catalog.models import (
    AuditFinding,
    CatalogItem,
    Claim,
    Entry,
    EntryStatus,
    EntryVersion,
    ItemType,
    VersionState,
)
from yiwang.catalog.services import StateConflict
from yiwang.core import uploads
from yiwang.core.models import Department, StoredFile
from yiwang.workbench import access as wb_access
from yiwang.workbench import catalog_display, schema_builder
from yiwang.workbench.access import forbidden, role_required
from yiwang.workbench.guide_editor import GuideEditor, entry_file_ids

PAGE_SIZE = 50
OPEN_STATES = (VersionState.DRAFT, VersionState.RETURNED, VersionState.SUBMITTED)


# --- Shared helpers ------------------------------------------------------------------------------


def _entry_or_404(request: HttpRequest, entry_id: int) -> Entry:
    """An entry the user may open; anything else (another department's, unknown) is 404."""
    qs = catalog_access.entries_for_staff(request.user).select_related(
        "department__division", "catalog_item__item_type", "published"
    )
    return get_object_or_404(qs, pk=entry_id)


def latest_version_ids():
    """Subquery: the newest version of every entry (versions are numbered in creation order)."""
    return EntryVersion.objects.values("entry_id").annotate(m=Max("pk")).values("m")


def _message_list(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


def _crumbs(*items) -> list[tuple[str, str | None]]:
    """Breadcrumb links after 工作台: (label, url); the last one (the page itself) has no url."""
    return [(str(label), url) for label, url in items]


def _list_crumb() -> tuple[str, str]:
    return (_("事项管理"), reverse("workbench:catalog-entries"))


def _entry_crumb(entry: Entry) -> tuple[str, str]:
    return (entry.name, reverse("workbench:catalog-entry", args=[entry.pk]))


def _conflict(request: HttpRequest, entry: Entry, message: str, allowed: list[str] | None = None):
    return render(
        request,
        "workbench/catalog/conflict.html",
        {
            "entry": entry,
            "message": message,
            "allowed": allowed or [],
            "crumbs": _crumbs(_list_crumb(), _entry_crumb(entry), (_("操作未能完成"), None)),
        },
        status=409,
    )


# --- 事项管理: the entry list ----------------------------------------------------------------------


@role_required(wb_access.sees_catalog)
def entry_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = catalog_access.entries_for_staff(user)
    latest = EntryVersion.objects.filter(entry=OuterRef("pk")).order_by("-number")
    qs = visible.annotate(
        latest_id=Subquery(latest.values("pk")[:1]),
        latest_number=Subquery(latest.values("number")[:1]),
        latest_state=Subquery(latest.values("state")[:1]),
    )
    q = request.GET.get("q", "").strip()[:60]
    status = request.GET.get("status", "")
    rule = request.GET.get("rule", "")
    severity = request.GET.get("severity", "")
    department = request.GET.get("department", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(plain_title__icontains=q))
    if status in EntryStatus.values:
        qs = qs.filter(status=status)
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    if rule or severity in ("error", "warning"):
        findings = AuditFinding.objects.filter(version_id__in=latest_version_ids())
        if rule:
            findings = findings.filter(rule=rule)
        if severity in ("error", "warning"):
            findings = findings.filter(severity=severity)
        qs = qs.filter(pk__in=findings.values("version__entry_id"))
    page = Paginator(qs.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"error": 0, "warning": 0})
    for row in (
        AuditFinding.objects.filter(version_id__in=[e.latest_id for e in page if e.latest_id])
        .values("version_id", "severity")
        .annotate(n=Count("id"))
    ):
        counts[row["version_id"]][row["severity"]] = row["n"]
    rows = []
    for e in page:
        open_draft = e.latest_number if e.latest_state in OPEN_STATES else None
        rows.append(
            {
                "entry": e,
                "published_number": e.published.number if e.published_id else None,
                "open_draft": open_draft,
                "open_state": VersionState(e.latest_state).label if open_draft else "",
                "errors": counts[e.latest_id]["error"],
                "warnings": counts[e.latest_id]["warning"],
                "can_compile": catalog_access.can_compile(user, e),
            }
        )
    department_ids = visible.values("department_id").distinct()
    departments = Department.objects.filter(pk__in=department_ids).order_by("division__code", "name")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/catalog/entry_list.html",
        {
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "q": q,
            "status": status,
            "statuses": EntryStatus.choices,
            "rule": rule,
            "rule_title": catalog_display.RULE_TITLES.get(rule, rule),
            "severity": severity,
            "department": department,
            "departments": departments if len(departments) > 1 else [],
            "is_item_admin": wb_access.is_item_admin(user),
            "crumbs": _crumbs((_("事项管理"), None)),
        },
    )


# --- 认领事项: claim and compile -------------------------------------------------------------------


@role_required(wb_access.is_item_admin)
def claim_items(request: HttpRequest) -> HttpResponse:
    department = request.user.staff.department
    if request.method == "POST":
        item = CatalogItem.objects.filter(pk=request.POST.get("item") or 0, is_active=True).first()
        if item is None:
            raise Http404
        try:
            services.claim_item(department, item, request.user)
        except ValidationError as exc:
            for message in _message_list(exc):
                messages.error(request, message)
        else:
            messages.success(
                request, _("已认领“%(name)s”。请在“已认领、待编制”中编制实施清单。") % {"name": item.name}
            )
        return redirect(reverse("workbench:catalog-claim") + "#pending")
    level = department.division.level
    q = request.GET.get("q", "").strip()[:60]
    item_type = request.GET.get("type", "")
    items = (
        CatalogItem.objects.filter(is_active=True)
        .exclude(claims__department=department)
        .select_related("item_type")
        .order_by("basic_code")
    )
    if q:
        items = items.filter(Q(name__icontains=q) | Q(basic_code__startswith=q))
    if item_type:
        items = items.filter(item_type__code=item_type)
    if connection.features.supports_json_field_contains:
        ids = list(items.filter(Q(levels=[]) | Q(levels__contains=[level])).values_list("pk", flat=True))
    else:  # SQLite: JSON "contains" is not available; compare the (small) level lists here
        ids = [pk for pk, levels in items.values_list("pk", "levels") if not levels or level in levels]
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    by_pk = {i.pk: i for i in CatalogItem.objects.filter(pk__in=page.object_list).select_related("item_type")}
    page_items = [by_pk[pk] for pk in page.object_list]
    pending = (
        Claim.objects.filter(department=department, entry__isnull=True)
        .select_related("catalog_item__item_type")
        .order_by("-claimed_at")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/catalog/claim.html",
        {
            "department": department,
            "page": page,
            "page_items": page_items,
            "q": q,
            "item_type": item_type,
            "item_types": ItemType.objects.all(),
            "pending": pending,
            "query": query.urlencode(),
            "crumbs": _crumbs(_list_crumb(), (_("认领事项"), None)),
        },
    )


@require_POST
@role_required(wb_access.is_item_admin)
def compile_claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = get_object_or_404(
        Claim.objects.select_related("department__division", "catalog_item"),
        pk=claim_id,
        department_id=request.user.staff.department_id,
    )
    try:
        entry = services.compile_entry(claim, request.user)
    except ValidationError as exc:
        for message in _message_list(exc):
            messages.error(request, message)
        return redirect("workbench:catalog-claim")
    services.record_audit(entry.versions.get(number=1))
    messages.success(request, _("已编制“%(name)s”的实施清单草稿 v1，请完善办事指南。") % {"name": entry.name})
    return redirect("workbench:catalog-edit", entry.pk)


# --- The entry and its versions ---------------------------------------------------------------------


def _entry_context(request: HttpRequest, entry: Entry) -> dict[str, Any]:
    user = request.user
    versions = list(
        entry.versions.select_related("created_by", "submitted_by", "reviewed_by").order_by("-number")
    )
    draft = next((v for v in versions if v.state in OPEN_STATES), None)
    can_review = catalog_access.can_review(user, entry)
    allowed_status = {
        EntryStatus.ACTIVE: [EntryStatus.SUSPENDED, EntryStatus.CANCELLED],
        EntryStatus.SUSPENDED: [EntryStatus.ACTIVE, EntryStatus.CANCELLED],
        EntryStatus.DRAFT: [EntryStatus.CANCELLED],
        EntryStatus.CANCELLED: [],
    }[entry.status]
    return {
        "entry": entry,
        "versions": versions,
        "draft": draft,
        "can_compile": catalog_access.can_compile(user, entry) and entry.status != EntryStatus.CANCELLED,
        "can_review": can_review,
        "status_choices": [(s, EntryStatus(s).label) for s in allowed_status] if can_review else [],
        "crumbs": _crumbs(_list_crumb(), (entry.name, None)),
    }


@role_required(wb_access.sees_catalog)
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id)
    return render(request, "workbench/catalog/entry_detail.html", _entry_context(request, entry))


@require_POST
@role_required(wb_access.sees_catalog)
def new_draft(request: HttpRequest, entry_id: int) -> HttpResponse:
    """编辑 a published guide: a new draft copied from the newest version (or the open one)."""
    entry = _entry_or_404(request, entry_id)
    if entry.status == EntryStatus.CANCELLED:
        return _conflict(request, entry, _("已取消的事项不能再编辑。"))
    try:
        draft = services.start_new_draft(entry, request.user)
    except PermissionDenied:
        return forbidden(request, _("只有本部门的事项管理员可以编辑办事指南。"))
    services.record_audit(draft)
    messages.success(request, _("已新建草稿 v%(n)s。") % {"n": draft.number})
    return redirect("workbench:catalog-edit", entry.pk)


@role_required(wb_access.sees_catalog)
def version_detail(request: HttpRequest, entry_id: int, number: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id)
    version = get_object_or_404(EntryVersion, entry=entry, number=number)
    version = queries.version_with_children(version.pk)
    doc = guide_document.version_to_document(version)
    findings = rules.audit(doc)
    previous = entry.versions.filter(number__lt=number).order_by("-number").first()
    return render(
        request,
        "workbench/catalog/version_detail.html",
        {
            "entry": entry,
            "version": version,
            "doc": doc,
            "sections": catalog_display.document_sections(doc),
            "materials": catalog_display.material_rows(doc),
            "findings": findings,
            "summary": catalog_display.findings_summary(findings),
            "previous": previous,
            "crumbs": _crumbs(_list_crumb(), _entry_crumb(entry), (f"v{version.number}", None)),
        },
    )


@role_required(wb_access.sees_catalog)
def version_diff(request: HttpRequest, entry_id: int, number: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id)
    new = get_object_or_404(EntryVersion, entry=entry, number=number)
    against = request.GET.get("against", "")
    if against.isdigit():
        old = get_object_or_404(EntryVersion, entry=entry, number=int(against))
    else:
        old = entry.versions.filter(number__lt=number).order_by("-number").first()
    changes = []
    if old is not None:
        changes = catalog_display.readable_diff(
            queries.diff_versions(
                queries.version_with_children(old.pk), queries.version_with_children(new.pk)
            )
        )
    return render(
        request,
        "workbench/catalog/version_diff.html",
        {
            "entry": entry,
            "old": old,
            "new": new,
            "changes": changes,
            "versions": entry.versions.exclude(pk=new.pk).order_by("-number"),
            "crumbs": _crumbs(
                _list_crumb(), _entry_crumb(entry), (_("v%(n)s 修改对比") % {"n": new.number}, None)
            ),
        },
    )


@role_required(wb_access.sees_catalog)
def entry_file(request: HttpRequest, entry_id: int, file_id) -> HttpResponse:
    """A blank or sample form of one of the entry's versions (or the user's own fresh upload)."""
    entry = _entry_or_404(request, entry_id)
    stored = get_object_or_404(StoredFile, pk=file_id)
    if str(stored.pk) not in entry_file_ids(entry.pk) and stored.uploaded_by_id != request.user.pk:
        raise Http404
    try:
        return uploads.file_response(stored)
    except FileNotFoundError:
        raise Http404 from None


# --- The guide editor --------------------------------------------------------------------------------


def _editable_draft(request: HttpRequest, entry: Entry) -> EntryVersion | None:
    draft = services.current_draft(entry)
    return queries.version_with_children(draft.pk) if draft is not None else None


@role_required(wb_access.sees_catalog)
def guide_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id)
    user = request.user
    if not catalog_access.can_compile(user, entry):
        return forbidden(request, _("只有本部门的事项管理员可以编制办事指南。"))
    version = _editable_draft(request, entry)
    if version is None:
        messages.info(request, _("现行版本已发布，没有正在编制的草稿。需要修改时请点击“编辑”新建草稿。"))
        return redirect("workbench:catalog-entry", entry.pk)
    if request.method != "POST" and version.state == VersionState.SUBMITTED:
        messages.info(request, _("v%(n)s 已提交审核，审核退回后才能继续修改。") % {"n": version.number})
        return redirect("workbench:catalog-entry", entry.pk)
    status = 200
    conflict = None
    if request.method == "POST":
        data = request.POST.copy()
        op = data.get("op", "save")
        if op.startswith("add:"):
            GuideEditor.add_row(data, op[4:])
        editor = GuideEditor(version, data=data, user=user)
        editor.store_uploads(request.FILES)
        valid = editor.is_valid()
        if op in ("save", "submit"):
            if not valid:
                status = 400
            else:
                try:
                    found = services.save_draft(version, editor.document(), user)
                except ValidationError as exc:
                    editor.apply_errors(exc.message_dict)
                    status = 400
                except StateConflict as exc:
                    conflict, status = exc.message, 409
                except PermissionDenied:
                    return forbidden(request)
                else:
                    return _after_save(request, entry, version, found, submit=op == "submit")
    else:
        editor = GuideEditor(version, user=user)
    findings = rules.audit(editor.doc)
    context = {
        "entry": entry,
        "version": version,
        "editor": editor,
        "conflict": conflict,
        "error_count": editor.error_count() if status == 400 else 0,
        "returned_comment": version.review_comment if version.state == VersionState.RETURNED else "",
        "crumbs": _crumbs(_list_crumb(), _entry_crumb(entry), (_("编制指南"), None)),
        **editor.view(findings),
    }
    return render(request, "workbench/catalog/guide_edit.html", context, status=status)


def _after_save(request, entry, version, found, *, submit: bool) -> HttpResponse:
    counts = catalog_display.findings_summary(found)
    if not submit:
        messages.success(
            request,
            _("已保存草稿。指南检查发现 %(e)s 个错误、%(w)s 个提醒。")
            % {"e": counts["errors"], "w": counts["warnings"]},
        )
        return redirect("workbench:catalog-edit", entry.pk)
    try:
        services.submit_version(version, request.user)
    except ValidationError as exc:
        messages.error(
            request,
            _("已保存草稿，但未能提交审核：还有 %(n)s 个错误必须先修改（见下方标红的要素）。")
            % {"n": len(_message_list(exc))},
        )
        return redirect("workbench:catalog-edit", entry.pk)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("workbench:catalog-edit", entry.pk)
    messages.success(request, _("v%(n)s 已提交审核。") % {"n": version.number})
    return redirect("workbench:catalog-entry", entry.pk)


# --- The form builder ----------------------------------------------------------------------------------


def _builder_target(request: HttpRequest, entry_id: int, seq: int | None):
    entry = _entry_or_404(request, entry_id)
    if not catalog_access.can_compile(request.user, entry):
        raise PermissionDenied
    draft = services.current_draft(entry)
    if draft is None:
        return entry, None, None
    version = queries.version_with_children(draft.pk)
    situation = None
    if seq is not None:
        situation = next((s for s in version.situations.all() if s.seq == seq), None)
        if situation is None:
            raise Http404
    return entry, version, situation


def _reserved_keys(version, situation) -> set[str]:
    """Keys a new field of this form must not take: an application combines the item's form with
    its situation's, and a situation field named like an item field is left out."""
    if situation is not None:
        schemas = [version.form_schema]
    else:
        schemas = [s.form_schema for s in version.situations.all()]
    return {
        str(f.get("name"))
        for schema in schemas
        if isinstance(schema, dict) and isinstance(schema.get("fields"), list)
        for f in schema["fields"]
        if isinstance(f, dict) and f.get("name")
    }


def _platform_note(row: dict[str, Any]) -> str:
    """Why the application will not ask this field (it repeats a question the platform asks in its
    own steps), or ""."""
    # form_schema's reading of a field's label (the guide audit flags the same fields)
    step = form_schema.duplicates_platform_step({"label": row["label"], "type": row["type"]})
    if step is None:
        return ""
    return _("平台在申请时已单独询问%(step)s，此字段不会向申请人显示。") % {
        "step": form_schema.PLATFORM_STEPS[step]
    }


def _decorate_row(row: dict[str, Any], p: str, i: int, siblings: list[tuple[str, str]]) -> None:
    row["p"], row["index"], row["number"] = p, i, i + 1
    row["unknown_type"] = row["type"] not in form_schema.FIELD_TYPES
    row["type_label"] = form_schema.FIELD_TYPES.get(row["type"], row["type"])
    row["groups"] = {group: row["type"] in types for group, types in schema_builder.GROUP_TYPES.items()}
    row["show_if_choices"] = [(n, lbl) for n, lbl in siblings if n != row["name"]]
    if row["show_if_field"] and row["show_if_field"] not in {n for n, _l in row["show_if_choices"]}:
        row["show_if_choices"].append((row["show_if_field"], _("（不存在的字段）")))


def _decorate_rows(rows: list[dict[str, Any]], focus: tuple[int, str] | None = None) -> list[dict[str, Any]]:
    """Input names, numbers, type groups, show-if choices and where the focus goes (after an
    operation) for the builder template."""
    names = [(r["name"], f"{i + 1}. {r['label'] or r['name']}") for i, r in enumerate(rows) if r["name"]]
    for i, row in enumerate(rows):
        _decorate_row(row, f"fields-{i}", i, names)
        row["platform_note"] = _platform_note(row)
        row["focus"] = focus[1] if focus and focus[0] == i else ""
        columns = row.get("columns", [])
        col_names = [
            (c["name"], f"{j + 1}. {c['label'] or c['name']}") for j, c in enumerate(columns) if c["name"]
        ]
        for j, col in enumerate(columns):
            _decorate_row(col, f"fields-{i}-columns-{j}", j, col_names)
            col["focus"] = ""
            if row["focus"].startswith(f"col:{j}:"):
                col["focus"] = row["focus"].rsplit(":", 1)[1]
    return rows


def _builder_context(rows, schema, problems, focus=None) -> dict[str, Any]:
    return {
        "rows": _decorate_rows(rows, focus),
        "schema": form_schema.application_schema(schema),  # the preview: as the applicant sees it
        "problems": problems,
        "row_errors": any(r["errors"] or any(c["errors"] for c in r.get("columns", [])) for r in rows),
        "type_choices": schema_builder.type_choices(),
        "column_type_choices": schema_builder.type_choices(column=True),
        "prefill_choices": [(k, str(v)) for k, v in schema_builder.PREFILL_LABELS.items()],
        "pattern_choices": schema_builder.pattern_choices(),
        "ready_fields": form_presets.READY_FIELDS,
        "blank_fields": form_presets.BLANK_FIELDS,
        "list_focus": bool(focus and focus[1] == "list"),
    }


@role_required(wb_access.sees_catalog)
def form_builder(request: HttpRequest, entry_id: int, seq: int | None = None) -> HttpResponse:
    """The form builder: ready fields and blank fields by type added with one click, each field's
    properties folded until opened, the applicant's view beside it. Every operation is a post of
    the whole form (so it works without JavaScript); with htmx the page swaps it in place."""
    try:
        entry, version, situation = _builder_target(request, entry_id, seq)
    except PermissionDenied:
        return forbidden(request, _("只有本部门的事项管理员可以设计申请表单。"))
    if version is None or not version.is_editable:
        messages.info(request, _("没有可修改的草稿：请先新建草稿，或等待审核结果。"))
        return redirect("workbench:catalog-entry", entry.pk)
    current = (situation.form_schema if situation else version.form_schema) or {}
    status, conflict, focus, failed = 200, None, None, False
    if request.method == "POST":
        reserved = _reserved_keys(version, situation)
        rows = schema_builder.rows_from_post(request.POST)
        op = str(request.POST.get("op", "save"))
        if op not in ("save", "preview"):
            focus = schema_builder.apply_op(rows, op, reserved)
        schema_builder.assign_keys(rows, reserved)
        schema, bad_rows = schema_builder.schema_from_rows(rows, strict=op == "save")
        problems = form_schema.schema_errors(schema)
        if op == "save":
            if bad_rows or problems:
                status, failed = 400, True
            else:
                if situation is None:
                    doc = {"form_schema": schema}
                else:
                    full = guide_document.version_to_document(version)
                    for s in full["situations"]:
                        if s["seq"] == situation.seq:
                            s["form_schema"] = schema
                    doc = {"situations": full["situations"], "materials": full["materials"]}
                try:
                    services.save_draft(version, doc, request.user)
                except ValidationError as exc:
                    problems, status, failed = _message_list(exc), 400, True
                except StateConflict as exc:
                    conflict, status = exc.message, 409
                else:
                    messages.success(request, _("申请表单已保存（%(n)s 个字段）。") % {"n": len(rows)})
                    return redirect(request.path)
    else:
        rows = schema_builder.rows_from_schema(current)
        schema = current
        problems = form_schema.schema_errors(current)
    preview_url = reverse("workbench:catalog-form-preview", args=[entry.pk])
    return render(
        request,
        "workbench/catalog/form_builder.html",
        {
            "entry": entry,
            "version": version,
            "situation": situation,
            "situations": list(version.situations.all()),
            "conflict": conflict,
            "failed": failed,
            "preview_url": preview_url,
            "crumbs": _crumbs(
                _list_crumb(),
                _entry_crumb(entry),
                (_("编制指南"), reverse("workbench:catalog-edit", args=[entry.pk])),
                (_("申请表单"), None),
            ),
            **_builder_context(rows, schema, problems, focus),
        },
        status=status,
    )


@require_POST
@role_required(wb_access.sees_catalog)
def form_preview(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The live preview (htmx): the posted builder rows rendered as the applicant will see them."""
    try:
        _builder_target(request, entry_id, None)
    except PermissionDenied:
        return forbidden(request)
    rows = schema_builder.rows_from_post(request.POST)
    schema_builder.assign_keys(rows)
    schema, _bad = schema_builder.schema_from_rows(rows)
    return render(
        request,
        "workbench/catalog/_schema_preview.html",
        # As the applicant sees it: without the fields the platform's own steps ask.
        {"schema": form_schema.application_schema(schema), "problems": form_schema.schema_errors(schema)},
    )


# --- Review: queue, publish, return, status -----------------------------------------------------------


@role_required(wb_access.is_guide_reviewer)
def review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    versions = (
        EntryVersion.objects.filter(
            state=VersionState.SUBMITTED, entry__in=catalog_access.entries_for_staff(user)
        )
        .select_related("entry__department", "submitted_by")
        .order_by("submitted_at")
    )
    rows = [v for v in versions if catalog_access.can_review(user, v.entry)]
    return render(
        request,
        "workbench/catalog/review_queue.html",
        {"versions": rows, "crumbs": _crumbs((_("待审核"), None))},
    )


@role_required(wb_access.sees_catalog)
def review(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id)
    user = request.user
    if not catalog_access.can_review(user, entry):
        return forbidden(request, _("只有本部门的审查人、审批人可以审核办事指南。"))
    submitted = entry.versions.filter(state=VersionState.SUBMITTED).order_by("-number").first()
    if submitted is None:
        messages.info(request, _("该事项没有待审核的版本。"))
        return redirect("workbench:catalog-entry", entry.pk)
    status, conflict, comment_error, blocking = 200, None, None, []
    comment = ""
    if request.method == "POST":
        action = request.POST.get("action")
        comment = request.POST.get("comment", "").strip()[:2000]
        try:
            if action == "publish":
                services.publish_version(submitted, user, comment)
                messages.success(
                    request, _("v%(n)s 已发布，群众现在看到的是新版本。") % {"n": submitted.number}
                )
                return redirect("workbench:catalog-reviews")
            if action == "return":
                services.return_version(submitted, user, comment)
                messages.success(request, _("v%(n)s 已退回事项管理员修改。") % {"n": submitted.number})
                return redirect("workbench:catalog-reviews")
            status = 400
            comment_error = _("请选择“发布”或“退回”。")
        except StateConflict as exc:
            conflict, status = exc.message, 409
        except PermissionDenied:
            return forbidden(request)
        except ValidationError as exc:
            status = 400
            if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
                comment_error = "；".join(exc.message_dict["comment"])
            else:
                blocking = _message_list(exc)
        submitted.refresh_from_db()
    version = queries.version_with_children(submitted.pk)
    doc = guide_document.version_to_document(version)
    findings = rules.audit(doc)
    changes = []
    if entry.published_id and entry.published_id != version.pk:
        changes = catalog_display.readable_diff(
            queries.diff_versions(queries.version_with_children(entry.published_id), version)
        )
    return render(
        request,
        "workbench/catalog/review.html",
        {
            "entry": entry,
            "version": version,
            "doc": doc,
            "sections": catalog_display.document_sections(doc),
            "materials": catalog_display.material_rows(doc),
            "findings": findings,
            "summary": catalog_display.findings_summary(findings),
            "changes": changes,
            "conflict": conflict,
            "comment": comment,
            "comment_error": comment_error,
            "blocking": blocking,
            "own_submission": version.submitted_by_id == user.pk,
            "crumbs": _crumbs((_("待审核"), reverse("workbench:catalog-reviews")), (entry.name, None)),
        },
        status=status,
    )


@require_POST
@role_required(wb_access.sees_catalog)
def entry_status(request: HttpRequest, entry_id: int) -> HttpResponse:
    """暂停 / 恢复 / 取消 an entry, with a reason."""
    entry = _entry_or_404(request, entry_id)
    target = request.POST.get("status", "")
    reason = request.POST.get("reason", "").strip()[:200]
    status, error, conflict = 200, None, None
    try:
        services.set_entry_status(entry, request.user, target, reason)
    except PermissionDenied:
        return forbidden(request, _("只有本部门的审查人、审批人可以暂停、恢复或取消事项。"))
    except StateConflict as exc:
        conflict, status = exc.message, 409
    except ValidationError as exc:
        error, status = "；".join(_message_list(exc)), 400
    else:
        entry.refresh_from_db()
        messages.success(request, _("事项状态已改为“%(s)s”。") % {"s": entry.get_status_display()})
        return redirect("workbench:catalog-entry", entry.pk)
    context = _entry_context(request, entry)
    context.update(status_error=error, status_conflict=conflict, status_target=target, status_reason=reason)
    return render(request, "workbench/catalog/entry_detail.html", context, status=status)


# --- 指南质量: the supervisor's page ------------------------------------------------------------------


@role_required(wb_access.is_supervisor)
def quality(request: HttpRequest) -> HttpResponse:
    user = request.user
    severity = request.GET.get("severity", "")
    if severity not in ("error", "warning"):
        severity = ""
    visible = catalog_access.entries_for_staff(user)
    entry_counts = dict(
        visible.order_by().values("department_id").annotate(n=Count("id")).values_list("department_id", "n")
    )
    # Findings carry their department, so the scope is a department filter (no joins), and only
    # each entry's latest version counts. Two scans: per department and rule, and per department.
    findings = AuditFinding.objects.filter(
        department_id__in=list(entry_counts),
        version_id__in=latest_version_ids().filter(entry__department_id__in=list(entry_counts)),
    )
    if severity:
        findings = findings.filter(severity=severity)
    severity_of = {r.code: r.severity for r in rules.RULES}
    per_department: dict[int, Counter] = defaultdict(Counter)
    per_rule: dict[str, Counter] = defaultdict(Counter)
    for row in findings.values("department_id", "rule").annotate(
        n=Count("id"), versions=Count("version_id", distinct=True)
    ):
        kind = "errors" if severity_of.get(row["rule"], rules.ERROR) == rules.ERROR else "warnings"
        per_department[row["department_id"]][kind] += row["n"]
        per_department[row["department_id"]]["findings"] += row["n"]
        per_rule[row["rule"]]["findings"] += row["n"]
        per_rule[row["rule"]]["entries"] += row["versions"]  # a version belongs to one department
    for row in findings.values("department_id").annotate(versions=Count("version_id", distinct=True)):
        per_department[row["department_id"]]["with_findings"] = row["versions"]
    departments = Department.objects.filter(pk__in=entry_counts).select_related("division")
    department_rows = sorted(
        (
            {
                "department": d,
                "entries": entry_counts.get(d.pk, 0),
                "with_findings": per_department[d.pk]["with_findings"],
                "errors": per_department[d.pk]["errors"],
                "warnings": per_department[d.pk]["warnings"],
                "findings": per_department[d.pk]["findings"],
            }
            for d in departments
        ),
        key=lambda r: (-r["findings"], r["department"].division.code, r["department"].name),
    )
    rule_rows = sorted(
        (
            {
                "code": r.code,
                "title": r.title,
                "severity": r.severity,
                "findings": per_rule[r.code]["findings"],
                "entries": per_rule[r.code]["entries"],
            }
            for r in rules.RULES
            if not severity or r.severity == severity
        ),
        key=lambda r: (-r["findings"], r["code"]),
    )
    totals = {
        "entries": sum(entry_counts.values()),
        "with_findings": sum(r["with_findings"] for r in department_rows),
        "findings": sum(r["findings"] for r in department_rows),
        "errors": sum(r["errors"] for r in department_rows),
        "warnings": sum(r["warnings"] for r in department_rows),
    }
    return render(
        request,
        "workbench/catalog/quality.html",
        {
            "severity": severity,
            "department_rows": department_rows,
            "rule_rows": rule_rows,
            "totals": totals,
            "crumbs": _crumbs((_("指南质量"), None)),
        },
    )


# --- 事项统计: claimed, compiled and published entries; time limits; online depth -------------------


@role_required(wb_access.is_supervisor)
def catalog_statistics(request: HttpRequest) -> HttpResponse:
    """The catalog figures of the supervisor's division tree (the same as /api/v1/stats/catalog)."""
    figures = stats.catalog_stats(request.user.staff.division)
    return render(
        request,
        "workbench/catalog/statistics.html",
        {
            "stats": figures,
            "report_lines": stats.report_lines(figures),
            "crumbs": _crumbs((_("事项统计"), None)),
        },
    )

"""The form builder (表单设计) of a draft guide, for the whole entry or one situation, and its preview:
rows edited as a table, checked by `catalog.form_schema`, saved through `catalog.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.catalog import access as catalog_access
from yiwang.catalog import form_presets, form_schema, guide_document, queries, services
from yiwang.catalog.services import StateConflict
from yiwang.workbench import access as wb_access
from yiwang.workbench import schema_builder
from yiwang.workbench.access import forbidden, role_required
from yiwang.workbench.catalog_common import crumbs, entry_crumb, entry_or_404, list_crumb, message_list

# --- The form builder ----------------------------------------------------------------------------------


def _builder_target(request: HttpRequest, entry_id: int, seq: int | None):
    entry = entry_or_404(request, entry_id)
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
    # A condition on a choice field is offered that field's options (its value must be one).
    options = {
        r["name"]: schema_builder.option_lines(r["options"])
        for r in rows
        if r["name"] and r["type"] in ("choice", "multichoice")
    }
    for i, row in enumerate(rows):
        _decorate_row(row, f"fields-{i}", i, names)
        row["show_if_options"] = options.get(row["show_if_field"], [])
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
                    problems, status, failed = message_list(exc), 400, True
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
            "crumbs": crumbs(
                list_crumb(),
                entry_crumb(entry),
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

"""Catalog pages of the workbench: the item administrator's entry list, claiming and compiling,
the guide editor; the reviewer's queue, review, publishing and status changes; version history
and diffs. The form builder is in `form_builder_views`, the supervisor's pages in
`catalog_quality_views`, what they share in `catalog_common`.

Every change goes through `catalog.services`; object access through `catalog.access` (an entry
outside the user's scope answers 404). Illegal actions show the service's StateConflict message
with HTTP 409; invalid input re-renders what was typed with the errors (HTTP 400).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.catalog import access as catalog_access
from yiwang.catalog import guide_document, queries, rules, services
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
from yiwang.workbench import catalog_display
from yiwang.workbench.access import forbidden, role_required
from yiwang.workbench.catalog_common import (
    conflict,
    crumbs,
    entry_crumb,
    entry_or_404,
    latest_version_ids,
    list_crumb,
    message_list,
)
from yiwang.workbench.guide_editor import GuideEditor, entry_file_ids

PAGE_SIZE = 50
OPEN_STATES = (VersionState.DRAFT, VersionState.RETURNED, VersionState.SUBMITTED)


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
            "crumbs": crumbs((_("事项管理"), None)),
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
            for message in message_list(exc):
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
            "crumbs": crumbs(list_crumb(), (_("认领事项"), None)),
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
        for message in message_list(exc):
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
        "crumbs": crumbs(list_crumb(), (entry.name, None)),
    }


@role_required(wb_access.sees_catalog)
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_or_404(request, entry_id)
    return render(request, "workbench/catalog/entry_detail.html", _entry_context(request, entry))


@require_POST
@role_required(wb_access.sees_catalog)
def new_draft(request: HttpRequest, entry_id: int) -> HttpResponse:
    """编辑 a published guide: a new draft copied from the newest version (or the open one)."""
    entry = entry_or_404(request, entry_id)
    if entry.status == EntryStatus.CANCELLED:
        return conflict(request, entry, _("已取消的事项不能再编辑。"))
    try:
        draft = services.start_new_draft(entry, request.user)
    except PermissionDenied:
        return forbidden(request, _("只有本部门的事项管理员可以编辑办事指南。"))
    services.record_audit(draft)
    messages.success(request, _("已新建草稿 v%(n)s。") % {"n": draft.number})
    return redirect("workbench:catalog-edit", entry.pk)


@role_required(wb_access.sees_catalog)
def version_detail(request: HttpRequest, entry_id: int, number: int) -> HttpResponse:
    entry = entry_or_404(request, entry_id)
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
            "crumbs": crumbs(list_crumb(), entry_crumb(entry), (f"v{version.number}", None)),
        },
    )


@role_required(wb_access.sees_catalog)
def version_diff(request: HttpRequest, entry_id: int, number: int) -> HttpResponse:
    entry = entry_or_404(request, entry_id)
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
            "crumbs": crumbs(
                list_crumb(), entry_crumb(entry), (_("v%(n)s 修改对比") % {"n": new.number}, None)
            ),
        },
    )


@role_required(wb_access.sees_catalog)
def entry_file(request: HttpRequest, entry_id: int, file_id) -> HttpResponse:
    """A blank or sample form of one of the entry's versions (or the user's own fresh upload)."""
    entry = entry_or_404(request, entry_id)
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
    entry = entry_or_404(request, entry_id)
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
        "crumbs": crumbs(list_crumb(), entry_crumb(entry), (_("编制指南"), None)),
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
            % {"n": len(message_list(exc))},
        )
        return redirect("workbench:catalog-edit", entry.pk)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("workbench:catalog-edit", entry.pk)
    messages.success(request, _("v%(n)s 已提交审核。") % {"n": version.number})
    return redirect("workbench:catalog-entry", entry.pk)


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
        {"versions": rows, "crumbs": crumbs((_("待审核"), None))},
    )


@role_required(wb_access.sees_catalog)
def review(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_or_404(request, entry_id)
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
                blocking = message_list(exc)
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
            "crumbs": crumbs((_("待审核"), reverse("workbench:catalog-reviews")), (entry.name, None)),
        },
        status=status,
    )


@require_POST
@role_required(wb_access.sees_catalog)
def entry_status(request: HttpRequest, entry_id: int) -> HttpResponse:
    """暂停 / 恢复 / 取消 an entry, with a reason."""
    entry = entry_or_404(request, entry_id)
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
        error, status = "；".join(message_list(exc)), 400
    else:
        entry.refresh_from_db()
        messages.success(request, _("事项状态已改为“%(s)s”。") % {"s": entry.get_status_display()})
        return redirect("workbench:catalog-entry", entry.pk)
    context = _entry_context(request, entry)
    context.update(status_error=error, status_conflict=conflict, status_target=target, status_reason=reason)
    return render(request, "workbench/catalog/entry_detail.html", context, status=status)

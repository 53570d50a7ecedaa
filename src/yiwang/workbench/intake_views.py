"""Window intake (一窗受理) in the workbench: find the entry, identify the applicant, fill in the
form, upload scans, submit and accept in one sitting, print the receipt.

Reads and object checks as on the case pages (`case_views`); every change through the cases
services; bad input re-renders with each error next to its field (HTTP 400), never a 500.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from yiwang.cases import access, clock, drafts, queries, services
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.models import Case, DeliveryMethod
from yiwang.catalog import queries as catalog_queries
from yiwang.catalog.models import Entry, EntryStatus
from yiwang.core import uploads
from yiwang.workbench import case_display as display
from yiwang.workbench import intake_forms, rating_views
from yiwang.workbench.access import role_required
from yiwang.workbench.case_views import (
    FORM_PREFIX,
    attach_files,
    case_or_404,
    crumbs,
    is_window_clerk,
    message_list,
    queue_crumb,
)
from yiwang.workbench.schema_forms import bind_schema, data_from_post

# --- Window intake (一窗受理) ------------------------------------------------------------------


def _intake_entries(request: HttpRequest, q: str, scope: str) -> list[Entry]:
    """Published, active entries the hall takes in: its own level by default (本级), every
    published entry with scope=all (就近办 / 通办)."""
    staff = request.user.staff
    qs, ranked = catalog_queries.find_items(catalog_queries.ItemFilters(q=""))
    qs = qs.filter(status=EntryStatus.ACTIVE)
    if scope != "all":
        qs = qs.filter(department__division_id=staff.division_id)
    q = q.strip()
    if q and q.replace(" ", "").isalnum() and any(c.isdigit() for c in q) and len(q) >= 6:
        return list(qs.filter(code__startswith=q.upper()).order_by("code")[:20])
    if q:
        ranked = catalog_queries.search.ranked_ids(q, qs)
        by_id = {e.pk: e for e in qs.filter(pk__in=ranked[:200])}
        return [by_id[i] for i in ranked if i in by_id][:20]
    return list(qs.order_by("department__name", "code")[:20])


@role_required(is_window_clerk)
def intake_start(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:60]
    scope = "all" if request.GET.get("scope") == "all" else "mine"
    code = (request.POST.get("entry") or request.GET.get("entry") or "").strip()[:31]
    entry = None
    if code:
        entry = (
            catalog_queries.published_entries()
            .filter(code=code, status=EntryStatus.ACTIVE)
            .select_related("department", "published")
            .first()
        )
        if entry is None:
            messages.error(request, _("未找到该事项，或该事项当前未发布、已暂停办理。"))
    form = intake_forms.ApplicantForm(entry, request.POST or None) if entry is not None else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            person = data["kind"] == "person"
            try:
                case = drafts.start_window_intake(
                    request.user,
                    entry,
                    situation_id=data.get("situation"),
                    id_number=data.get("id_number", "") if person else "",
                    uscc="" if person else data.get("uscc", ""),
                    name=data.get("name", ""),
                    phone=data.get("phone", ""),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except NotYourAction as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("workbench:intake-case", key=case.draft_key)
        status = 400
    entries = _intake_entries(request, q, scope) if entry is None else []
    return render(
        request,
        "workbench/cases/intake_start.html",
        {
            "q": q,
            "scope": scope,
            "entries": entries,
            "entry": entry,
            "form": form,
            "crumbs": crumbs(queue_crumb(), (_("窗口收件"), None)),
        },
        status=status,
    )


def _draft_or_redirect(request: HttpRequest, key: UUID) -> Case | HttpResponse:
    case = access.window_draft(request.user, key)
    if case is not None:
        return case
    submitted = access.visible_cases(request.user).filter(draft_key=key).first()
    if submitted is not None and submitted.number:  # a repeated submit: show the result
        return redirect("workbench:intake-done", number=submitted.number)
    raise Http404


def _intake_problems(case, data, errors, delivery_form, rows) -> list[tuple[str, str]]:
    """Every problem of the intake page named and linked to its control: (text, "#id")."""
    bound = bind_schema(
        drafts.case_schema(case), data, {}, prefix=FORM_PREFIX, apply_visibility=False, divisions=[]
    )
    targets = {
        f.name: (f.label, f"{f.id}-wrap" if f.widget in ("radios", "checkboxes", "table") else f.id)
        for f in bound
    }
    targets["commitment"] = (_("申请人承诺内容（告知承诺制）"), "commitment")
    targets["commitment_date"] = (_("容缺材料承诺补齐日期"), "commitment_date")
    names = {r.material_id: r.name for r in rows}
    out: list[tuple[str, str]] = []
    for key, msgs in errors.items():
        if key == "__all__":
            continue  # shown as they are, above the list
        if key.startswith("material."):
            part = key.split(".", 1)[1]
            name = names.get(int(part), "") if part.isdigit() else ""
            for m in msgs:
                out.append((f"{name}：{m}" if name and name not in str(m) else str(m), f"#file-{part}"))
            continue
        label, anchor = targets.get(key) or targets.get(key.split(".", 1)[0]) or ("", "")
        for m in msgs:
            out.append((f"{label}：{m}" if label else str(m), f"#{anchor}" if anchor else ""))
    if delivery_form is not None:
        for name, msgs in delivery_form.errors.items():
            field = delivery_form[name] if name in delivery_form.fields else None
            anchor = ""
            if field is not None:
                anchor = field.auto_id + ("_0" if name == "method" else "")
            for m in msgs:
                text = f"{field.label}：{m}" if field is not None else str(m)
                out.append((text, f"#{anchor}" if anchor else ""))
    return out


def _intake_page(request, case, *, data=None, errors=None, delivery_form=None, extra=None, status=200):
    rows, extras = display.material_rows(case, intake=True)
    errors = errors or {}
    items = {i.material.pk: i for i in drafts.checklist(case)}
    for row in rows:
        row.errors = errors.get(f"material.{row.material_id}", [])
        item = items.get(row.material_id)
        row.tolerable = bool(item and item.tolerable)
        row.blocking = bool(item and item.blocking)
    version = case.version
    tolerable_missing = [
        i.material.name
        for i in items.values()
        if i.tolerable and not i.provided and i.necessity == "required"
    ]
    return render(
        request,
        "workbench/cases/intake_case.html",
        {
            "case": case,
            "parties": display.applicant_of(case, full=True),
            "schema": drafts.case_schema(case),
            "data": data if data is not None else case.form_data,
            "errors": errors,
            "form_errors": [m for k, ms in errors.items() if k == "__all__" for m in ms],
            "problems": _intake_problems(
                case, data if data is not None else case.form_data, errors, delivery_form, rows
            )
            if errors or (delivery_form is not None and delivery_form.errors)
            else [],
            "material_rows": rows,
            "extras": extras,
            "delivery_form": delivery_form
            or intake_forms.DeliveryChoiceForm(case, initial=_delivery_initial(case)),
            "contact_phone": (extra or {}).get("contact_phone", case.contact_phone),
            "commitment": (extra or {}).get("commitment", ""),
            "commitment_date": (extra or {}).get("commitment_date", ""),
            "instant": version.case_kind == "instant",
            "notification_commitment": version.notification_commitment,
            "tolerance": version.tolerance_acceptance,
            "tolerable_missing": tolerable_missing,
            "error_count": sum(len(v) for v in errors.values())
            + (len(delivery_form.errors) if delivery_form else 0),
            "crumbs": crumbs(queue_crumb(), (_("窗口收件"), reverse("workbench:intake")), (case.title, None)),
        },
        status=status,
    )


def _delivery_initial(case: Case) -> dict[str, str]:
    delivery = getattr(case, "delivery", None)
    if delivery is None:
        return {"method": DeliveryMethod.PICKUP}
    return {
        "method": delivery.method,
        "recipient": delivery.recipient,
        "phone": delivery.phone,
        "address": delivery.address,
    }


SUBMIT_CHOICES = {"submit", "submit_accept", "submit_decide", "submit_commitment"}


@role_required(is_window_clerk)
def intake_case(request: HttpRequest, key: UUID) -> HttpResponse:
    """Fill the form, upload the scans, choose delivery; submit and accept (or decide) at once."""
    found = _draft_or_redirect(request, key)
    if isinstance(found, HttpResponse):
        return found
    case = found
    if request.method != "POST":
        return _intake_page(request, case)
    post = request.POST
    do = post.get("do") or "save"
    schema = drafts.case_schema(case)
    data = {**case.form_data, **data_from_post(schema, post, prefix=FORM_PREFIX)}
    extra = {
        "contact_phone": (post.get("contact_phone") or "").strip()[:20],
        "commitment": (post.get("commitment") or "").strip(),
        "commitment_date": (post.get("commitment_date") or "").strip()[:10],
    }
    errors: dict[str, list[str]] = {}
    delivery_form = intake_forms.DeliveryChoiceForm(case, post)
    try:
        errors.update(attach_files(request, case, [m.pk for m in drafts.required_materials(case)]))
        try:
            drafts.save_form(request.user, case, data, contact_phone=extra["contact_phone"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if delivery_form.is_valid():
            d = delivery_form.cleaned_data
            try:
                drafts.set_delivery(
                    request.user,
                    case,
                    d["method"],
                    recipient=d.get("recipient", ""),
                    phone=d.get("phone", ""),
                    address=d.get("address", ""),
                )
            except ValidationError as exc:
                delivery_form.add_service_errors(exc)
    except (CaseConflict, NotYourAction) as exc:
        messages.error(request, exc.message)
        return redirect("workbench:intake-case", key=key)
    if do in SUBMIT_CHOICES:
        missing_pending = [
            i for i in drafts.checklist(case) if i.tolerable and not i.provided and i.necessity == "required"
        ]
        if do == "submit_commitment" and not extra["commitment"]:
            errors["commitment"] = [_("告知承诺审批须填写申请人的承诺内容。")]
        if do == "submit_accept" and missing_pending and not extra["commitment_date"]:
            errors["commitment_date"] = [_("有材料容缺，请填写申请人承诺补齐的日期。")]
    if errors or delivery_form.errors:
        return _intake_page(
            request, case, data=data, errors=errors, delivery_form=delivery_form, extra=extra, status=400
        )
    if do not in SUBMIT_CHOICES:
        messages.success(request, _("已保存。"))
        return redirect("workbench:intake-case", key=key)
    try:
        drafts.submit(request.user, case)
    except ValidationError as exc:
        return _intake_page(
            request,
            case,
            data=data,
            errors=exc.message_dict,
            delivery_form=delivery_form,
            extra=extra,
            status=400,
        )
    except (CaseConflict, NotYourAction) as exc:
        messages.error(request, exc.message)
        return redirect("workbench:intake-case", key=key)
    follow = {
        "submit_accept": ("accept", {}),
        "submit_decide": ("decide_on_the_spot", {}),
        "submit_commitment": ("approve_on_commitment", {"commitment": extra["commitment"]}),
    }.get(do)
    if follow is not None:
        action, payload = follow
        if action == "accept" and missing_pending:
            action = "accept_with_pending"
            payload = {
                "pending_materials": [i.material.pk for i in missing_pending],
                "commitment_date": extra["commitment_date"],
            }
        try:
            services.act(request.user, case, action, payload)
        except (CaseConflict, NotYourAction) as exc:
            messages.error(request, _("申请已提交，但未能完成后续操作：%(m)s") % {"m": exc.message})
            return redirect("workbench:case-detail", number=case.number)
        except ValidationError as exc:
            messages.error(
                request,
                _("申请已提交，但未能完成后续操作：%(m)s") % {"m": "；".join(message_list(exc))},
            )
            return redirect("workbench:case-detail", number=case.number)
    return redirect("workbench:intake-done", number=case.number)


@role_required(is_window_clerk)
def intake_file(request: HttpRequest, key: UUID, received_id: int) -> HttpResponse:
    case = access.window_draft(request.user, key)
    if case is None:
        raise Http404
    return uploads.serve(queries.material_file(case, received_id), inline=True)


@role_required(is_window_clerk)
def intake_done(request: HttpRequest, number: str) -> HttpResponse:
    case = case_or_404(request, number)
    return render(
        request,
        "workbench/cases/intake_done.html",
        {
            "case": case,
            "due": display.due_of(case, clock.today()),
            # 一次一评: a visit that reached a stage (accepted or decided on the spot) is rated now.
            "rating_links": rating_views.case_links(access.staff_actors(request.user, case), case),
            "crumbs": crumbs(
                queue_crumb(), (_("窗口收件"), reverse("workbench:intake")), (case.number, None)
            ),
        },
    )

"""一件事 in the workbench: item administrators define a bundle (its members, questions, the one
form's map) as a versioned document and submit it; platform administrators and supervisors review
and publish it (not their own), the checks naming each problem; supervisors see the bundles'
figures (applications, on-time rate, what they saved)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.accounts import access as account_access
from yiwang.accounts.models import StaffRole
from yiwang.bundles import access, queries, services
from yiwang.bundles.models import Bundle
from yiwang.catalog.models import Audience
from yiwang.core.models import Division
from yiwang.workbench.access import forbidden, staff_required


def _crumbs(*items):
    return [(_("一件事"), reverse("workbench:bundles")), *items]


@staff_required
def bundle_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    bundles = list(access.bundles_for_staff(user).order_by("code"))
    prefix = account_access.staff_division_prefix(user) or ""
    # A window clerk takes any published bundle of the tree in at the counter (一窗受理).
    intake = (
        [b for b in queries.published_bundles(prefix)]
        if account_access.has_role(user, StaffRole.WINDOW_CLERK)
        else []
    )
    return render(
        request,
        "workbench/bundles/list.html",
        {
            "intake": intake,
            "bundles": [(b, services.open_draft(b)) for b in bundles],
            "can_create": access.can_create(user),
            "figures": queries.figures(prefix) if bundles else None,
            "crumbs": [(_("一件事"), None)],
        },
    )


@staff_required
@require_POST
def bundle_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_create(user):
        return forbidden(request)
    division = Division.objects.filter(pk=user.staff.department.division_id).first()
    try:
        version = services.create_bundle(
            user,
            code=(request.POST.get("code") or "").strip()[:40],
            name=(request.POST.get("name") or "").strip()[:100],
            division=division,
        )
    except ValidationError as exc:
        for m in [m for v in exc.message_dict.values() for m in v]:
            messages.error(request, m)
        return redirect("workbench:bundles")
    return redirect("workbench:bundle", code=version.bundle.code)


def _bundle_or_404(request: HttpRequest, code: str) -> Bundle:
    bundle = access.bundles_for_staff(request.user).filter(code=code[:40]).first()
    if bundle is None:
        raise Http404
    return bundle


@staff_required
@require_http_methods(["GET", "POST"])
def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle_or_404(request, code)
    user = request.user
    draft = services.open_draft(bundle)
    version = draft or bundle.published
    problems: list[str] = []
    text = json.dumps(version.definition or {}, ensure_ascii=False, indent=2) if version else ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "new_draft":
                services.start_new_draft(bundle, user)
                return redirect("workbench:bundle", code=code)
            if version is None:
                raise Http404
            if action in ("save", "submit"):
                text = request.POST.get("definition", "")[:200_000]
                try:
                    document = json.loads(text or "{}")
                except ValueError as exc:
                    raise ValidationError(
                        {"definition": [_("定义不是有效的 JSON：%(e)s") % {"e": exc}]}
                    ) from None
                problems = services.save_draft(
                    version,
                    user,
                    name=request.POST.get("name", "")[:100],
                    plain_title=request.POST.get("plain_title", "")[:100],
                    summary=request.POST.get("summary", "")[:2000],
                    audience=request.POST.get("audience")
                    if request.POST.get("audience") in Audience.values
                    else version.audience,
                    aliases=[
                        a.strip()[:30]
                        for a in request.POST.get("aliases", "").replace("，", ",").split(",")
                        if a.strip()
                    ][:20],
                    definition=document,
                )
                if action == "submit":
                    services.submit_version(version, user)
                    messages.success(request, _("已提交审核。"))
                else:
                    messages.success(request, _("已保存。"))
                return redirect("workbench:bundle", code=code)
            if action == "publish":
                services.publish_version(version, user, request.POST.get("comment", "")[:1000])
                messages.success(request, _("已发布。"))
                return redirect("workbench:bundle", code=code)
            if action == "return":
                services.return_version(version, user, request.POST.get("comment", "")[:1000])
                messages.success(request, _("已退回。"))
                return redirect("workbench:bundle", code=code)
        except PermissionDenied:
            return forbidden(request)
        except services.StateConflict as exc:
            problems = [exc.message]
            status = 409
        except ValidationError as exc:
            problems = (
                [m for v in exc.message_dict.values() for m in v]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            status = 422
    elif version is not None and version.definition:
        problems = services.publish_problems(version)
    return render(
        request,
        "workbench/bundles/detail.html",
        {
            "bundle": bundle,
            "version": version,
            "definition_text": text,
            "problems": problems,
            "can_edit": access.can_edit(user, bundle),
            "can_review": access.can_review(user, bundle)
            and version is not None
            and version.created_by_id != user.pk,
            "audiences": Audience.choices,
            "guide": queries.guide(bundle).as_dict() if bundle.published_id else None,
            "crumbs": _crumbs((bundle.name, None)),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def bundle_intake(request: HttpRequest, code: str) -> HttpResponse:
    """一窗受理: a window clerk takes the whole bundle in at one counter, identifying the applicant;
    each case goes to its own department's queue."""
    from yiwang.workbench import bundle_forms

    user = request.user
    if not account_access.has_role(user, StaffRole.WINDOW_CLERK):
        return forbidden(request, _("只有窗口人员可以收件。"))
    # The bundles of the clerk's division tree only: another county's is not taken in here.
    prefix = account_access.staff_division_prefix(user) or ""
    bundle = next((b for b in queries.published_bundles(prefix) if b.code == code[:40]), None)
    if bundle is None:
        raise Http404
    page = bundle_forms.application_page(request, bundle, profile={}, window=True)
    if page.application is not None:
        messages.success(request, _("已收件：%(n)s") % {"n": page.application.number})
        return redirect("workbench:bundle-application", key=page.application.key)
    page.context["crumbs"] = _crumbs((bundle.name, None))
    return render(request, "workbench/bundles/intake.html", page.context, status=page.status)


@staff_required
def bundle_application(request: HttpRequest, key: str) -> HttpResponse:
    """A bundle application as staff see it: each case's state (their own cases link through)."""
    application = access.application_for(request.user, key[:60])
    if application is None:
        raise Http404
    return render(
        request,
        "workbench/bundles/application.html",
        {"p": queries.progress(application), "crumbs": _crumbs((application.number, None))},
    )

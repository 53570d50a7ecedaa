"""一件事 in the portal: the list (一件事专区), the one guide (一次告知: printable and as PDF), the
one application (answer the questions, fill one form, upload each material once, choose delivery
once, submit once) and the applicant's one view of its progress across every case.

The application works without script in two steps: the questions are a GET form, so the page for
the answers can be bookmarked and reloaded; the second step posts the form and the files.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yiwang.bundles import access, queries, rules, services
from yiwang.cases.drafts import profile_of
from yiwang.cases.models import DeliveryMethod
from yiwang.catalog import form_schema
from yiwang.core import pdf
from yiwang.portal.case_views import applicant_required
from yiwang.workbench.schema_forms import bind_schema, data_from_post

FORM_PREFIX = "f-"


def bundle_list(request: HttpRequest) -> HttpResponse:
    bundles = queries.published_bundles()
    rows = []
    for b in bundles:
        members = (b.published.definition or {}).get("members", [])
        rows.append({"bundle": b, "version": b.published, "count": len(members)})
    return render(request, "portal/bundles/list.html", {"rows": rows})


def _bundle(code: str):
    bundle = queries.bundle_by_code(code[:40])
    if bundle is None:
        raise Http404
    return bundle


def _answers_from(request: HttpRequest, definition: rules.Definition) -> dict[str, str] | None:
    source = request.POST if request.method == "POST" else request.GET
    found = {q.code: source.get(f"a-{q.code}", "").strip()[:40] for q in definition.questions}
    return found if any(found.values()) else None


def _question_rows(definition: rules.Definition, raw: dict[str, str], errors: dict[str, list[str]]):
    rows = []
    for q in definition.questions:
        rows.append(
            {
                "q": q,
                "name": f"a-{q.code}",
                "value": raw.get(q.code, ""),
                "options": rules.options_of(q),
                "errors": errors.get(f"answers.{q.code}", []),
                "conditional": bool(q.ask_if),
            }
        )
    return rows


def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    definition = queries.definition_of(bundle.published)
    raw = _answers_from(request, definition)
    guide = queries.guide(bundle, raw)
    return render(
        request,
        "portal/bundles/guide.html",
        {
            "guide": guide,
            "g": guide.as_dict(),
            "questions": _question_rows(definition, raw or {}, {}),
            "raw": raw,
        },
    )


def bundle_guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    guide = queries.guide(bundle)
    html = render(
        request,
        "portal/bundles/guide_pdf.html",
        {
            "g": guide.as_dict(),
            "font_family": pdf.CJK_SANS_FAMILY,
            "url": request.build_absolute_uri(reverse("portal:bundle", args=[code])),
        },
    ).content.decode()
    response = HttpResponse(pdf.html_to_pdf(html), content_type="application/pdf")
    filename = _("%(title)s-一次告知单.pdf") % {"title": guide.version.name}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _profile(request: HttpRequest) -> dict[str, str]:
    user = request.user
    person = getattr(user, "person", None)
    enterprise = getattr(user, "enterprise", None) if user.kind == "enterprise" else None
    return profile_of(person, enterprise)


@require_http_methods(["GET", "POST"])
@applicant_required()
def bundle_apply(request: HttpRequest, bundle_code: str) -> HttpResponse:
    bundle = _bundle(bundle_code)
    definition, facts = queries.facts_of(bundle.published)
    raw = _answers_from(request, definition) or {}
    answers, answer_errors = rules.clean_answers(definition, raw)
    step = "questions"
    errors: dict[str, list[str]] = {}
    selected: list[rules.Selected] = []
    if raw and not answer_errors:
        selected = rules.select(definition, answers, facts)
        if selected:
            step = "form"
        else:
            answer_errors = {
                "answers": [_("按您的回答，本一件事没有需要办理的事项。请检查回答，或直接办理单个事项。")]
            }
    if step == "questions":
        return render(
            request,
            "portal/bundles/apply.html",
            {
                "bundle": bundle,
                "version": bundle.published,
                "step": step,
                "questions": _question_rows(definition, raw, answer_errors if raw else {}),
                "errors": answer_errors if raw else {},
            },
        )
    schema = {"fields": rules.form_for(definition, selected, facts)}
    merged = rules.merged_materials(definition, selected, facts)
    data = form_schema.prefill(schema, _profile(request))
    delivery = {"method": DeliveryMethod.ELECTRONIC}
    if request.method == "POST":
        data = data_from_post(schema, request.POST, prefix=FORM_PREFIX)
        delivery = {
            "method": request.POST.get("delivery-method", "")[:20],
            "recipient": request.POST.get("delivery-recipient", "")[:50],
            "phone": request.POST.get("delivery-phone", "")[:20],
            "address": request.POST.get("delivery-address", "")[:200],
        }
        files = []
        for i, m in enumerate(merged):
            upload = request.FILES.get(f"m-{i}")
            if upload is not None:
                files.append(services.FileIn(m.key, upload.name, upload.read()))
        try:
            application, _created = services.apply(
                request.user,
                services.ApplicationIn(
                    bundle=bundle,
                    answers=answers,
                    form_data=data,
                    files=files,
                    delivery=delivery,
                    contact_phone=(request.POST.get("contact_phone") or "").strip()[:20] or None,
                ),
                idempotency_key=request.POST.get("idempotency_key", "")[:100],
            )
        except services.Rejected as exc:
            errors = exc.problems
        else:
            return redirect("portal:bundle-application", key=application.key)
    days, _path = rules.critical_path(selected, facts)
    material_rows = [
        {
            "index": i,
            "m": m,
            "for": [facts[c].name for c in m.for_entries if c in facts],
            "from_upstream": facts[m.from_upstream].name if m.from_upstream in facts else "",
            "errors": errors.get(f"material.{m.key}", []),
        }
        for i, m in enumerate(merged)
    ]
    field_errors = {k: v for k, v in errors.items() if not k.startswith(("material", "answers", "delivery"))}
    return render(
        request,
        "portal/bundles/apply.html",
        {
            "bundle": bundle,
            "version": bundle.published,
            "step": step,
            "answers": answers,
            "answer_items": [(f"a-{k}", v) for k, v in answers.items()],
            "answer_query": urlencode({f"a-{k}": v for k, v in answers.items()}),
            "items": [
                {
                    "name": facts[s.member.entry].name,
                    "department": facts[s.member.entry].department,
                    "after": [facts[a].name for a in s.after if a in facts],
                    "days": rules.workdays(facts[s.member.entry]),
                }
                for s in selected
            ],
            "days": days,
            "fields": bind_schema(schema, data, field_errors, prefix=FORM_PREFIX, id_prefix="bf-"),
            "materials": material_rows,
            "delivery": delivery,
            "delivery_errors": {k: v for k, v in errors.items() if k.startswith("delivery")},
            "errors": errors,
            "error_summary": [m for v in errors.values() for m in v],
            "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
            "savings": rules.savings(definition, selected, facts).as_dict(),
        },
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@applicant_required()
def bundle_application(request: HttpRequest, key: str) -> HttpResponse:
    """The one view; once every case is closed, the one rating of the whole bundle (POST)."""
    from pydantic import ValidationError as SchemaError

    from yiwang.ratings.rules import LEVEL_LABELS, RatingIn

    application = access.application_for(request.user, key)
    if application is None:
        raise Http404
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            given = RatingIn(
                level=request.POST.get("level") or 0, comment=request.POST.get("comment", "")[:500]
            )
            services.rate(request.user, application, given)
        except SchemaError:
            errors = [_("请选择一个评价等级。")]
        except services.StateConflict as exc:
            errors = [exc.message]
        except ValidationError as exc:
            errors = [m for v in exc.message_dict.values() for m in v]
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("portal:bundle-application", key=application.key)
        status = 422 if errors else 200
    return render(
        request,
        "portal/bundles/application.html",
        {
            "p": queries.progress(application),
            "levels": [(k, _(v)) for k, v in LEVEL_LABELS.items()],
            "rating_errors": errors,
        },
        status=status,
    )


@applicant_required()
def my_bundles(request: HttpRequest) -> HttpResponse:
    from yiwang.bundles.models import BundleApplication

    q = access.applications_q(request.user)
    rows = list(BundleApplication.objects.filter(q).order_by("-submitted_at")[:100]) if q is not None else []
    return render(request, "portal/bundles/mine.html", {"rows": rows})


def search_hits(query: str) -> list[dict[str, Any]]:
    """The bundles a search names, shown above the single services (开饭店 → 我要开饭店)."""
    words = [query.strip(), *query.split()]
    words += [query.strip()[i : i + 3] for i in range(max(0, len(query.strip()) - 2))]
    return [
        {
            "code": b.code,
            "name": b.published.name,
            "plain_title": b.published.plain_title,
            "summary": b.published.summary,
        }
        for b in queries.search(words)
    ]

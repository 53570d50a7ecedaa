"""一件事 in the portal: the list (一件事专区), the one guide (一次告知: printable and as PDF), the
one application (answer the questions, fill one form, upload each material once, choose delivery
once, submit once) and the applicant's one view of its progress across every case.

The application works without script in two steps: the questions are a GET form, so the page for
the answers can be bookmarked and reloaded; the second step posts the form and the files.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yiwang.bundles import access, queries, services
from yiwang.cases.drafts import profile_of
from yiwang.core import pdf
from yiwang.portal.applicant_access import applicant_required
from yiwang.workbench import bundle_forms


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


def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    bundle = _bundle(code)
    definition = queries.definition_of(bundle.published)
    raw = bundle_forms.answers_from(request, definition)
    guide = queries.guide(bundle, raw)
    return render(
        request,
        "portal/bundles/guide.html",
        {
            "guide": guide,
            "g": guide.as_dict(),
            "questions": bundle_forms.question_rows(definition, raw or {}, {}),
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
    page = bundle_forms.application_page(request, _bundle(bundle_code), profile=_profile(request))
    if page.application is not None:
        return redirect("portal:bundle-application", key=page.application.key)
    return render(request, "portal/bundles/apply.html", page.context, status=page.status)


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
    words = queries.search_words(query)
    return [
        {
            "code": b.code,
            "name": b.published.name,
            "plain_title": b.published.plain_title,
            "summary": b.published.summary,
        }
        for b in queries.search(words)
    ]

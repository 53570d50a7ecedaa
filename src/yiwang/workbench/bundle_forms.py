"""The one application of a bundle as an HTML form, shared by the portal (the applicant) and the
workbench (a clerk's 一窗受理): the questions step, then the one form, one set of materials and one
delivery choice, read back from the POST and handed to `bundles.services.apply`.

Lives beside `schema_forms` (which the portal already uses); neither the portal nor the workbench
imports the other's views.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yiwang.bundles import queries, rules, services
from yiwang.bundles.definition import Definition, options_of
from yiwang.bundles.models import Bundle, BundleApplication
from yiwang.cases.models import DeliveryMethod
from yiwang.catalog import form_schema
from yiwang.workbench.schema_forms import bind_schema, data_from_post

FORM_PREFIX = "f-"
APPLICANT_FIELDS = ("name", "id_number", "uscc", "phone")


def answers_from(request: HttpRequest, definition: Definition) -> dict[str, str] | None:
    source = request.POST if request.method == "POST" else request.GET
    found = {q.code: source.get(f"a-{q.code}", "").strip()[:40] for q in definition.questions}
    return found if any(found.values()) else None


def question_rows(definition: Definition, raw: dict[str, str], errors: dict[str, list[str]]):
    return [
        {
            "q": q,
            "name": f"a-{q.code}",
            "value": raw.get(q.code, ""),
            "options": options_of(q),
            "errors": errors.get(f"answers.{q.code}", []),
            "conditional": bool(q.ask_if),
        }
        for q in definition.questions
    ]


@dataclass
class Page:
    """What the application page shows, or the application it created."""

    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    application: BundleApplication | None = None


def application_page(
    request: HttpRequest, bundle: Bundle, *, profile: dict[str, str], window: bool = False
) -> Page:
    """Step 1 (questions, a GET form) or step 2 (the one form); on a valid POST the application.
    `window`: a clerk takes it in, identifying the applicant (一窗受理)."""
    definition, facts = queries.facts_of(bundle.published)
    raw = answers_from(request, definition) or {}
    answers, answer_errors = rules.clean_answers(definition, raw)
    selected = rules.select(definition, answers, facts) if raw and not answer_errors else []
    if raw and not answer_errors and not selected:
        answer_errors = {
            "answers": [_("按您的回答，本一件事没有需要办理的事项。请检查回答，或直接办理单个事项。")]
        }
    base = {"bundle": bundle, "version": bundle.published, "window": window}
    if not selected:
        return Page(
            {
                **base,
                "step": "questions",
                "questions": question_rows(definition, raw, answer_errors if raw else {}),
                "errors": answer_errors if raw else {},
            }
        )
    schema = {"fields": rules.form_for(definition, selected, facts)}
    merged = rules.merged_materials(definition, selected, facts)
    data = form_schema.prefill(schema, profile)
    delivery = {"method": DeliveryMethod.ELECTRONIC if not window else DeliveryMethod.PICKUP}
    applicant = {k: "" for k in APPLICANT_FIELDS}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = data_from_post(schema, request.POST, prefix=FORM_PREFIX)
        delivery = {
            "method": request.POST.get("delivery-method", "")[:20],
            "recipient": request.POST.get("delivery-recipient", "")[:50],
            "phone": request.POST.get("delivery-phone", "")[:20],
            "address": request.POST.get("delivery-address", "")[:200],
        }
        applicant = {k: request.POST.get(f"applicant-{k}", "").strip()[:100] for k in APPLICANT_FIELDS}
        files = [
            services.FileIn(m.key, upload.name, upload.read())
            for i, m in enumerate(merged)
            if (upload := request.FILES.get(f"m-{i}")) is not None
        ]
        consented = {
            m.key: request.POST[f"lic-{i}"][:80] for i, m in enumerate(merged) if request.POST.get(f"lic-{i}")
        }
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
                    applicant=applicant if window else None,
                    licences=consented,
                ),
                idempotency_key=request.POST.get("idempotency_key", "")[:100],
            )
        except services.Rejected as exc:
            errors = exc.problems
        except ValidationError as exc:  # the applicant could not be identified
            errors = exc.message_dict
        else:
            return Page(application=application)
    offers = {} if window else queries.wallet_offers(request.user, merged)
    days, _path = rules.critical_path(selected, facts)
    field_errors = {
        k: v
        for k, v in errors.items()
        if not k.startswith(("material", "answers", "delivery")) and k not in APPLICANT_FIELDS
    }
    return Page(
        {
            **base,
            "step": "form",
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
            "materials": [
                {
                    "index": i,
                    "m": m,
                    "for": [facts[c].name for c in m.for_entries if c in facts],
                    "from_upstream": facts[m.from_upstream].name if m.from_upstream in facts else "",
                    "errors": errors.get(f"material.{m.key}", []) + errors.get(f"licences.{m.key}", []),
                    "offer": offers.get(m.key),
                    "use_offer": request.method != "POST" or bool(request.POST.get(f"lic-{i}")),
                }
                for i, m in enumerate(merged)
            ],
            "delivery": delivery,
            # The platform's own contact step, asked once for every case of the bundle.
            "contact_phone": request.POST.get("contact_phone", "")[:20]
            if request.method == "POST"
            else ("" if window else profile.get("phone", "")),
            "contact_phone_errors": errors.get("contact_phone", []),
            "delivery_errors": {k: v for k, v in errors.items() if k.startswith("delivery")},
            "applicant_rows": [
                {"key": k, "label": label, "value": applicant[k], "errors": errors.get(k, [])}
                for k, label in (
                    ("name", _("申请人姓名或单位名称")),
                    ("id_number", _("公民身份号码（个人）")),
                    ("uscc", _("统一社会信用代码（单位）")),
                    ("phone", _("联系电话")),
                )
            ],
            "errors": errors,
            "error_summary": [m for v in errors.values() for m in v],
            "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
            "savings": rules.savings(definition, selected, facts).as_dict(),
        },
        status=422 if errors else 200,
    )

"""The applicant's materials on the portal: uploading (with a draft or a correction), removing,
and downloading a file or a result document through the access-checked case.

On the application page (a draft) application.js uploads and removes in place (`in_place`): the
answer is the material's item and the parts of the page it changes, a refusal a 4xx with the
message at the file's field; the page, and whatever was typed in it, stays. Without the script the
form posts and the page reloads, with the same checks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.cases import changes, drafts, queries
from yiwang.cases.rules import State
from yiwang.core import uploads
from yiwang.portal.applicant_access import (
    applicant_case,
    applicant_required,
    case_url,
    in_place,
    messages_of,
    refused,
)
from yiwang.portal.case_pages import application_fragment, render_case
from yiwang.portal.case_views import EDITABLE_STATES


def _refused_in_place(message: str, status: int) -> HttpResponse:
    """An in-place request the application page can no longer take (the draft was submitted or
    discarded elsewhere): the sentence to show, with its status."""
    return HttpResponse(format_html("<p data-announce>{}</p>", message), status=status)


# --- Materials ------------------------------------------------------------------------------------


@require_POST
@applicant_required()
def case_upload(request: HttpRequest, ref: str) -> HttpResponse:
    case = applicant_case(request, ref)
    raw = (request.POST.get("material") or "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 18):  # "²" is a digit to isdigit
        raise Http404
    material_id = int(raw) if raw else None
    key = f"material.{material_id}" if material_id else "material.extra"
    upload = request.FILES.get("file")
    status = 400
    error = ""
    if upload is None:
        error = _("请选择要上传的文件。")
    elif upload.size is not None and upload.size > uploads.DEFAULT_MAX_BYTES:
        error = _("文件过大：%(size).1f MB，上限为 %(max).0f MB。请压缩或分页扫描后再上传。") % {
            "size": upload.size / 1048576,
            "max": uploads.DEFAULT_MAX_BYTES / 1048576,
        }
        status = 413
    else:
        try:
            received = drafts.attach_material(
                request.user,
                case,
                material_id,
                upload.read(),
                upload.name or "file",
                name=(request.POST.get("name") or "").strip()[:200],
            )
        except ValidationError as exc:
            error = " ".join(messages_of(exc))
        except (changes.CaseConflict, changes.NotYourAction) as exc:
            error = exc.message
            status = 409
    if error:
        if in_place(request):
            if case.state != State.DRAFT:
                return _refused_in_place(error, status)
            # Read out with the material it was for (at the field, the item's heading says it).
            name = next((m.name for m in drafts.required_materials(case) if m.pk == material_id), "")
            return application_fragment(
                request,
                case,
                material_id,
                announce=f"{name}：{error}" if name else error,
                status=status,
                upload_errors={key: [error]},
                extra_name=(request.POST.get("name") or "").strip()[:200],
            )
        if case.state not in EDITABLE_STATES and not case.pending_materials:
            return refused(request, case, error, status=status)
        return render_case(request, case, status=status, upload_errors={key: [error]})
    done = _("已上传“%(file)s”：%(material)s。") % {"file": upload.name, "material": received.name}
    if in_place(request):
        return application_fragment(request, case, material_id, announce=done)
    messages.success(request, done)
    return redirect(case_url(case) + (f"#material-{material_id}" if material_id else "#extra-materials"))


@require_POST
@applicant_required()
def case_remove_file(request: HttpRequest, ref: str, received_id: int) -> HttpResponse:
    case = applicant_case(request, ref)
    received = case.materials.filter(pk=received_id).values("material_id", "name").first()
    try:
        drafts.remove_material(request.user, case, received_id)
    except ValidationError:
        raise Http404 from None  # not a file of this case
    except (changes.CaseConflict, changes.NotYourAction) as exc:
        if in_place(request):
            return _refused_in_place(exc.message, 409)
        return refused(request, case, exc.message)
    if in_place(request):
        received = received or {"material_id": None, "name": ""}
        announce = _("已删除“%(name)s”的一个文件。") % {"name": received["name"]}
        return application_fragment(request, case, received["material_id"], announce=announce)
    messages.success(request, _("已删除该文件。"))
    return redirect(case_url(case) + "#step-materials")


@applicant_required()
def case_file(request: HttpRequest, ref: str, received_id: int) -> HttpResponse:
    """A file of one's own case, after the access check (never by a guessable public path)."""
    return uploads.serve(queries.material_file(applicant_case(request, ref), received_id))


@applicant_required()
def case_document(request: HttpRequest, ref: str, document_id: int) -> HttpResponse:
    """A document of one's own case (受理通知书, 决定书 …) as its PDF, after the access check."""
    return uploads.serve(queries.document_file(applicant_case(request, ref), document_id))

"""消息: the applicant's in-site notices (站内信), newest first, marked read one by one or all."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.notices import services as notice_services
from yiwang.notices.models import Notice
from yiwang.portal.applicant_access import applicant_required

NOTICE_PAGE_SIZE = 20
MAX_READ_ALL = 500


@applicant_required()
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = Notice.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(notices, NOTICE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/cases/notices.html",
        {
            "page": page,
            "notices": list(page.object_list),
            "unread": notices.filter(read_at__isnull=True).count(),
        },
    )


def _back_to_notices(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("portal:notices")


@require_POST
@applicant_required()
def notice_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    if not Notice.objects.filter(user=request.user, pk=notice_id).exists():
        raise Http404
    notice_services.mark_read(request.user, notice_id)
    return _back_to_notices(request)


@require_POST
@applicant_required()
def notice_read_all(request: HttpRequest) -> HttpResponse:
    unread = Notice.objects.filter(user=request.user, read_at__isnull=True).values_list("pk", flat=True)[
        :MAX_READ_ALL
    ]
    for notice_id in list(unread):
        notice_services.mark_read(request.user, notice_id)
    messages.success(request, _("全部消息已标为已读。"))
    return _back_to_notices(request)

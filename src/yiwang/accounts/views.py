"""Sign-in, registration, second factor and preference pages. Rules live in services."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts import services
from yiwang.accounts.forms import (
    AgentForm,
    EnterpriseRegistrationForm,
    LoginForm,
    PersonRegistrationForm,
    TotpForm,
    apply_errors,
)
from yiwang.accounts.middleware import ELDERLY_COOKIE
from yiwang.accounts.models import AccountKind, TotpDevice, User
from yiwang.accounts.throttle import TooManyAttempts

PENDING_2FA = "yiwang_pending_2fa_user"


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (so an empty submission shows its errors)."""
    return request.POST if request.method == "POST" else None


def _home_for(user: User) -> str:
    return reverse("workbench:home") if user.kind == AccountKind.STAFF else reverse("portal:my-space")


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except TooManyAttempts as exc:
            form.add_error(None, exc.message)
            status = 429
        except services.InvalidCredentials as exc:
            form.add_error(None, exc.message)
            status = 400
        except services.SecondFactorRequired as exc:
            request.session[PENDING_2FA] = exc.user.pk
            request.session["yiwang_next"] = _safe_next(request, _home_for(exc.user))
            return redirect("accounts:login-totp")
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(_safe_next(request, _home_for(user)))
    elif request.method == "POST":
        status = 400
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}, status=status
    )


def login_totp_view(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_2FA)
    if not user_id:
        return redirect("accounts:login")
    user = get_object_or_404(User, pk=user_id, is_active=True)
    form = TotpForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_totp(request, user, form.cleaned_data["code"])
        except TooManyAttempts as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            apply_errors(form, exc.message_dict)
            status = 400
        else:
            target = request.session.pop("yiwang_next", _home_for(user))
            request.session.pop(PENDING_2FA, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(target)
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login_totp.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


def register_view(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or AccountKind.PERSON
    is_enterprise = kind == AccountKind.ENTERPRISE
    form_class = EnterpriseRegistrationForm if is_enterprise else PersonRegistrationForm
    form = form_class(_posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            register = services.register_enterprise if is_enterprise else services.register_person
            try:
                user = register(**form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc.message_dict)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("注册成功，欢迎使用一网通办。"))
                return redirect("portal:my-space")
    return render(
        request,
        "accounts/register.html",
        {"form": form, "kind": AccountKind.ENTERPRISE if is_enterprise else AccountKind.PERSON},
        status=status,
    )


@require_POST
def elderly_mode_view(request: HttpRequest) -> HttpResponse:
    """Switch the elderly-friendly mode; kept on the account and in a cookie for anonymous users."""
    enabled = request.POST.get("enabled") == "1"
    services.set_elderly_mode(request.user, enabled)
    response = HttpResponseRedirect(_safe_next(request, reverse("portal:home")))
    response.set_cookie(
        ELDERLY_COOKIE, "1" if enabled else "0", max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


@login_required
def totp_setup_view(request: HttpRequest) -> HttpResponse:
    """Staff switch on the optional second factor: scan the QR code, confirm with a first code."""
    if request.user.kind != AccountKind.STAFF:
        return redirect("portal:my-space")
    device = TotpDevice.objects.filter(user=request.user).first()
    form = TotpForm(_posted(request))
    status = 200
    if request.method == "POST" and request.POST.get("action") == "start":
        device = services.start_totp_setup(request.user)
        form = TotpForm()
    elif request.method == "POST" and request.POST.get("action") == "remove":
        services.remove_totp(request.user)
        messages.success(request, _("已关闭动态口令。"))
        return redirect("accounts:totp-setup")
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.confirm_totp(request.user, form.cleaned_data["code"])
            except ValidationError as exc:
                apply_errors(form, exc.message_dict)
            else:
                messages.success(request, _("动态口令已启用，下次登录时需要输入。"))
                return redirect("accounts:totp-setup")
    qr_svg = uri = ""
    if device is not None and device.confirmed_at is None:
        uri = services.totp_provisioning_uri(device)
        qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("动态口令二维码"))
    return render(
        request,
        "accounts/totp_setup.html",
        {"device": device, "form": form, "qr_svg": qr_svg, "uri": uri},
        status=status,
    )


@login_required
def agents_view(request: HttpRequest) -> HttpResponse:
    """An enterprise account manages the persons authorised to act for it."""
    if request.user.kind != AccountKind.ENTERPRISE or not hasattr(request.user, "enterprise"):
        return redirect("portal:my-space")
    enterprise = request.user.enterprise
    form = AgentForm(_posted(request))
    status = 200
    if request.method == "POST" and request.POST.get("revoke"):
        revoke = request.POST["revoke"]
        if not (revoke.isascii() and revoke.isdigit()):
            raise Http404  # not an id at all: no such grant, rather than a 500
        grant = get_object_or_404(enterprise.agent_authorisations, pk=revoke)
        services.revoke_agent(grant)
        messages.success(request, _("已撤销授权。"))
        return redirect("accounts:agents")
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.authorise_agent(enterprise, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc.message_dict)
            else:
                messages.success(request, _("已授权经办人。"))
                return redirect("accounts:agents")
    grants = enterprise.agent_authorisations.select_related("agent").order_by("-granted_at")
    return render(
        request,
        "accounts/agents.html",
        {"form": form, "grants": grants, "enterprise": enterprise},
        status=status,
    )

"""电子印章 (seal keys) in the workbench, for platform administrators: each issuing department of
their division subtree with its SM2 keys (key id, validity, in use / rotated / withdrawn, how many
licences each signed); generating the first key or rotating it, and withdrawing a compromised key
with its reason. Public keys are published in the trust list; nothing private is ever shown here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.models import Department
from yiwang.core.queries import departments_in_subtree
from yiwang.licences import access, keys
from yiwang.licences.models import LicenceType, SealKey
from yiwang.workbench.access import role_required
from yiwang.workbench.licence_forms import WithdrawKeyForm
from yiwang.workbench.licence_views import crumbs


@dataclass
class DepartmentSeals:
    department: Department
    keys: list[SealKey]
    types: list[str]
    forms: dict[str, WithdrawKeyForm] = field(default_factory=dict)

    @property
    def current(self) -> SealKey | None:
        return next((k for k in self.keys if k.in_use), None)

    @property
    def rows(self) -> list[tuple[SealKey, WithdrawKeyForm | None]]:
        return [(k, self.forms.get(k.kid)) for k in self.keys]


def issuing_departments(user: User) -> list[Department]:
    """Departments of the administrator's subtree that issue a licence (their entries' approval
    issues one) or have had a seal key."""
    subtree = departments_in_subtree(user.staff.division)
    issuing = Q(entries__licence_types__is_active=True) | Q(seal_keys__isnull=False)
    return list(
        subtree.filter(issuing).distinct().select_related("division").order_by("division__code", "name")
    )


def department_or_404(user: User, department_id: int) -> Department:
    department = departments_in_subtree(user.staff.division).filter(pk=department_id).first()
    if department is None:
        raise Http404
    return department


def key_or_404(user: User, kid: str) -> SealKey:
    key = (
        SealKey.objects.filter(
            kid=kid[:16], department__division__code__startswith=user.staff.division.prefix
        )
        .select_related("department")
        .first()
    )
    if key is None:
        raise Http404
    return key


def _page(request: HttpRequest, *, bound: WithdrawKeyForm | None = None, status: int = 200) -> HttpResponse:
    departments = issuing_departments(request.user)
    ids = [d.pk for d in departments]
    all_keys = (
        SealKey.objects.filter(department_id__in=ids)
        .annotate(signed=Count("licences"))
        .select_related("created_by__staff", "withdrawn_by__staff")
        .order_by("department_id", "-valid_from")
        .defer("private_sealed", "public_key")
    )
    by_department: dict[int, list[SealKey]] = {}
    for key in all_keys:
        by_department.setdefault(key.department_id, []).append(key)
    type_names: dict[int, list[str]] = {}
    for name, department_id in (
        LicenceType.objects.filter(is_active=True, entries__department_id__in=ids)
        .values_list("name", "entries__department_id")
        .distinct()
    ):
        type_names.setdefault(department_id, []).append(name)
    groups = []
    for department in departments:
        group = DepartmentSeals(
            department, by_department.get(department.pk, []), sorted(type_names.get(department.pk, []))
        )
        for key in group.keys:
            if key.withdrawn_at is None:
                group.forms[key.kid] = (
                    bound if bound is not None and bound.kid == key.kid else WithdrawKeyForm(key.kid)
                )
        groups.append(group)
    return render(
        request,
        "workbench/licences/seals.html",
        {
            "groups": groups,
            "derived_master_key": keys.using_derived_master_key(),
            "trust_list_url": reverse("api:trust_list"),
            "crumbs": crumbs((_("电子印章"), None)),
        },
        status=status,
    )


@role_required(access.may_manage_seals)
def seal_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@role_required(access.may_manage_seals)
@require_POST
def seal_create(request: HttpRequest, department_id: int) -> HttpResponse:
    """Generate the department's first key, or rotate: the key in use is closed, licences it
    signed stay verifiable."""
    department = department_or_404(request.user, department_id)
    rotating = keys.current_key(department) is not None
    key = keys.create_key(department, request.user)
    if rotating:
        text = _("已为%(department)s轮换电子印章密钥，新密钥标识 %(kid)s；原密钥签发的证照仍可核验。")
    else:
        text = _("已为%(department)s生成电子印章密钥，密钥标识 %(kid)s。")
    messages.success(request, text % {"department": department.name, "kid": key.kid})
    return redirect(reverse("workbench:seals") + f"#department-{department.pk}")


@role_required(access.may_manage_seals)
@require_POST
def seal_withdraw(request: HttpRequest, kid: str) -> HttpResponse:
    key = key_or_404(request.user, kid)
    if key.withdrawn_at is not None:
        messages.info(request, _("该密钥已撤销。"))
        return redirect(reverse("workbench:seals") + f"#department-{key.department_id}")
    form = WithdrawKeyForm(key.kid, request.POST)
    if not form.is_valid():
        return _page(request, bound=form, status=400)
    try:
        keys.withdraw_key(key, request.user, form.cleaned_data["reason"])
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _page(request, bound=form, status=400)
    messages.success(
        request,
        _("已撤销密钥 %(kid)s（%(department)s）：它签发的证照将核验为“电子印章已撤销”。")
        % {"kid": key.kid, "department": key.department.name},
    )
    return redirect(reverse("workbench:seals") + f"#department-{key.department_id}")

"""Registration, tokens and the signed-in account."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from yiwang.accounts import access, services
from yiwang.accounts.models import AccountKind, User
from yiwang.api.auth import signed_in
from yiwang.api.contract import answers
from yiwang.api.errors import error_body

router = Router(tags=["accounts"])


class AccountIn(Schema):
    kind: Literal["person", "enterprise"]
    username: str = Field(max_length=40)
    password: str = Field(max_length=128)
    name: str = Field(max_length=100)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    id_number: str | None = Field(None, max_length=30, description="自然人：居民身份证号码")
    uscc: str | None = Field(None, max_length=30, description="法人：统一社会信用代码")
    legal_representative: str = Field("", max_length=50)


class StaffOut(Schema):
    department_id: int
    department_name: str
    division_code: str
    roles: list[str]
    window: str


class MeOut(Schema):
    id: int
    username: str
    kind: str
    name: str
    phone_masked: str
    real_name_level: int
    elderly_mode: bool
    id_number_masked: str | None = None
    uscc: str | None = None
    acting_for: list[dict] = []
    staff: StaffOut | None = None


def _me(user: User) -> dict:
    from yiwang.core.masking import mask_phone

    data = {
        "id": user.pk,
        "username": user.username,
        "kind": user.kind,
        "name": user.display_name,
        "phone_masked": mask_phone(user.phone),
        "real_name_level": user.real_name_level,
        "elderly_mode": user.elderly_mode,
    }
    if user.kind == AccountKind.PERSON and hasattr(user, "person"):
        data["id_number_masked"] = user.person.masked_id_number
    if user.kind == AccountKind.ENTERPRISE and hasattr(user, "enterprise"):
        data["uscc"] = user.enterprise.uscc
    data["acting_for"] = [
        {"name": e.name, "uscc": e.uscc}
        for e in access.enterprises_acted_for(user)
        if user.kind == AccountKind.PERSON
    ]
    if user.kind == AccountKind.STAFF and hasattr(user, "staff"):
        staff = user.staff
        data["staff"] = {
            "department_id": staff.department_id,
            "department_name": staff.department.name,
            "division_code": staff.division.code,
            "roles": sorted(access.staff_roles(user)),
            "window": staff.window,
        }
    return data


@router.post("/accounts", response={201: MeOut}, summary="注册自然人或法人账户")
def register(request: HttpRequest, payload: AccountIn):
    if payload.kind == AccountKind.PERSON:
        user = services.register_person(
            username=payload.username,
            password=payload.password,
            name=payload.name,
            id_number=payload.id_number or "",
            phone=payload.phone,
            email=payload.email,
        )
    else:
        user = services.register_enterprise(
            username=payload.username,
            password=payload.password,
            name=payload.name,
            uscc=payload.uscc or "",
            phone=payload.phone,
            email=payload.email,
            legal_representative=payload.legal_representative,
        )
    return Status(201, _me(user))


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    otp: str | None = Field(None, max_length=6, description="已启用动态口令的工作人员必填")


class TokenOut(Schema):
    token: str
    expires_in: int


@router.post("/auth/tokens", response={200: TokenOut, **answers(401)}, summary="用户名密码换取令牌")
def create_token(request: HttpRequest, payload: TokenIn):
    from django.conf import settings

    try:
        user = services.sign_in(request, payload.username, payload.password)
    except services.InvalidCredentials as exc:
        return Status(401, error_body("invalid_credentials", exc.message))
    except services.SecondFactorRequired as exc:
        if not payload.otp:
            raise ValidationError({"otp": [_("该账户已启用动态口令，请同时提供 otp。")]}) from None
        try:
            services.verify_totp(request, exc.user, payload.otp)
        except ValidationError as invalid:
            raise ValidationError({"otp": invalid.message_dict["code"]}) from None
        user = exc.user
    return Status(
        200, {"token": services.issue_api_token(user), "expires_in": settings.API_TOKEN_TTL_HOURS * 3600}
    )


@router.delete("/auth/tokens/current", response={204: None}, auth=signed_in, summary="注销当前令牌")
def delete_token(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.revoke_api_token(header[7:].strip())
    return Status(204, None)


@router.get("/me", response=MeOut, auth=signed_in, summary="当前账户")
def me(request: HttpRequest):
    return _me(request.user)

"""Every state change of the identity domain: registering, signing in, tokens, agents, staff,
preferences and the second factor. Each raises `ValidationError` keyed by field on bad input."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts import throttle
from yiwang.accounts.models import (
    AccountKind,
    AgentAuthorisation,
    ApiToken,
    Enterprise,
    Person,
    RealNameLevel,
    Staff,
    StaffRole,
    StaffRoleGrant,
    TotpDevice,
    User,
)
from yiwang.core import rows
from yiwang.core.identifiers import validate_id_number, validate_uscc
from yiwang.core.models import Department, Division

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,40}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
PERSON_NAME_MAX = Person._meta.get_field("name").max_length


class InvalidCredentials(Exception):
    @property
    def message(self) -> str:
        return _("用户名或密码不正确。")


class SecondFactorRequired(Exception):
    """The password was right; a TOTP code must follow before the user is signed in."""

    def __init__(self, user: User):
        self.user = user
        super().__init__("second factor required")


# --- Registration ---------------------------------------------------------------------------


def _check_account_fields(
    username: str,
    password: str,
    phone: str,
    errors: dict[str, list[str]],
    probe: User,
    enforce_password_rules: bool = True,
) -> None:
    if not USERNAME_RE.match(username or ""):
        errors["username"] = [_("用户名需为3至40位字母、数字或 _ . @ - 。")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("用户名 %(username)s 已被注册。") % {"username": username}]
    if (
        phone
        and not MOBILE_RE.match(phone)
        and (probe.kind == AccountKind.PERSON or not LANDLINE_RE.match(phone))
    ):
        errors["phone"] = [
            _("手机号码应为以1开头的11位数字。")
            if probe.kind == AccountKind.PERSON
            else _("联系电话应为11位手机号码或带区号的固定电话（如 0471-1234567）。")
        ]
    if not enforce_password_rules:
        return  # only the demo loader waives them, for its fixed shared password
    try:
        validate_password(password or "", user=probe)
    except ValidationError as exc:
        errors["password"] = exc.messages


@transaction.atomic
def register_person(
    *,
    username: str,
    password: str,
    name: str,
    id_number: str,
    phone: str = "",
    email: str = "",
    enforce_password_rules: bool = True,
) -> User:
    """Register a natural person's account. The ID number is checked (GB 11643) but not yet
    verified against the population register, so the account starts at level 1."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > PERSON_NAME_MAX:  # the column's limit: PostgreSQL would refuse it with a 500
        errors["name"] = [_("姓名不能超过%(max)s个字。") % {"max": PERSON_NAME_MAX}]
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    else:
        if Person.objects.filter(id_number=id_number, user__isnull=False).exists():
            errors["id_number"] = [_("该身份证号码已注册账户，请直接登录或找回密码。")]
    if not phone:
        errors["phone"] = [_("请填写手机号码。")]
    probe = User(username=username, first_name=name, email=email, kind=AccountKind.PERSON)
    _check_account_fields(username, password, phone, errors, probe, enforce_password_rules)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        kind=AccountKind.PERSON,
        phone=phone,
        email=email,
        first_name=name,
        real_name_level=RealNameLevel.REGISTERED,
    )
    user.set_password(password)
    try:
        user.save()
        # A person registered earlier at a window (without an account) gets the account now.
        person, _created = Person.objects.get_or_create(id_number=id_number, defaults={"name": name})
    except IntegrityError:
        raise ValidationError(
            {"username": [_("用户名 %(username)s 已被注册。") % {"username": username}]}
        ) from None
    person.user, person.name, person.phone = user, name, phone
    person.save(update_fields=["user", "name", "phone"])
    return user


@transaction.atomic
def register_enterprise(
    *,
    username: str,
    password: str,
    name: str,
    uscc: str,
    phone: str = "",
    legal_representative: str = "",
    email: str = "",
    enforce_password_rules: bool = True,
) -> User:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写企业名称。")]
    try:
        uscc = validate_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages
    else:
        if Enterprise.objects.filter(uscc=uscc, user__isnull=False).exists():
            errors["uscc"] = [_("该统一社会信用代码已注册账户。")]
    if not phone:
        errors["phone"] = [_("请填写联系电话。")]
    probe = User(username=username, first_name=name, email=email, kind=AccountKind.ENTERPRISE)
    _check_account_fields(username, password, phone, errors, probe, enforce_password_rules)
    if errors:
        raise ValidationError(errors)
    user = User(username=username, kind=AccountKind.ENTERPRISE, phone=phone, email=email, first_name=name)
    user.set_password(password)
    try:
        user.save()
        enterprise, _created = Enterprise.objects.get_or_create(uscc=uscc, defaults={"name": name})
    except IntegrityError:
        raise ValidationError(
            {"username": [_("用户名 %(username)s 已被注册。") % {"username": username}]}
        ) from None
    enterprise.user, enterprise.name, enterprise.phone = user, name, phone
    enterprise.legal_representative = legal_representative
    enterprise.save(update_fields=["user", "name", "phone", "legal_representative"])
    return user


def person_for_window(*, name: str, id_number: str, phone: str = "") -> Person:
    """Find or record a person identified at a window by ID number (no account needed)."""
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    person, _created = Person.objects.get_or_create(
        id_number=id_number, defaults={"name": name, "phone": phone}
    )
    return person


def enterprise_for_window(*, name: str, uscc: str, phone: str = "") -> Enterprise:
    """Find or record an enterprise identified at a window by its credit code (no account needed)."""
    try:
        uscc = validate_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from None
    existing = Enterprise.objects.filter(uscc=uscc).first()
    if existing is not None:
        return existing
    if not name.strip():
        raise ValidationError({"name": [_("该统一社会信用代码尚无记录，请填写单位名称。")]})
    return Enterprise.objects.create(uscc=uscc, name=name.strip()[:100], phone=phone)


# --- Signing in -----------------------------------------------------------------------------


def sign_in(request, username: str, password: str) -> User:
    """Check the password under the sign-in limits (`accounts.throttle`). Raises TooManyAttempts,
    InvalidCredentials, or SecondFactorRequired when the account has a confirmed TOTP device.

    The attempt is counted before the password is checked, so parallel attempts cannot check
    more passwords than the limit allows; a right password gives the count back."""
    ip = client_ip(request)
    claim = throttle.claim_password(username, ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle.record(username, ip, succeeded=False)
        raise InvalidCredentials()
    # The password was right: its guesses are over. The second factor (if any) counts its own.
    throttle.succeeded(claim)
    if has_confirmed_totp(user):
        # Not a success yet: the code's failures are counted per account until it is right.
        raise SecondFactorRequired(user)
    throttle.record(username, ip, succeeded=True)
    return user


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, when that is a trusted reverse proxy
    (`TRUSTED_PROXIES`), the nearest address in X-Forwarded-For that is not one."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXIES
    if not trusted or remote not in trusted:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address[:45]
    return remote


def issue_api_token(user: User) -> str:
    """A new bearer token; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(token),
        expires_at=timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(token: str) -> User | None:
    """The active account behind a bearer token, with its person or enterprise profile loaded.

    One hand-written statement (`core.rows`, `token_query`): every API request runs it, and the
    ORM's `select_related(...).first()` cost ten times its CPU. A person's or enterprise's profile
    comes in the same row (an outer join on their unique `user_id`), so applying needs no second
    read. The API's rate limiter runs the same query inside its own statement (`token_user`).
    """
    now = timezone.now()
    return token_user(rows.fetch(*token_query(token, now)), now)


def token_query(token: str, now: dt.datetime) -> tuple[str, list[Any]]:
    """The SELECT (and its parameters) of the token's row, account and profile, valid at `now`."""
    return _token_sql(connection.vendor), [hash_token(token), rows.param(ApiToken, "expires_at", now)]


def token_user(found: tuple | None, now: dt.datetime) -> User | None:
    """The account of a row `token_query` found (None for none), its token marked as used."""
    if found is None:
        return None
    row, user, person, enterprise = rows.build_all(_TOKEN_ROW, found)
    assert row is not None and user is not None
    # Known present or known absent: `user.person` / `user.enterprise` never query again.
    User.person.related.set_cached_value(user, person)
    User.enterprise.related.set_cached_value(user, enterprise)
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return user


_TOKEN_ROW = (ApiToken, User, Person, Enterprise)


@functools.cache
def _token_sql(vendor: str) -> str:
    del vendor  # the cache key: quoting differs by database
    qn = connection.ops.quote_name
    return (
        f"SELECT {rows.columns(ApiToken, 't')}, {rows.columns(User, 'u')}, "
        f"{rows.columns(Person, 'p')}, {rows.columns(Enterprise, 'e')} "
        f"FROM {qn(ApiToken._meta.db_table)} t "
        f"JOIN {qn(User._meta.db_table)} u ON u.{qn('id')} = t.{qn('user_id')} "
        f"LEFT JOIN {qn(Person._meta.db_table)} p ON p.{qn('user_id')} = u.{qn('id')} "
        f"LEFT JOIN {qn(Enterprise._meta.db_table)} e ON e.{qn('user_id')} = u.{qn('id')} "
        f"WHERE t.{qn('key_hash')} = %s AND t.{qn('expires_at')} > %s AND u.{qn('is_active')}"
    )


def revoke_api_token(token: str) -> None:
    ApiToken.objects.filter(key_hash=hash_token(token)).delete()


# --- Second factor (TOTP) -------------------------------------------------------------------


def has_confirmed_totp(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def start_totp_setup(user: User) -> TotpDevice:
    """Create (or restart) an unconfirmed device with a fresh secret."""
    device, _created = TotpDevice.objects.update_or_create(
        user=user, defaults={"secret": pyotp.random_base32(), "confirmed_at": None, "last_used_step": 0}
    )
    return device


def totp_provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.username, issuer_name="Yiwang 一网")


def _accept_code(device: TotpDevice, code: str) -> bool:
    """Accept a code once (no replay) within one step of clock drift."""
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now + dt.timedelta(seconds=30 * drift)
        step = totp.timecode(at)
        if step > device.last_used_step and secrets.compare_digest(totp.at(at), (code or "").strip()):
            updated = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
                last_used_step=step
            )
            return bool(updated)
    return False


def confirm_totp(user: User, code: str) -> None:
    device = TotpDevice.objects.filter(user=user).first()
    if device is None or not _accept_code(device, code):
        raise ValidationError({"code": [_("动态口令不正确或已使用，请输入验证器上的最新6位数字。")]})
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])


def verify_totp(request, user: User, code: str) -> None:
    """The second step of sign-in; wrong codes are counted per account (`accounts.throttle`)."""
    ip = client_ip(request)
    claim = throttle.claim_second_factor(user.username, ip)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None or not _accept_code(device, code):
        throttle.record(user.username, ip, succeeded=False)
        raise ValidationError({"code": [_("动态口令不正确或已使用，请输入验证器上的最新6位数字。")]})
    throttle.succeeded(claim)
    throttle.record(user.username, ip, succeeded=True)


def remove_totp(user: User) -> None:
    TotpDevice.objects.filter(user=user).delete()


# --- Agents (经办人) ------------------------------------------------------------------------


@transaction.atomic
def authorise_agent(
    enterprise: Enterprise, *, id_number: str, name: str, valid_until: dt.date | None = None, note: str = ""
) -> AgentAuthorisation:
    """The enterprise authorises a person, identified by ID number, to act for it."""
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    person = Person.objects.filter(id_number=id_number).first()
    if person is None:
        if not (name or "").strip():
            raise ValidationError({"name": [_("请填写经办人姓名。")]})
        person = Person.objects.create(id_number=id_number, name=name.strip())
    elif name and person.name != name.strip():
        raise ValidationError({"name": [_("姓名与该身份证号码登记的姓名不一致。")]})
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError({"valid_until": [_("授权有效期不能早于今天。")]})
    existing = enterprise.agent_authorisations.filter(agent=person, revoked_at__isnull=True).first()
    if existing is not None:
        existing.valid_until, existing.note = valid_until, note
        existing.save(update_fields=["valid_until", "note"])
        return existing
    return AgentAuthorisation.objects.create(
        enterprise=enterprise, agent=person, valid_until=valid_until, note=note
    )


def revoke_agent(authorisation: AgentAuthorisation) -> None:
    AgentAuthorisation.objects.filter(pk=authorisation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- Staff ----------------------------------------------------------------------------------


@transaction.atomic
def create_staff(
    *,
    username: str,
    password: str,
    name: str,
    department: Department,
    roles: Iterable[str],
    division: Division | None = None,
    window: str = "",
    phone: str = "",
    email: str = "",
    enforce_password_rules: bool = True,
) -> User:
    """Create a staff account bound to a department; `division` widens the scope (supervisors)."""
    roles = list(dict.fromkeys(roles))
    errors: dict[str, list[str]] = {}
    unknown = [r for r in roles if r not in StaffRole.values]
    if unknown or not roles:
        errors["roles"] = [_("角色不正确：%(roles)s。") % {"roles": ", ".join(unknown) or "-"}]
    division = division or department.division
    if not department.division.code.startswith(division.prefix):
        errors["division"] = [_("工作人员的管辖区划必须包含其部门所在区划。")]
    probe = User(username=username, first_name=name, kind=AccountKind.STAFF)
    _check_account_fields(username, password, phone, errors, probe, enforce_password_rules)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        kind=AccountKind.STAFF,
        first_name=name,
        phone=phone,
        email=email,
        real_name_level=RealNameLevel.IN_PERSON,
        is_staff=StaffRole.PLATFORM_ADMIN in roles,
        is_superuser=StaffRole.PLATFORM_ADMIN in roles,
    )
    user.set_password(password)
    user.save()
    staff = Staff.objects.create(
        user=user, name=name, department=department, division=division, window=window
    )
    StaffRoleGrant.objects.bulk_create(StaffRoleGrant(staff=staff, role=r) for r in roles)
    return user


# --- Preferences ----------------------------------------------------------------------------


def set_area(user: User, division) -> None:
    """Save the citizen's 办事地区 (None: every area) on the account."""
    area_id = division.pk if division is not None else None
    if user.is_authenticated and user.area_id != area_id:
        User.objects.filter(pk=user.pk).update(area=area_id)
        user.area_id = area_id


def set_elderly_mode(user: User, enabled: bool) -> None:
    if user.is_authenticated and user.elderly_mode != enabled:
        User.objects.filter(pk=user.pk).update(elderly_mode=enabled)
        user.elderly_mode = enabled

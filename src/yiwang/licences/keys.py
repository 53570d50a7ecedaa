"""The issuing departments' seals: SM2 key pairs made, rotated and withdrawn by a platform
administrator, private keys encrypted at rest with the platform's seal master key, and the
published trust list of public keys that verifiers (online and offline) check signatures against.

A key is never deleted: a licence names the key that signed it, and rotation only closes the key's
validity, so licences signed before stay verifiable. Withdrawal is for a compromised seal: every
licence it signed then verifies as "seal withdrawn".
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.core.models import Department
from yiwang.licences import seal
from yiwang.licences.models import SealKey


@functools.cache
def master_key() -> bytes:
    """The seal master key: from YIWANG_SEAL_KEY, else derived from SECRET_KEY (demo and tests)."""
    if settings.LICENCE_SEAL_KEY:
        return seal.master_key_from_text(settings.LICENCE_SEAL_KEY)
    return hashlib.sha256(b"yiwang-licence-seal-master|" + settings.SECRET_KEY.encode()).digest()


def using_derived_master_key() -> bool:
    return not settings.LICENCE_SEAL_KEY


def current_key(department: Department | int) -> SealKey | None:
    """The key a department signs with now, or None (it cannot issue until one is made)."""
    department_id = department if isinstance(department, int) else department.pk
    return (
        SealKey.objects.filter(
            department_id=department_id, valid_until__isnull=True, withdrawn_at__isnull=True
        )
        .order_by("-valid_from")
        .first()
    )


def create_key(department: Department, user: User | None) -> SealKey:
    """Make the department's key pair; any key it signed with before is closed (rotation)."""
    pair = seal.generate()
    kid = seal.key_id(pair.public)
    now = timezone.now()
    with transaction.atomic():
        # Lock the department so that two administrators rotating at once leave one key in use.
        Department.objects.select_for_update().filter(pk=department.pk).first()
        SealKey.objects.filter(department=department, valid_until__isnull=True).update(valid_until=now)
        key = SealKey.objects.create(
            department=department,
            kid=kid.hex(),
            public_key=pair.public,
            private_sealed=seal.seal_private(pair.private, master_key(), kid),
            created_by=user,
            valid_from=now,
        )
        _resign_status_list(department)
    return key


def _resign_status_list(department: Department) -> None:
    """The department's status list is signed by its current key: re-signed when that changes, and
    dropped when no key is left (a list signed by a withdrawn seal must not be served)."""
    from yiwang.licences.models import StatusListDocument
    from yiwang.licences.statuses import rebuild_status_list

    if rebuild_status_list(department) is None:
        StatusListDocument.objects.filter(issuer=department).delete()


rotate_key = create_key


def withdraw_key(key: SealKey, user: User | None, reason: str) -> SealKey:
    """Withdraw a seal (compromised, or the department dissolved): its licences stop verifying as
    genuine. The issuer's status lists are signed with the current key and are rebuilt."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写撤销原因。")]})
    if key.withdrawn_at is not None:
        return key
    with transaction.atomic():
        key.withdrawn_at = timezone.now()
        key.withdrawn_reason = reason[:300]
        key.withdrawn_by = user
        if key.valid_until is None:
            key.valid_until = key.withdrawn_at
        key.save(update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_by", "valid_until"])
        _resign_status_list(key.department)
    return key


def private_of(key: SealKey) -> bytes:
    return seal.open_private(bytes(key.private_sealed), master_key(), bytes.fromhex(key.kid))


def sign_with(key: SealKey, message: bytes) -> bytes:
    return seal.sign(private_of(key), message)


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def key_entry(key: SealKey) -> dict:
    """One key as the trust list publishes it."""
    return {
        "kid": key.kid,
        "alg": seal.ALGORITHM_NAME,
        "public_key": bytes(key.public_key).hex(),
        "issuer_code": key.department.uscc,
        "issuer": key.department.name,
        "valid_from": _iso(key.valid_from),
        "valid_until": _iso(key.valid_until),
        "withdrawn_at": _iso(key.withdrawn_at),
        "withdrawn_reason": key.withdrawn_reason,
    }


def trust_list() -> dict:
    """Every seal key ever made, with its validity and withdrawal: what an offline verifier needs
    (`offline.verify`). Public keys only."""
    keys = SealKey.objects.select_related("department").order_by("department__uscc", "valid_from")
    return {
        "type": "YiwangTrustList",
        "issued_at": _iso(timezone.now()),
        "keys": [key_entry(k) for k in keys],
    }


def public_key_text(key: SealKey) -> str:
    return base64.b64encode(bytes(key.public_key)).decode()

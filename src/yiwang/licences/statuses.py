"""A licence's status after issue: suspend (暂扣), restore, revoke (撤销/吊销), cancel (注销), expire
(失效, by date in the worker or when a new version replaces it). Each change is a `LicenceEvent`
with its reason, and rebuilds the issuer's signed status list in the same transaction, so online
and offline verification answer the new status as soon as it commits."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiwang.accounts.models import User
from yiwang.core import outbox
from yiwang.core.models import Department
from yiwang.licences import keys, status_list
from yiwang.licences.models import Licence, LicenceEvent, Status, StatusListDocument

# What each status shows in the issuer's status list (two bits per licence).
LIST_VALUE = {
    Status.VALID: status_list.VALID,
    Status.SUSPENDED: status_list.SUSPENDED,
    Status.REVOKED: status_list.REVOKED,
    Status.WITHDRAWN: status_list.REVOKED,
    Status.CANCELLED: status_list.INVALID,
    Status.EXPIRED: status_list.INVALID,
    Status.TRANSFERRED: status_list.INVALID,
    Status.OTHER: status_list.INVALID,
}

# The changes staff make, from which statuses, to which.
CHANGES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "suspend": ((Status.VALID,), Status.SUSPENDED, gettext_noop("暂扣")),
    "restore": ((Status.SUSPENDED,), Status.VALID, gettext_noop("恢复有效")),
    "revoke": ((Status.VALID, Status.SUSPENDED), Status.REVOKED, gettext_noop("撤销")),
    "withdraw": ((Status.VALID, Status.SUSPENDED), Status.WITHDRAWN, gettext_noop("吊销")),
    "cancel": ((Status.VALID, Status.SUSPENDED), Status.CANCELLED, gettext_noop("注销")),
}


def change(licence: Licence, action: str, reason: str, user: User | None) -> Licence:
    """A staff status change with its reason (the access check is the caller's, `access`)."""
    if action not in CHANGES:
        raise ValidationError({"action": [_("不支持的操作。")]})
    sources, target, _label = CHANGES[action]
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写原因，持证人和核验方会看到它。")]})
    with transaction.atomic():
        fresh = Licence.objects.select_for_update().get(pk=licence.pk)
        if fresh.status not in sources:
            raise ValidationError(
                {
                    "action": [
                        _("证照当前状态为“%(s)s”，不能%(a)s。")
                        % {"s": fresh.get_status_display(), "a": _(_label)}
                    ]
                }
            )
        return change_status(fresh, target, reason[:300], user, action=action)


def change_status(
    licence: Licence, target: str, reason: str, user: User | None, *, action: str = ""
) -> Licence:
    """Write a status change, its event and outbox message, and rebuild the issuer's status list."""
    before = licence.status
    now = timezone.now()
    Licence.objects.filter(pk=licence.pk).update(status=target, status_reason=reason, status_changed_at=now)
    licence.status, licence.status_reason, licence.status_changed_at = target, reason, now
    LicenceEvent.objects.create(
        licence=licence,
        action=action or {Status.EXPIRED: "expire"}.get(target, "status"),
        from_status=before,
        to_status=target,
        reason=reason,
        actor=user,
        at=now,
    )
    outbox.publish(
        "licence.status_changed",
        {
            "licence": licence.pk,
            "identifier": licence.identifier,
            "from": before,
            "to": target,
            "reason": reason,
        },
    )
    if LIST_VALUE[target] != LIST_VALUE.get(before):
        rebuild_status_list(licence.issuer)
    return licence


def expire_due(today: dt.date | None = None) -> int:
    """The worker's sweep: licences past their validity become 失效 (an indexed range, in batches)."""
    today = today or timezone.localdate()
    done = 0
    while True:
        batch = list(
            Licence.objects.filter(status__in=[Status.VALID, Status.SUSPENDED], valid_until__lt=today)
            .select_related("issuer")
            .order_by("valid_until", "id")[:200]
        )
        if not batch:
            return done
        with transaction.atomic():
            issuers: dict[int, Department] = {}
            for licence in batch:
                before = licence.status
                Licence.objects.filter(pk=licence.pk).update(
                    status=Status.EXPIRED, status_reason=_("有效期届满"), status_changed_at=timezone.now()
                )
                LicenceEvent.objects.create(
                    licence=licence,
                    action="expire",
                    from_status=before,
                    to_status=Status.EXPIRED,
                    reason=_("有效期届满"),
                )
                issuers[licence.issuer_id] = licence.issuer
            for issuer in issuers.values():
                rebuild_status_list(issuer)
        done += len(batch)


# --- The issuer's status list ----------------------------------------------------------------------


def build_status_list(issuer: Department) -> dict:
    """The issuer's signed status list: two bits per licence at its random index; only licences
    not valid are set, so building reads the few that changed."""
    bits = status_list.new()
    rows = (
        Licence.objects.filter(issuer=issuer)
        .exclude(status=Status.VALID)
        .values_list("status_index", "status")
    )
    for index, status in rows:
        status_list.set_status(bits, index, LIST_VALUE[status])
    key = keys.current_key(issuer)
    if key is None:
        raise ValueError(f"{issuer} has no seal key")
    private = keys.private_of(key)
    from yiwang.licences import seal

    return status_list.make_document(
        issuer.uscc,
        issuer.name,
        bits,
        timezone.now(),
        settings.LICENCE_STATUS_LIST_TTL,
        bytes.fromhex(key.kid),
        lambda data: seal.sign(private, data),
    )


def rebuild_status_list(issuer: Department) -> dict | None:
    if keys.current_key(issuer) is None:
        return None
    document = build_status_list(issuer)
    StatusListDocument.objects.update_or_create(
        issuer=issuer, defaults={"document": document, "built_at": timezone.now()}
    )
    return document


def status_list_of(issuer: Department) -> dict | None:
    """The issuer's current status list: the kept one while its time to live lasts, else rebuilt."""
    kept = StatusListDocument.objects.filter(issuer=issuer).first()
    if kept is not None:
        until = kept.document.get("valid_until", "")
        if until and dt.datetime.fromisoformat(until.replace("Z", "+00:00")) > timezone.now() + dt.timedelta(
            seconds=settings.LICENCE_STATUS_LIST_TTL / 2
        ):
            return kept.document
    with transaction.atomic():
        return rebuild_status_list(issuer)

"""The `STAFFING` generation (`core.generations`) follows every change of who serves where: a staff
account made (`services.create_staff`) or edited, a role granted or taken away, an account enabled
or disabled, also through the admin site, whose forms save the models without a service. Hence
signals: each such save or delete bumps the counter in its transaction, so what is kept per
process and keyed on it (`cases.access.unattended_divisions`) is read afresh after the commit.

A sign-in saves the account's `last_login` only (`update_fields`): that changes nobody's service
and bumps nothing. A queryset `update()` sends no signal; nothing in the platform changes staff
that way."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from yiwang.core import generations


def _staff_changed(sender: type, **kwargs: Any) -> None:
    generations.bump(generations.STAFFING)


def _account_saved(sender: type, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from yiwang.accounts.models import AccountKind

    if instance.kind != AccountKind.STAFF:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    generations.bump(generations.STAFFING)


def connect() -> None:
    from yiwang.accounts.models import Staff, StaffRoleGrant, User

    for model in (Staff, StaffRoleGrant):
        post_save.connect(_staff_changed, sender=model, dispatch_uid=f"staffing-{model.__name__}-saved")
        post_delete.connect(_staff_changed, sender=model, dispatch_uid=f"staffing-{model.__name__}-deleted")
    post_save.connect(_account_saved, sender=User, dispatch_uid="staffing-account-saved")

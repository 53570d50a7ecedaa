"""Sign-in rate limiting over the `LoginAttempt` log: shared by every worker process, and an
audit trail at the same time."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import LoginAttempt

# Addresses are shared (an office behind one NAT): they get a larger allowance than one username.
ADDRESS_ALLOWANCE_FACTOR = 4


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        minutes = max(1, (self.retry_after + 59) // 60)
        return _("登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}


def _retry_after(failures: QuerySet[LoginAttempt], allowance: int, window: int) -> int | None:
    """Seconds until the oldest counted failure leaves the window, or None when under allowance."""
    recent = list(failures.order_by("-at").values_list("at", flat=True)[:allowance])
    if len(recent) < allowance:
        return None
    leaves_at = recent[-1] + dt.timedelta(seconds=window)
    return max(int((leaves_at - timezone.now()).total_seconds()), 1)


def check_allowed(username: str, ip: str | None) -> None:
    """Raise TooManyAttempts when the username (since its last success) or the address failed too
    often within the window."""
    limit, window = settings.LOGIN_RATE_LIMIT, settings.LOGIN_RATE_WINDOW_SECONDS
    since = timezone.now() - dt.timedelta(seconds=window)
    name = username.lower()
    last_success = (
        LoginAttempt.objects.filter(username=name, succeeded=True, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    by_name = LoginAttempt.objects.filter(username=name, succeeded=False, at__gte=last_success or since)
    retry = _retry_after(by_name, limit, window)
    if retry is None and ip:
        by_address = LoginAttempt.objects.filter(ip_address=ip, succeeded=False, at__gte=since)
        retry = _retry_after(by_address, limit * ADDRESS_ALLOWANCE_FACTOR, window)
    if retry is not None:
        raise TooManyAttempts(retry)


def record(username: str, ip: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], ip_address=ip, succeeded=succeeded)


def purge_older_than(days: int = 180) -> int:
    deleted, _detail = LoginAttempt.objects.filter(at__lt=timezone.now() - dt.timedelta(days=days)).delete()
    return deleted

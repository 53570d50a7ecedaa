"""Background housekeeping of accounts, run by `yiwang worker`."""

from __future__ import annotations

from django_tasks import task

from yiwang.accounts import throttle


@task()
def purge_login_counters() -> int:
    """Sign-in counters with nothing left to remember."""
    return throttle.purge_quiet_counters()

"""Sign-in limits, shared by every worker process through the database.

Three counters (`LoginThrottle` rows), all settings in `settings.py` (README, "Rate limits"):

- **(account, address)**: the first `LOGIN_RATE_LIMIT` (5) failures of one account from one
  address are free; after that each further attempt must wait, `LOGIN_DELAY_SECONDS` (60 s) after
  the fifth failure, doubling with each further failure up to `LOGIN_DELAY_MAX_SECONDS`
  (15 minutes). A success resets it; a day without failures (`LOGIN_FORGET_SECONDS`) forgets it.
  Someone guessing from elsewhere has a pair of their own: they cannot lock the owner out.
- **address**, across accounts (credential stuffing): `LOGIN_ADDRESS_LIMIT` (200) failures per
  `LOGIN_RATE_WINDOW_SECONDS` (15 minutes, a fixed window). Generous, so an office or a mobile
  network behind one NAT does not reach it in normal use. IPv6 addresses count by their /64.
- **second factor**, per account: wrong TOTP codes, with the same free allowance and delays.
  Whoever reaches this step knows the password, so counting per account locks out no innocent
  stranger, and a code cannot be guessed from many addresses.

An attempt is *claimed* before the password is checked: in one transaction, the rows are locked
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transaction takes the write lock),
checked and counted as a failure. A success then gives the claim back. So parallel attempts,
in any number of processes, never check more passwords than the limit allows.
`LoginAttempt` keeps every attempt as the audit trail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import LoginAttempt, LoginThrottle

PAIR, ADDRESS, SECOND_FACTOR = "pair", "address", "second_factor"


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int, scope: str = PAIR):
        self.retry_after = retry_after
        self.scope = scope
        super().__init__(self.message)

    @property
    def message(self) -> str:
        minutes = max(1, (self.retry_after + 59) // 60)
        if self.scope == ADDRESS:
            return _("您所在网络的登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
        return _("登录失败次数过多，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}


@dataclasses.dataclass(frozen=True)
class Claim:
    """One attempt counted in advance; `succeeded` gives it back."""

    counted: str  # the key of the pair (password) or second-factor row
    address: str
    address_window: dt.datetime


def network(ip: str | None) -> str:
    """The address as counted: IPv4 as is, IPv6 by its /64 (one subscriber's whole prefix)."""
    if not ip:
        return "-"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _name(username: str) -> str:
    return (username or "").lower()[:150]


def _keys(username: str, ip: str | None) -> tuple[str, str, str]:
    name, net = _name(username), network(ip)
    return f"p:{name}|{net}", f"a:{net}", f"o:{name}"


def delay_after(failures: int) -> int:
    """Seconds to wait after the n-th consecutive failure (0 while still free)."""
    free = settings.LOGIN_RATE_LIMIT
    if failures < free:
        return 0
    return min(settings.LOGIN_DELAY_SECONDS * 2 ** min(failures - free, 30), settings.LOGIN_DELAY_MAX_SECONDS)


def _seconds_until(moment: dt.datetime | None, now: dt.datetime) -> int:
    if moment is None or moment <= now:
        return 0
    return max(1, int((moment - now).total_seconds() + 0.999))


def _forget_if_quiet(row: LoginThrottle, now: dt.datetime) -> None:
    quiet = dt.timedelta(seconds=settings.LOGIN_FORGET_SECONDS)
    if (
        row.last_failure_at is not None
        and now - row.last_failure_at > quiet
        and not _seconds_until(row.blocked_until, now)
    ):
        row.failures, row.blocked_until = 0, None


def _wait(row: LoginThrottle | None, now: dt.datetime) -> int:
    """Seconds before the counter `row` (a pair or second-factor row) allows another attempt."""
    if row is None or row.failures < settings.LOGIN_RATE_LIMIT:
        return 0
    return _seconds_until(row.blocked_until, now)


def _address_wait(row: LoginThrottle, now: dt.datetime) -> int:
    window = dt.timedelta(seconds=settings.LOGIN_RATE_WINDOW_SECONDS)
    if now - row.window_start >= window:
        row.window_start, row.failures = now, 0
    if row.failures < settings.LOGIN_ADDRESS_LIMIT:
        return 0
    return _seconds_until(row.window_start + window, now)


def _locked(keys: list[str], now: dt.datetime) -> dict[str, LoginThrottle]:
    """The rows of `keys`, created if missing and locked until the transaction ends (in key
    order, so two claims never wait on each other crosswise)."""
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=key, window_start=now) for key in keys], ignore_conflicts=True
    )
    rows = LoginThrottle.objects.select_for_update().filter(key__in=keys).order_by("key")
    return {row.key: row for row in rows}


def _count_failure(row: LoginThrottle, now: dt.datetime) -> None:
    row.failures += 1
    row.last_failure_at = now
    wait = delay_after(row.failures)
    row.blocked_until = now + dt.timedelta(seconds=wait) if wait else None


def _claim(counted_key: str, address_key: str, also_check: str | None) -> Claim:
    now = timezone.now()
    with transaction.atomic():
        rows = _locked([counted_key, address_key], now)
        counted, address = rows[counted_key], rows[address_key]
        _forget_if_quiet(counted, now)
        waits = [(_wait(counted, now), PAIR if counted_key.startswith("p:") else SECOND_FACTOR)]
        if also_check:
            other = LoginThrottle.objects.filter(key=also_check).first()
            if other is not None:
                _forget_if_quiet(other, now)
                waits.append((_wait(other, now), SECOND_FACTOR))
        waits.append((_address_wait(address, now), ADDRESS))
        retry, scope = max(waits, key=lambda wait: wait[0])
        if retry:
            raise TooManyAttempts(retry, scope)
        _count_failure(counted, now)
        address.failures += 1
        address.last_failure_at = now
        counted.save(update_fields=["failures", "last_failure_at", "blocked_until"])
        address.save(update_fields=["failures", "last_failure_at", "window_start"])
    return Claim(counted_key, address_key, address.window_start)


def claim_password(username: str, ip: str | None) -> Claim:
    """Before a password is checked: raise TooManyAttempts, or count the attempt as a failure
    (given back by `succeeded`). An account locked at its second factor is refused too, whatever
    the password (so the refusal says nothing about it)."""
    pair, address, second_factor = _keys(username, ip)
    return _claim(pair, address, also_check=second_factor)


def claim_second_factor(username: str, ip: str | None) -> Claim:
    """Before a TOTP code is checked: counted per account (and toward the address's ceiling)."""
    _pair, address, second_factor = _keys(username, ip)
    return _claim(second_factor, address, also_check=None)


def succeeded(claim: Claim) -> None:
    """The password (or code) was right: reset its counter and give the address its failure back."""
    LoginThrottle.objects.filter(key=claim.counted).update(failures=0, blocked_until=None)
    LoginThrottle.objects.filter(key=claim.address, window_start=claim.address_window, failures__gt=0).update(
        failures=F("failures") - 1
    )


def record(username: str, ip: str | None, succeeded: bool) -> None:
    """The audit trail: every attempt that was checked."""
    LoginAttempt.objects.create(username=_name(username), ip_address=ip, succeeded=succeeded)


def purge_older_than(days: int = 180) -> int:
    deleted, _detail = LoginAttempt.objects.filter(at__lt=timezone.now() - dt.timedelta(days=days)).delete()
    return deleted


def purge_quiet_counters() -> int:
    """Drop counters with nothing left to remember (run by the worker)."""
    now = timezone.now()
    horizon = now - dt.timedelta(
        seconds=max(settings.LOGIN_FORGET_SECONDS, settings.LOGIN_RATE_WINDOW_SECONDS)
    )
    deleted, _detail = (
        LoginThrottle.objects.filter(last_failure_at__lt=horizon).exclude(blocked_until__gt=now).delete()
    )
    stale, _detail = LoginThrottle.objects.filter(failures=0, window_start__lt=horizon).delete()
    return deleted + stale

"""Who may see and act on which case, in one place. Anything else answers 404.

- An applicant sees the cases they applied for as a person, and those of the enterprises they act
  for (the enterprise's own account, or an authorised agent).
- Staff see, within their division subtree: their own department's cases; window clerks also the
  cases at their own level of government (一窗受理 at the hall) and those they took in. Staff
  never see drafts, except the window clerks of the department that took in a window intake
  draft (`window_draft`): the hall's window registers it, any of its clerks may complete it.
- Supervisors and platform administrators see every case in their division subtree.

Of what they see, the queue's 待办 holds what waits for them now (`todo_filter`), and its 事项
filter offers the entries of what they see (`queue_entries`).
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Iterable
from functools import reduce

from django.db import connection
from django.db.models import Q, QuerySet

from yiwang.accounts import access
from yiwang.accounts.models import AccountKind, StaffRole, User
from yiwang.cases.models import Case, Channel
from yiwang.cases.rules import Actor, State, actionable_states, step_states
from yiwang.catalog.models import Entry
from yiwang.core import generations
from yiwang.core.memo import Memo
from yiwang.core.models import Division

STAFF_ACTORS = {
    StaffRole.WINDOW_CLERK: Actor.WINDOW_CLERK,
    StaffRole.REVIEWER: Actor.REVIEWER,
    StaffRole.APPROVER: Actor.APPROVER,
}


def applicant_filter(user: User) -> Q | None:
    """The cases an applicant account may see, or None for no applicant rights."""
    if not user.is_authenticated or user.kind == AccountKind.STAFF:
        return None
    q = Q(pk__in=[])
    if user.kind == AccountKind.PERSON and hasattr(user, "person"):
        q |= Q(applicant_person_id=user.person.pk, applicant_enterprise__isnull=True)
    enterprises = [e.pk for e in access.enterprises_acted_for(user)]
    if enterprises:
        q |= Q(applicant_enterprise_id__in=enterprises)
    return q


def in_division_tree(prefix: str) -> Q:
    """Cases of the division subtree whose codes start with `prefix`.

    On PostgreSQL as the range of the 12-digit codes it spans, which its indexes can serve (LIKE
    'prefix%' cannot under a non-C collation; the tab counts then read `case_open_counts` alone).
    On SQLite as LIKE, which it never serves from an index: its planner, without value
    statistics, would otherwise take a city-wide range for selective and sort the whole city's
    cases instead of walking the queue-order index and stopping after a page (bench/cases.py).
    """
    if connection.vendor == "sqlite":
        return Q(division_code__startswith=prefix)
    return Q(division_code__gte=prefix.ljust(12, "0"), division_code__lte=prefix.ljust(12, "9"))


def staff_filter(user: User) -> Q | None:
    prefix = access.staff_division_prefix(user)
    if prefix is None:
        return None
    roles = access.staff_roles(user)
    in_tree = in_division_tree(prefix)
    if roles & {StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN}:
        return in_tree
    staff = user.staff
    q = Q(department_id=staff.department_id)
    if StaffRole.WINDOW_CLERK in roles:
        q |= Q(division_code=staff.division.code) | Q(intake_department_id=staff.department_id)
    # A clerk also keeps the cases they took in for another level (就近办, 通办).
    return q if StaffRole.WINDOW_CLERK in roles else in_tree & q


UNATTENDED_SECONDS = 300  # the longest a subtree's count is kept, whatever changes
_unattended = Memo(size=256, ttl=UNATTENDED_SECONDS)


def unattended_divisions(user: User) -> list[tuple[Division, int]]:
    """Divisions of `user`'s subtree with active published entries and no active window clerk, with
    how many entries: a case applied for online waits for acceptance, and by `staff_filter` only a
    clerk of the case's own division (or its department) sees it, so nobody's 待办 would hold it.
    For supervisors and platform administrators (the workbench's home page warns them). A
    province-wide count reads every entry (~60 ms at 50,000): kept per process and subtree for
    `UNATTENDED_SECONDS`, outside transactions, and keyed on who serves (`STAFFING`: a new window
    clerk lifts the warning) and on what is published (`CATALOG`): this process's own change
    shows at once, another's within `generations.FRESH`."""
    prefix = access.staff_division_prefix(user)
    if prefix is None or not access.staff_roles(user) & {StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN}:
        return []
    if not generations.memo_usable():
        return _unattended_in(prefix)
    key = f"{prefix}:{generations.seen(generations.STAFFING)}:{generations.seen(generations.CATALOG)}"
    return _unattended.get(key, lambda: _unattended_in(prefix))


def _unattended_in(prefix: str) -> list[tuple[Division, int]]:
    from django.db.models import Count

    from yiwang.accounts.models import Staff
    from yiwang.catalog.models import EntryStatus

    clerks = Staff.objects.filter(user__is_active=True, role_grants__role=StaffRole.WINDOW_CLERK)
    published = Q(  # accepting applications: a suspended entry takes none
        departments__entries__published__isnull=False, departments__entries__status=EntryStatus.ACTIVE
    )
    rows = (
        Division.objects.filter(code__startswith=prefix)
        .exclude(pk__in=clerks.values("division_id"))
        .annotate(entries=Count("departments__entries", filter=published))
        .filter(entries__gt=0)
        .order_by("code")
    )
    return [(division, division.entries) for division in rows]


def todo_filter(user: User, running: Iterable[State]) -> Q:
    """待办: of the cases in `running` states, those that wait for `user` now (to be ANDed with
    `visible_cases`). One condition on indexed columns, no join: state IN (…), and for the
    states in review the `step_role` column (a reviewer's or approver's list walks the index
    `case_step_queue`, however short it is).

    A case waits for a handling role when the procedure table says so (`rules.actionable_states`:
    the window goes first for acceptance, 办结 and delivery) and, in review (`rules.step_states`),
    when its current step is that role's. As in `staff_actors`, a window clerk takes the turn on
    every case they see; a reviewer or approver only on their own department's.

    Staff whose roles act on nothing in the procedure (supervisors, platform administrators,
    item administrators) would otherwise find 待办 always empty: theirs is every running case they
    see (在办), which is what they watch. A watcher who also handles cases gets the handler's 待办.
    """
    running = frozenset(running)
    roles = access.staff_roles(user)
    actors = sorted(actor for role, actor in STAFF_ACTORS.items() if role in roles)
    if not actors:
        return Q(state__in=sorted(running))
    review = step_states()
    parts = []
    for actor in actors:
        states = actionable_states(actor) & running
        mine = []
        if states - review:
            mine.append(Q(state__in=sorted(states - review)))
        if states & review:
            mine.append(Q(state__in=sorted(states & review), step_role=actor.value))
        if mine and actor != Actor.WINDOW_CLERK:
            parts.append(Q(department_id=user.staff.department_id) & reduce(operator.or_, mine))
        else:
            parts.extend(mine)
    return reduce(operator.or_, parts) if parts else Q(pk__in=[])


def queue_entries(user: User, department: int | None = None) -> QuerySet[Entry]:
    """The published entries `user` may filter the queue by (事项), those of the cases they see
    (`staff_filter`), by department (division, then name) and code:

    - a window clerk: their hall's, i.e. the entries of every department at their level (what
      window intake offers as 本级) and their own department's;
    - other handling staff and item administrators: their department's;
    - supervisors and platform administrators: their division tree's, or of one `department`
      of it when they filter by department (the caller caps the list).
    """
    prefix = access.staff_division_prefix(user)
    if prefix is None:
        return Entry.objects.none()
    roles = access.staff_roles(user)
    staff = user.staff
    if roles & {StaffRole.SUPERVISOR, StaffRole.PLATFORM_ADMIN}:
        q = Q(department__division__code__startswith=prefix)
        if department:
            q &= Q(department_id=department)
    elif StaffRole.WINDOW_CLERK in roles:
        q = Q(department__division_id=staff.division_id) | Q(department_id=staff.department_id)
    else:
        q = Q(department_id=staff.department_id)
    return Entry.objects.filter(q, published__isnull=False).order_by(
        "department__division__code", "department__name", "department_id", "code"
    )


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case `user` may open (drafts only for their own applicant)."""
    qs = Case.objects.all()
    if (q := applicant_filter(user)) is not None:
        return qs.filter(q)
    if (q := staff_filter(user)) is not None:
        return qs.filter(q).exclude(state="draft")
    return qs.none()


def case_for(user: User, number_or_key: str) -> Case | None:
    """The case by number (or a draft by its key) if `user` may see it; None means answer 404.

    By key also a window intake draft (一窗受理) to the window clerks of the department that took
    it in (`window_draft`): it is theirs to complete and submit, through every draft endpoint."""
    qs = visible_cases(user).select_related("entry", "version", "department", "situation")
    number_or_key = (number_or_key or "").strip()
    if not number_or_key or len(number_or_key) > 48:
        return None
    if len(number_or_key) == 36 and number_or_key.count("-") == 4:
        try:
            key = uuid.UUID(number_or_key)
        except ValueError:
            return None
        return qs.filter(draft_key=key).first() or window_draft(user, key)
    return qs.filter(number=number_or_key).first()


def is_applicant_of(user: User, case: Case) -> bool:
    """Whether `user` applied for `case` (or acts for its enterprise); remembered on the case
    object, since who applied never changes and one request asks several times."""
    memo = case.__dict__.setdefault("_applicant_of", {})
    if user.pk not in memo:
        q = applicant_filter(user)
        memo[user.pk] = q is not None and Case.objects.filter(q, pk=case.pk).exists()
    return memo[user.pk]


def staff_actors(user: User, case: Case) -> set[Actor]:
    """The procedure roles `user` holds for `case` (empty if it is not theirs to handle)."""
    if (q := staff_filter(user)) is None or not Case.objects.filter(q, pk=case.pk).exists():
        return set()
    roles = access.staff_roles(user)
    actors = {actor for role, actor in STAFF_ACTORS.items() if role in roles}
    if StaffRole.WINDOW_CLERK not in roles:
        # Reviewers and approvers act only on their own department's cases.
        actors = actors if user.staff.department_id == case.department_id else set()
    elif user.staff.department_id != case.department_id:
        actors &= {Actor.WINDOW_CLERK}
    return actors


def window_draft(user: User, key: str | uuid.UUID) -> Case | None:
    """A window intake draft (一窗受理) being registered by `user`'s hall, by its draft key.

    Staff never see drafts through `access.visible_cases`; a window draft is the exception for
    the clerks of the department that took it in, until it is submitted."""
    if not access.has_role(user, StaffRole.WINDOW_CLERK):
        return None
    q = staff_filter(user)
    if q is None:
        return None
    return (
        Case.objects.filter(
            q,
            draft_key=key,
            state=State.DRAFT,
            channel=Channel.WINDOW,
            intake_department_id=user.staff.department_id,
        )
        .select_related(
            "entry", "version", "department", "situation", "applicant_person", "applicant_enterprise"
        )
        .first()
    )

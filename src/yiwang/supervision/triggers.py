"""Each state rule as a query over indexed columns: the subjects that trip it today.

A `Trip` is the base queryset (cases, supervision's `Watch` rows, or 差评 loops), the field that
names its subject, the field that names its case (to judge one case after its event), and the
columns a new warning copies. The pass turns each into two or three set statements (new trips
inserted, cleared warnings closed); never a Python loop over cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

from yiwang.cases.models import Case
from yiwang.cases.rules import State
from yiwang.core import workdays
from yiwang.ratings.models import FollowUp
from yiwang.ratings.rules import LOOP_OPEN
from yiwang.supervision.models import Watch

# States whose current deadline runs (the work in hand), as the queues count them.
RUNNING = [
    State.SUBMITTED,
    State.ACCEPTED,
    State.UNDER_REVIEW,
    State.APPROVED,
    State.REFUSED,
    State.COMPLETED,
]
REVIEW = [State.ACCEPTED, State.UNDER_REVIEW]


@dataclass(frozen=True)
class Trip:
    qs: QuerySet
    subject: str  # the field of `qs` naming the warning's subject (a case, or a loop)
    case_field: str  # the field of `qs` naming the case
    columns: dict[str, Any]  # case_id, follow_up_id, department_id, division_code, due_date

    def for_case(self, case_id: int) -> Trip:
        return Trip(self.qs.filter(**{self.case_field: case_id}), self.subject, self.case_field, self.columns)


def _case_columns(due: str) -> dict[str, Any]:
    return {
        "w_case": F("pk"),
        "w_department": F("department_id"),
        "w_division": F("division_code"),
        "w_due": F(due),
    }


def _watch_columns(due: str) -> dict[str, Any]:
    """A `Watch` row's case and the case's department and division, and the `due` column."""
    return {
        "w_case": F("case_id"),
        "w_department": F("case__department_id"),
        "w_division": F("case__division_code"),
        "w_due": F(due),
    }


def trip(code: str, today: dt.date, params: dict[str, int]) -> Trip:
    if code == "acceptance_overdue":  # case_acceptance_due (state, acceptance_due)
        qs = Case.objects.filter(state=State.SUBMITTED, acceptance_due__lt=today)
        return Trip(qs, "pk", "pk", _case_columns("acceptance_due"))
    if code == "deadline_near":  # case_open_counts (state, division_code, due_date, warn_from)
        # Yellow from the case's own warning day, or when only `workdays_left` remain, or (with a
        # share set) when that share of the decision limit is used: whichever comes first.
        near = Q(warn_from__lte=today)
        if params.get("workdays_left"):
            near |= Q(due_date__lte=workdays.add_workdays_or_assumed(today, params["workdays_left"]))
        if params.get("share_percent"):
            near |= Q(pk__in=Watch.objects.filter(yellow_from__lte=today).values("case_id"))
        qs = Case.objects.filter(near, state__in=RUNNING, due_date__gte=today)
        return Trip(qs, "pk", "pk", _case_columns("due_date"))
    if code == "deadline_overdue":  # case_due (due_date, id); acceptance has its own rule
        qs = Case.objects.filter(state__in=RUNNING, due_date__lt=today).exclude(state=State.SUBMITTED)
        return Trip(qs, "pk", "pk", _case_columns("due_date"))
    if code == "step_overrun":  # watch_step_due (partial)
        qs = Watch.objects.filter(step_due__lt=today, case__state__in=REVIEW)
        return Trip(qs, "case_id", "case_id", _watch_columns("step_due"))
    if code == "correction_pending":  # watch_correction_due (partial)
        qs = Watch.objects.filter(correction_due__lt=today, case__state=State.CORRECTION_REQUESTED)
        return Trip(qs, "case_id", "case_id", _watch_columns("correction_due"))
    if code == "commitment_overdue":  # case_commitment_due (partial)
        qs = Case.objects.filter(
            commitment_due__lt=today,
            commitment_overdue=True,
            state__in=[State.ACCEPTED, State.UNDER_REVIEW, State.SUSPENDED],
        )
        return Trip(qs, "pk", "pk", _case_columns("commitment_due"))
    if code == "follow_up_overdue":  # followup_open_division (partial)
        qs = FollowUp.objects.filter(state__in=[s.value for s in LOOP_OPEN], due_date__lt=today)
        return Trip(
            qs,
            "pk",
            "rating__case_id",
            {
                "w_case": F("rating__case_id"),
                "w_follow_up": F("pk"),
                "w_department": F("department_id"),
                "w_division": F("division_code"),
                "w_due": F("due_date"),
            },
        )
    raise KeyError(code)

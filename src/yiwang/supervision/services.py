"""Every change of electronic supervision: the worker's pass over the state rules, the judgement
of one case after each of its events (its review step's clock, the event rules, the state rules
for that case), the handler's answer to a warning, 督办 orders and their reports, and an
administrator's rule settings.

The pass is set statements per rule (`triggers.Trip`): new trips inserted, warnings whose
condition cleared closed. What the handlers are told goes out after commit (outbox
`supervision.raised`, one message per department and pass).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.cases import clock, published
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.models import Case, Channel
from yiwang.catalog.models import CaseKind
from yiwang.core import outbox, workdays
from yiwang.core.models import Department
from yiwang.supervision import access, rules, triggers
from yiwang.supervision.models import Order, Rule, Warning, Watch

ANSWER_WORKDAYS = 2


def settings_of() -> dict[str, tuple[bool, dict[str, int]]]:
    """Each rule's (enabled, parameters): the declared defaults under the administrator's rows."""
    rows = {r.code: r for r in Rule.objects.all()}
    return {
        code: (
            rows[code].enabled if code in rows else True,
            rules.params_of(code, rows[code].params if code in rows else None),
        )
        for code in rules.RULES
    }


# --- The pass ---------------------------------------------------------------------------------------


def _raise(
    trip: triggers.Trip, spec: rules.RuleSpec, now: dt.datetime, limit: int | None = None
) -> list[dict]:
    """Insert a warning for each subject that trips `spec` and has no live one; returns them."""
    subject_col = "follow_up_id" if spec.subject == "follow_up" else "case_id"
    live = Warning.objects.filter(rule=spec.code, cleared_at__isnull=True).values(subject_col)
    rows = trip.qs.exclude(**{f"{trip.subject}__in": live}).values(**trip.columns)
    found = list(rows[:limit] if limit else rows)
    if not found:
        return []
    answer_due = rules.answer_due(timezone.localdate(now), workdays.add_workdays_or_assumed, ANSWER_WORKDAYS)
    Warning.objects.bulk_create(
        [
            Warning(
                rule=spec.code,
                colour=spec.colour,
                case_id=row["w_case"],
                follow_up_id=row.get("w_follow_up"),
                department_id=row["w_department"],
                division_code=row["w_division"],
                raised_at=now,
                due_date=row["w_due"],
                answer_due=answer_due,
            )
            for row in found
        ],
        ignore_conflicts=True,  # the case's own event may have raised it a moment ago
        batch_size=2000,
    )
    return found


def _clear(trip: triggers.Trip, spec: rules.RuleSpec, now: dt.datetime, case_id: int | None = None) -> int:
    subject_col = "follow_up_id" if spec.subject == "follow_up" else "case_id"
    live = Warning.objects.filter(rule=spec.code, cleared_at__isnull=True)
    if case_id is not None:
        live = live.filter(case_id=case_id)
    return live.exclude(**{f"{subject_col}__in": trip.qs.values(trip.subject)}).update(cleared_at=now)


def run_pass(today: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Evaluate every enabled state rule over all subjects (the worker, every few minutes)."""
    now = clock.now()
    if today is not None and today != timezone.localdate(now):
        # A pass run for another day (a catch-up, a test): its cards are dated that day.
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(8, 0)))
    today = today or timezone.localdate(now)
    counts: dict[str, dict[str, int]] = {}
    raised_by_department: dict[int, Counter] = {}
    for code, (enabled, params) in settings_of().items():
        spec = rules.RULES[code]
        if spec.kind != "state":
            continue
        with transaction.atomic():
            if not enabled:
                cleared = Warning.objects.filter(rule=code, cleared_at__isnull=True).update(cleared_at=now)
                counts[code] = {"raised": 0, "cleared": cleared}
                continue
            trip = triggers.trip(code, today, params)
            found = _raise(trip, spec, now)
            cleared = _clear(trip, spec, now)
            for row in found:
                raised_by_department.setdefault(row["w_department"], Counter())[spec.colour] += 1
            counts[code] = {"raised": len(found), "cleared": cleared}
    _tell(raised_by_department, now)
    return counts


def _tell(raised: dict[int, Counter], now: dt.datetime) -> None:
    """One message per department that got new warnings (notices, after commit)."""
    if not raised:
        return
    outbox.publish_many(
        [
            outbox.message(
                "supervision.raised",
                {
                    "department": dept,
                    "red": c.get("red", 0),
                    "yellow": c.get("yellow", 0),
                    "at": now.isoformat(),
                },
            )
            for dept, c in raised.items()
        ]
    )


# --- One case, after its event ----------------------------------------------------------------------

STEP_STARTS = {
    "accept",
    "accept_with_pending",
    "deem_accepted",
    "pass_step",
    "return_step",
    "propose_refusal",
    "resume",
}
# The events after which the share of the decision limit is measured again (the clock started,
# was extended, or resumed after a pause).
YELLOW_STARTS = {"accept", "accept_with_pending", "deem_accepted", "extend", "resume"}
STEP_ENDS = {
    "suspend",
    "approve",
    "refuse",
    "not_accept",
    "withdraw",
    "terminate",
    "decide_on_the_spot",
    "approve_on_commitment",
    "complete",
}
CORRECTION_ENDS = {"resubmit", "withdraw", "terminate", "not_accept"}
CLOSING = {"approve", "refuse", "complete", "decide_on_the_spot", "approve_on_commitment", "deliver"}


def _watch(case: Case, action: str, on: dt.date, settings: dict) -> None:
    changes: dict[str, Any] = {}
    if action in YELLOW_STARTS and case.accepted_on is not None:
        share = settings["deadline_near"][1].get("share_percent", 0)
        days = rules.yellow_share_workdays(case.limit_workdays, case.extension_workdays, share)
        changes["yellow_from"] = (
            workdays.add_workdays_or_assumed(case.accepted_on, days + case.paused_workdays) if days else None
        )
    if action in STEP_STARTS and case.state in triggers.REVIEW:
        parts = published.published(case.version)
        share = settings["step_overrun"][1].get("share_percent", 0)
        days = rules.step_workdays(case.limit_workdays, len(parts.review_steps), share)
        changes.update(
            step=case.review_step, step_started_on=on, step_due=workdays.add_workdays_or_assumed(on, days)
        )
    elif action in STEP_ENDS:
        changes.update(step_started_on=None, step_due=None)
    if action == "request_correction":
        wait = settings["correction_pending"][1].get("workdays", 10)
        changes.update(correction_since=on, correction_due=workdays.add_workdays_or_assumed(on, wait))
    elif action in CORRECTION_ENDS:
        changes.update(correction_since=None, correction_due=None)
    if changes:
        Watch.objects.update_or_create(case=case, defaults=changes)


def _event_trips(case: Case, payload: dict, settings: dict) -> list[tuple[str, str]]:
    """The event rules `payload` trips: [(rule code, detail)]."""
    action = payload.get("action", "")
    found: list[tuple[str, str]] = []
    enabled = {code for code, (on, _p) in settings.items() if on}
    if "reason_missing" in enabled and action in {"extend", "suspend"}:
        reason = payload.get("reason") or ""
        if rules.reason_too_short(reason, settings["reason_missing"][1]["min_chars"]):
            found.append(("reason_missing", reason[:200]))
    if "refused_complete" in enabled and action == "not_accept":
        from yiwang.cases import drafts

        if not any(item.missing for item in drafts.checklist(case)):
            found.append(("refused_complete", (payload.get("reason") or "")[:200]))
    if "outside_system" in enabled and action in CLOSING:
        instant = published.published(case.version).case_kind == CaseKind.INSTANT
        if rules.looks_outside(
            window=case.channel == Channel.WINDOW,
            instant=instant,
            created_at=case.created_at,
            closed_at=dt.datetime.fromisoformat(payload["at"]) if payload.get("at") else case.closed_at,
            result_before=(earlier := _result_before(case, settings["outside_system"][1]["days"]))
            is not None,
            minutes=settings["outside_system"][1]["minutes"],
        ):
            found.append(("outside_system", f"{action} · {earlier}" if earlier else action))
    return found


def _result_before(case: Case, days: int) -> str | None:
    """The number of a licence the case's entry issues, given to the case's applicant by the
    case's department without any case (outside the system's procedure) on or up to `days` days
    before the case was created: the result existed before the application. None if there is
    none. Licences issued through a case, or long before (a 延续 of an old licence), do not count."""
    from yiwang.licences.models import Licence

    if case.applicant_enterprise_id:
        holder = case.applicant_enterprise.uscc
    elif case.applicant_person_id:
        holder = case.applicant_person.id_number
    else:
        return None
    created = timezone.localdate(case.created_at)
    return (
        Licence.objects.filter(
            case__isnull=True,
            licence_type__entries=case.entry_id,
            issuer_id=case.department_id,
            holder_id=holder,
            issued_on__lte=created,
            issued_on__gte=created - dt.timedelta(days=days),
        )
        .values_list("number", flat=True)
        .first()
    )


def judge_event(case: Case, payload: dict, settings: dict | None = None) -> list[Warning]:
    """What one event of `case` changes: its review step's clock, and the event rules' warnings
    (once per event: a repeated delivery or a replay finds them)."""
    settings = settings or settings_of()
    at = dt.datetime.fromisoformat(payload["at"]) if payload.get("at") else clock.now()
    on = timezone.localdate(at)
    _watch(case, payload.get("action", ""), on, settings)
    answer_due = rules.answer_due(on, workdays.add_workdays_or_assumed, ANSWER_WORKDAYS)
    raised = []
    for code, detail in _event_trips(case, payload, settings):
        spec = rules.RULES[code]
        warning, created = Warning.objects.get_or_create(
            case=case,
            rule=code,
            event_seq=payload.get("seq") or 0,
            defaults={
                "colour": spec.colour,
                "department_id": case.department_id,
                "division_code": case.division_code,
                "raised_at": at,
                "detail": detail,
                "answer_due": answer_due,
                # Judged once, it stands (answered or not) and is never cleared by a pass.
                "cleared_at": at,
            },
        )
        if created:
            raised.append(warning)
    return raised


def judge_case(case: Case, payload: dict) -> list[Warning]:
    """After one event of `case`: the event's own judgement, then the state rules for this case
    alone (raised and cleared at once, not at the next pass)."""
    now = clock.now()
    settings = settings_of()
    with transaction.atomic():
        raised = judge_event(case, payload, settings)
        today = clock.today()
        counted: Counter = Counter(w.colour for w in raised)
        for code, (enabled, params) in settings.items():
            spec = rules.RULES[code]
            if spec.kind != "state" or not enabled:
                continue
            trip = triggers.trip(code, today, params).for_case(case.pk)
            for _row in _raise(trip, spec, now):
                counted[spec.colour] += 1
            _clear(trip, spec, now, case_id=case.pk)
        if counted.get("red"):
            _tell({case.department_id: counted}, now)
    return raised


def judge_follow_up(follow_up_id: int) -> None:
    """After a step of a 差评's loop: its overdue warning is raised or cleared at once."""
    from yiwang.ratings.models import FollowUp

    follow_up = FollowUp.objects.filter(pk=follow_up_id).select_related("rating").first()
    if follow_up is None:
        return
    enabled, params = settings_of()["follow_up_overdue"]
    if not enabled:
        return
    spec = rules.RULES["follow_up_overdue"]
    now = clock.now()
    trip = triggers.trip("follow_up_overdue", clock.today(), params)
    trip = triggers.Trip(trip.qs.filter(pk=follow_up.pk), trip.subject, trip.case_field, trip.columns)
    with transaction.atomic():
        _raise(trip, spec, now)
        Warning.objects.filter(rule=spec.code, follow_up_id=follow_up.pk, cleared_at__isnull=True).exclude(
            follow_up_id__in=trip.qs.values("pk")
        ).update(cleared_at=now)


# --- The handler's answer, 督办 ----------------------------------------------------------------------


def answer(user: User, warning: Warning, reason: str, action: str) -> Warning:
    """The handler explains a warning: why, and what is being done. After its time it is still
    accepted, and shown as late."""
    if not access.may_answer(user, warning):
        raise NotYourAction(_("只有被预警部门的经办人员可以说明预警。"), [])
    reason, action = reason.strip(), action.strip()
    problems = {}
    if not reason:
        problems["reason"] = [_("请写明原因。")]
    if not action:
        problems["action"] = [_("请写明采取的措施。")]
    if problems:
        raise ValidationError(problems)
    changed = Warning.objects.filter(pk=warning.pk, state=Warning.OPEN).update(
        state=Warning.ANSWERED,
        reason=reason[:2000],
        action=action[:2000],
        answered_by=user,
        answered_at=clock.now(),
    )
    if not changed:
        raise CaseConflict(_("该预警已经说明过。"), code="answered")
    warning.refresh_from_db()
    return warning


def issue_order(
    user: User,
    *,
    instruction: str,
    due_date: dt.date,
    case: Case | None = None,
    department: Department | None = None,
    warning: Warning | None = None,
) -> Order:
    """督办: a supervisor orders a case's department (or a department) to act by a date."""
    if warning is not None:
        case = warning.case
    if case is not None:
        department = case.department
    if department is None:
        raise ValidationError({"department": [_("请指定督办的办件或部门。")]})
    division_code = case.division_code if case is not None else department.division.code
    if not access.may_order(user, division_code):
        raise NotYourAction(_("只有辖区的监察人员可以督办。"), [])
    instruction = instruction.strip()
    problems = {}
    if not instruction:
        problems["instruction"] = [_("请写明督办要求。")]
    if due_date < clock.today():
        problems["due_date"] = [_("办理期限不能早于今天。")]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        order = Order.objects.create(
            case=case,
            warning=warning,
            department=department,
            division_code=division_code,
            instruction=instruction[:2000],
            due_date=due_date,
            issued_by=user,
            issued_at=clock.now(),
        )
        outbox.publish(
            "supervision.ordered",
            {"order": order.pk, "department": department.pk, "case": case.pk if case else None},
        )
    return order


def report_order(user: User, order: Order, report: str) -> Order:
    """The handler reports what was done; after the deadline it is accepted and marked late."""
    if not access.may_answer_order(user, order):
        raise NotYourAction(_("只有被督办部门的经办人员可以反馈督办。"), [])
    report = report.strip()
    if not report:
        raise ValidationError({"report": [_("请写明办理情况。")]})
    now = clock.now()
    changed = Order.objects.filter(pk=order.pk, state=Order.OPEN).update(
        state=Order.REPORTED,
        report=report[:2000],
        reported_by=user,
        reported_at=now,
        late=timezone.localdate(now) > order.due_date,
    )
    if not changed:
        raise CaseConflict(_("该督办已经反馈过。"), code="reported")
    order.refresh_from_db()
    return order


def configure(user: User, code: str, *, enabled: bool, params: dict[str, Any]) -> Rule:
    """A platform administrator turns a rule on or off and sets its parameters (known keys only)."""
    if not access.may_configure(user):
        raise NotYourAction(_("只有平台管理员可以设置监察规则。"), [])
    if code not in rules.RULES:
        raise ValidationError({"code": [_("没有这条规则。")]})
    unknown = set(params) - set(rules.RULES[code].params)
    bad = [
        k for k, v in params.items() if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10_000
    ]
    if unknown or bad:
        raise ValidationError({"params": [_("参数应为规则已有的参数，取值为 0 到 10000 的整数。")]})
    row, _created = Rule.objects.update_or_create(
        code=code, defaults={"enabled": enabled, "params": params, "updated_at": clock.now()}
    )
    return row

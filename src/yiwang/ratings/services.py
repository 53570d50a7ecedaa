"""Every change of the ratings domain: rating a case, the steps of the bad-rating loop, the
applicant's rating of the rectification, appeals and rulings, and the invitations to rate.

Each change is one transaction that also writes its outbox message (`rating.*`), so what other
apps do about it (notices now, supervision and statistics next) happens after commit.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.cases import clock, published
from yiwang.cases.changes import CaseConflict, NotYourAction
from yiwang.cases.models import Case
from yiwang.catalog.models import CaseKind
from yiwang.core import outbox, workdays
from yiwang.ratings import access, rules
from yiwang.ratings.models import Appeal, FollowUp, FollowUpEvent, Invitation, Policy, Rating
from yiwang.ratings.rules import Channel, LoopState, RatingIn, Stage


class RatingConflict(CaseConflict):
    """Not now (409): rated already, the stage not reached, a step out of turn."""


# --- The case's side ------------------------------------------------------------------------------


def is_instant(case: Case) -> bool:
    return published.published(case.version).case_kind == CaseKind.INSTANT


def open_stages(case: Case) -> tuple[Stage, ...]:
    return rules.open_stages(
        instant=is_instant(case), state=case.state, accepted=case.accepted_on is not None
    )


def responsible_department(case: Case, channel: str):
    """Whom a rating concerns: the window that served the applicant for a rating at the counter
    of a case taken in there, else the handling department."""
    if channel == Channel.WINDOW and case.intake_department_id:
        return case.intake_department
    return case.department


def policy() -> rules.LoopPolicy:
    row = Policy.objects.first()
    if row is None:
        return rules.LoopPolicy()
    return rules.LoopPolicy(row.contact_workdays, row.answer_workdays, row.visit_workdays)


def _stage_for(case: Case, wanted: Stage | None, channel: str) -> Stage:
    stages = open_stages(case)
    if not stages:
        raise RatingConflict(_("该办件尚未到可以评价的环节（受理或办结后可评价）。"), code="not_yet")
    rated = set(Rating.objects.filter(case=case).values_list("stage", flat=True))
    if wanted is not None:
        if wanted not in stages:
            raise RatingConflict(_("该办件尚未到这一评价环节。"), code="not_yet")
        if wanted in rated:
            raise RatingConflict(_("这一环节已经评价过，每个环节只能评价一次。"), code="rated")
        return wanted
    for stage in stages:
        if stage not in rated:
            return stage
    raise RatingConflict(_("这一环节已经评价过，每个环节只能评价一次。"), code="rated")


def rate(user: User, case: Case, given: RatingIn, *, channel: Channel = Channel.ONLINE) -> Rating:
    """Record a rating of `case` by its applicant (online, or at the counter's device shown by a
    window clerk), or entered by handling staff from a call or an SMS reply.

    Raises NotYourAction (403) for someone who may see the case but not rate it this way,
    RatingConflict (409) before the stage or for a stage rated already, ValidationError (422) for
    indicators or tags the channel or level does not have."""
    if channel == Channel.ONLINE:
        allowed = access.is_applicant(user, case)
    elif channel == Channel.WINDOW:
        allowed = access.may_show_device(user, case)
    else:
        allowed = access.may_enter_for_applicant(user, case)
    if not allowed:
        raise NotYourAction(_("只有申请人本人可以评价自己的办件。"), [])
    found = rules.problems(given, channel)
    if found:
        raise ValidationError({k: [_(v)] for k, v in found.items()})
    stage = _stage_for(case, given.stage, channel)
    now = clock.now()
    department = responsible_department(case, channel)
    applicant_rates = channel == Channel.ONLINE
    rating = Rating(
        case=case,
        stage=stage,
        channel=channel,
        level=given.level,
        bad=rules.is_bad(given.level),
        indicators={**given.indicators, "overall": given.level},  # the level is the overall rating
        tags=given.tags,
        comment=given.comment,
        rated_at=now,
        rater=user if applicant_rates else None,
        entered_by=None if applicant_rates else user,
        department=department,
        division_code=department.division.code if department.pk != case.department_id else case.division_code,
        entry_id=case.entry_id,
    )
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
            updated = Invitation.objects.filter(case=case, stage=stage).update(rated_at=now)
            if not updated:
                Invitation.objects.create(
                    case=case,
                    stage=stage,
                    department_id=case.department_id,
                    division_code=case.division_code,
                    opened_at=now,
                    rated_at=now,
                )
            follow_up = _open_loop(rating) if rating.bad else None
            outbox.publish(
                "rating.given",
                {
                    "rating": rating.pk,
                    "case": case.pk,
                    "number": case.number,
                    "title": case.title,
                    "stage": stage,
                    "level": rating.level,
                    "bad": rating.bad,
                    "channel": channel,
                    "department": department.pk,
                    "follow_up": follow_up.pk if follow_up else None,
                    "at": now.isoformat(),
                },
            )
    except IntegrityError as error:  # a second rating of the stage raced this one and won
        raise RatingConflict(_("这一环节已经评价过，每个环节只能评价一次。"), code="rated") from error
    return rating


def _open_loop(rating: Rating) -> FollowUp:
    today = timezone.localdate(rating.rated_at)
    due = rules.loop_deadlines(today, policy(), workdays.add_workdays_or_assumed)
    follow_up = FollowUp.objects.create(
        rating=rating,
        department=rating.department,
        division_code=rating.division_code,
        state=LoopState.VERIFY,
        opened_at=rating.rated_at,
        contact_due=due.contact,
        answer_due=due.answer,
        visit_due=due.visit,
        due_date=due.contact,
    )
    FollowUpEvent.objects.create(
        follow_up=follow_up, seq=1, action="opened", at=rating.rated_at, by=None, by_label=_("系统")
    )
    return follow_up


# --- The bad-rating loop ------------------------------------------------------------------------


def _staff_label(user: User) -> str:
    staff = getattr(user, "staff", None)
    return str(staff.department) if staff is not None else _("工作人员")


def take_step(user: User, follow_up: FollowUp, step: rules.StepPayload) -> FollowUp:
    """The department's next step of the loop, in turn; a step after its deadline is accepted and
    flagged late (the warning says so; the work still has to be done)."""
    if not access.may_take_steps(user, follow_up):
        raise NotYourAction(_("只有被评价部门的工作人员可以办理差评整改。"), [])
    declared = rules.STEPS[step.step]  # type: ignore[attr-defined]
    expected = rules.STEP_FOR_STATE.get(LoopState(follow_up.state))
    if declared.source != follow_up.state:
        allowed = [expected.name] if expected else []
        raise RatingConflict(
            _("整改当前为“%(state)s”，不能办理“%(step)s”。")
            % {"state": follow_up.state_label, "step": _(declared.label)},
            allowed=allowed,
        )
    now = clock.now()
    today = timezone.localdate(now)
    due = getattr(follow_up, f"{declared.due}_due")
    late = today > due
    fields = _step_fields(declared.name, step, now)
    target = declared.target
    next_step = rules.STEP_FOR_STATE.get(target)
    fields.update(
        state=target,
        revision=F("revision") + 1,
        due_date=getattr(follow_up, f"{next_step.due}_due") if next_step else None,
        late_steps=F("late_steps") + int(late),
    )
    if target == LoopState.CLOSED:
        fields["closed_at"] = now
    with transaction.atomic():
        changed = FollowUp.objects.filter(pk=follow_up.pk, revision=follow_up.revision).update(**fields)
        if not changed:
            raise RatingConflict(_("该整改刚刚已被他人办理，请刷新后查看。"), code="stale")
        seq = FollowUpEvent.objects.filter(follow_up=follow_up).count() + 1
        FollowUpEvent.objects.create(
            follow_up=follow_up,
            seq=seq,
            action=declared.name,
            at=now,
            by=user,
            by_label=_staff_label(user),
            late=late,
            data=step.model_dump(exclude={"step"}),
        )
        outbox.publish(
            f"rating.follow_up.{declared.name}",
            {
                "follow_up": follow_up.pk,
                "rating": follow_up.rating_id,
                "case": follow_up.rating.case_id,
                "department": follow_up.department_id,
                "late": late,
                "state": target,
                "at": now.isoformat(),
            },
        )
    follow_up.refresh_from_db()
    return follow_up


def _step_fields(name: str, step: rules.StepPayload, now: dt.datetime) -> dict:
    data = step.model_dump()
    if name == "verify":
        return {"contact_method": data["method"], "finding": data["finding"], "verification": data["note"]}
    if name == "rectify":
        return {"rectification_kind": data["kind"], "rectification": data["note"]}
    if name == "answer":
        return {"answer": data["note"], "answered_at": now}
    return {"visit_method": data["method"], "visit_note": data["note"]}


def rate_rectification(user: User, rating: Rating, view: rules.FollowUpRating) -> FollowUp:
    """The applicant's one rating of how the department put it right (after its answer)."""
    follow_up = getattr(rating, "follow_up", None)
    if follow_up is None or not access.is_applicant(user, rating.case):
        raise NotYourAction(_("只有提出差评的申请人可以评价整改结果。"), [])
    if follow_up.state not in rules.FOLLOW_UP_OPEN:
        raise RatingConflict(_("部门答复后才能评价整改结果。"), code="not_yet")
    now = clock.now()
    with transaction.atomic():
        changed = FollowUp.objects.filter(pk=follow_up.pk, applicant_view="").update(
            applicant_view=view, applicant_viewed_at=now, revision=F("revision") + 1
        )
        if not changed:
            raise RatingConflict(_("整改结果已经评价过，只能评价一次。"), code="rated")
        seq = FollowUpEvent.objects.filter(follow_up=follow_up).count() + 1
        FollowUpEvent.objects.create(
            follow_up=follow_up,
            seq=seq,
            action="applicant_view",
            at=now,
            by=user,
            by_label=_("申请人"),
            data={"view": str(view)},
        )
        outbox.publish(
            "rating.follow_up.applicant_view",
            {
                "follow_up": follow_up.pk,
                "rating": rating.pk,
                "case": rating.case_id,
                "view": str(view),
                "at": now.isoformat(),
            },
        )
    follow_up.refresh_from_db()
    return follow_up


# --- Appeals ---------------------------------------------------------------------------------------


def appeal(user: User, rating: Rating, kind: rules.AppealKind, reasons: str) -> Appeal:
    """The department asks a supervisor to rule a 差评 malicious or mistaken (once per rating)."""
    if not access.may_appeal(user, rating):
        raise NotYourAction(_("只有被评价部门的工作人员可以对差评提出申诉。"), [])
    reasons = reasons.strip()
    if not reasons:
        raise ValidationError({"reasons": [_("请写明申诉理由。")]})
    try:
        with transaction.atomic():
            now = clock.now()
            row = Appeal.objects.create(
                rating=rating, kind=kind, reasons=reasons, filed_by=user, filed_at=now
            )
            outbox.publish(
                "rating.appeal.filed",
                {"appeal": row.pk, "rating": rating.pk, "kind": str(kind), "at": now.isoformat()},
            )
    except IntegrityError as error:
        raise RatingConflict(_("这条差评已经申诉过。"), code="appealed") from error
    return row


def rule(user: User, appeal_row: Appeal, *, upheld: bool, reason: str) -> Appeal:
    """A supervisor's ruling, with reasons. Upheld: the rating is marked malicious or mistaken, left
    out of the satisfaction figures (the ruling itself is public) and its loop ends."""
    if not access.may_rule(user, appeal_row):
        raise NotYourAction(_("只有监察人员可以裁定差评申诉。"), [])
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("请写明裁定理由。")]})
    now = clock.now()
    with transaction.atomic():
        changed = Appeal.objects.filter(pk=appeal_row.pk, state=Appeal.PENDING).update(
            state=Appeal.UPHELD if upheld else Appeal.REJECTED,
            ruled_by=user,
            ruled_at=now,
            ruling_reason=reason,
        )
        if not changed:
            raise RatingConflict(_("该申诉已经裁定。"), code="ruled")
        if upheld:
            Rating.objects.filter(pk=appeal_row.rating_id).update(ruling=appeal_row.kind)
            follow_up = FollowUp.objects.filter(rating_id=appeal_row.rating_id).first()
            if follow_up is not None and follow_up.is_open:
                FollowUp.objects.filter(pk=follow_up.pk).update(
                    state=LoopState.RULED, due_date=None, closed_at=now, revision=F("revision") + 1
                )
                seq = FollowUpEvent.objects.filter(follow_up=follow_up).count() + 1
                FollowUpEvent.objects.create(
                    follow_up=follow_up,
                    seq=seq,
                    action="ruled",
                    at=now,
                    by=user,
                    by_label=_staff_label(user),
                    data={"kind": appeal_row.kind, "reason": reason},
                )
        outbox.publish(
            "rating.appeal.ruled",
            {
                "appeal": appeal_row.pk,
                "rating": appeal_row.rating_id,
                "upheld": upheld,
                "kind": appeal_row.kind,
            },
        )
    appeal_row.refresh_from_db()
    return appeal_row


# --- Invitations -------------------------------------------------------------------------------


def open_invitations(case: Case, at: dt.datetime, state: str | None = None) -> int:
    """Record the stages `case` had reached after its event at `at` (`state`: the state the event
    left it in), dated by that event. A worker catching up late still dates each stage by the
    event that opened it: the case's later state is not read as this event's."""
    accepted = case.accepted_on is not None and case.accepted_on <= timezone.localdate(at)
    stages = rules.open_stages(instant=is_instant(case), state=state or case.state, accepted=accepted)
    if not stages:
        return 0
    have = set(Invitation.objects.filter(case=case).values_list("stage", flat=True))
    rows = [
        Invitation(
            case=case,
            stage=stage,
            department_id=case.department_id,
            division_code=case.division_code,
            opened_at=at,
        )
        for stage in stages
        if stage not in have
    ]
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def due_invitations(now: dt.datetime | None = None, limit: int = 500) -> list[Invitation]:
    """Stages left unrated for the configured number of days and not yet invited (an index scan)."""
    now = now or clock.now()
    row = Policy.objects.first()
    days = row.invite_after_days if row else Policy._meta.get_field("invite_after_days").default
    cutoff = now - dt.timedelta(days=days)
    return list(
        Invitation.objects.filter(rated_at__isnull=True, invited_at__isnull=True, opened_at__lte=cutoff)
        .select_related("case")
        .order_by("opened_at")[:limit]
    )


def mark_invited(invitation: Invitation, now: dt.datetime) -> bool:
    """Claim the invitation for sending (one conditional UPDATE: sent once however many workers)."""
    return bool(
        Invitation.objects.filter(pk=invitation.pk, invited_at__isnull=True, rated_at__isnull=True).update(
            invited_at=now
        )
    )

"""The one read model of ratings and their loops, shared by the API, the portal and the workbench,
masked by who reads: the applicant sees their own; staff see which case gave a rating only for a
差评 whose loop has opened (`access.sees_rater`); the public sees figures without any person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiwang.accounts.models import User
from yiwang.cases import clock
from yiwang.cases.models import Case
from yiwang.core import masking, workdays
from yiwang.ratings import access, rules, services
from yiwang.ratings.models import Appeal, FollowUp, Rating
from yiwang.ratings.rules import Channel


def form_spec(channel: str = Channel.ONLINE) -> dict[str, Any]:
    """What a rating form offers on `channel`: levels, indicators and tags per level (labels in the
    reader's language)."""
    return {
        "levels": [{"value": v, "label": _(label)} for v, label in rules.LEVEL_LABELS.items()],
        "indicators": [{"key": k, "label": _(label)} for k, label in rules.INDICATORS[channel].items()],
        "tags": {
            str(level): [{"value": t, "label": _(t)} for t in tags] for level, tags in rules.TAGS.items()
        },
        "tag_groups": [
            {"levels": levels, "label": _(label), "tags": [{"value": t, "label": _(t)} for t in tags]}
            for levels, label, tags in rules.TAG_GROUPS
        ],
    }


def _today() -> dt.date:
    return clock.today()


def colour(due: dt.date | None, today: dt.date | None = None) -> str:
    return rules.colour(due, today or _today(), lambda day: workdays.add_workdays_or_assumed(day, 1))


def rating_view(rating: Rating, reader: User) -> dict[str, Any]:
    sees = access.sees_rater(reader, rating)
    indicator_labels = rules.INDICATORS[rating.channel]
    view: dict[str, Any] = {
        "id": rating.pk,
        "stage": rating.stage,
        "stage_text": _(rules.STAGE_LABELS[rating.stage]),
        "level": rating.level,
        "level_text": _(rules.LEVEL_LABELS[rating.level]),
        "bad": rating.bad,
        "channel": rating.channel,
        "channel_text": _(rules.CHANNEL_LABELS[rating.channel]),
        "indicators": [
            {"key": k, "label": _(indicator_labels.get(k, k)), "level": v}
            for k, v in rating.indicators.items()
        ],
        "tags": [_(t) for t in rating.tags],
        "comment": rating.comment,
        "rated_at": rating.rated_at,
        "department": rating.department.name,
        "item": rating.entry.name,
        "ruling": rating.ruling,
        "ruling_text": _(rules.APPEAL_KIND_LABELS[rating.ruling]) if rating.ruling else "",
        "case_number": rating.case.number if sees else None,
        "follow_up": None,
    }
    follow_up = getattr(rating, "follow_up", None) if rating.bad else None
    if follow_up is not None:
        view["follow_up"] = follow_up_summary(follow_up)
    return view


def follow_up_summary(follow_up: FollowUp) -> dict[str, Any]:
    """What the applicant sees of the loop: its state, the department's answer, their own view."""
    return {
        "id": follow_up.pk,
        "state": follow_up.state,
        "state_text": follow_up.state_label,
        "answer": follow_up.answer,
        "answered_at": follow_up.answered_at,
        "applicant_view": follow_up.applicant_view,
        "applicant_view_text": _(rules.FOLLOW_UP_LABELS[follow_up.applicant_view])
        if follow_up.applicant_view
        else "",
        "may_rate_rectification": follow_up.state in rules.FOLLOW_UP_OPEN and not follow_up.applicant_view,
    }


@dataclass
class StageRow:
    stage: str
    label: str
    open: bool
    rating: Rating | None

    def may_rate(self) -> bool:
        return self.open and self.rating is None


def stages(case: Case) -> list[StageRow]:
    """Each stage of the case that is open or rated, in order (the portal's prompt, the API)."""
    instant = services.is_instant(case)
    opened = services.open_stages(case)
    rated = {
        r.stage: r
        for r in Rating.objects.filter(case=case).select_related("department", "entry", "case", "follow_up")
    }
    rows = []
    for stage in rules.Stage:
        if stage in opened or stage in rated:
            rows.append(
                StageRow(
                    stage, _(rules.stage_label(stage, instant=instant)), stage in opened, rated.get(stage)
                )
            )
    return rows


def case_ratings(case: Case, reader: User) -> dict[str, Any]:
    rows = stages(case)
    return {
        "stages": [
            {
                "stage": r.stage,
                "label": r.label,
                "open": r.open,
                "may_rate": r.may_rate() and access.is_applicant(reader, case),
                "rating": rating_view(r.rating, reader) if r.rating else None,
            }
            for r in rows
        ],
        "form": form_spec(Channel.ONLINE),
    }


def follow_up_view(follow_up: FollowUp, reader: User) -> dict[str, Any]:
    """The department's and the supervisor's view of a loop: the 差评, the case it concerns (masked
    applicant), the deadlines with their lights, every step."""
    rating = follow_up.rating
    case = rating.case
    today = _today()
    step = rules.STEP_FOR_STATE.get(rules.LoopState(follow_up.state))
    appeal = getattr(rating, "appeal", None)  # fetched with the loop (`access.visible_follow_ups`)
    return {
        "id": follow_up.pk,
        "state": follow_up.state,
        "state_text": follow_up.state_label,
        "next_step": step.name if step else None,
        "next_step_text": _(step.label) if step else "",
        "may_act": access.may_take_steps(reader, follow_up) and step is not None,
        "due_date": follow_up.due_date,
        "colour": colour(follow_up.due_date, today) if follow_up.is_open else "",
        "contact_due": follow_up.contact_due,
        "answer_due": follow_up.answer_due,
        "visit_due": follow_up.visit_due,
        "late_steps": follow_up.late_steps,
        "opened_at": follow_up.opened_at,
        "closed_at": follow_up.closed_at,
        "department": follow_up.department.name,
        "case_number": case.number,
        "title": case.title,
        "applicant": masking.mask_name(case.applicant_name),
        "contact_phone": masking.mask_phone(case.contact_phone),
        "rating": {
            "id": rating.pk,
            "level": rating.level,
            "level_text": _(rules.LEVEL_LABELS[rating.level]),
            "stage_text": _(rules.STAGE_LABELS[rating.stage]),
            "channel_text": _(rules.CHANNEL_LABELS[rating.channel]),
            "tags": [_(t) for t in rating.tags],
            "comment": rating.comment,
            "rated_at": rating.rated_at,
        },
        "verification": {
            "method": _(rules.METHOD_LABELS[follow_up.contact_method]) if follow_up.contact_method else "",
            "finding": _(rules.FINDING_LABELS[follow_up.finding]) if follow_up.finding else "",
            "note": follow_up.verification,
        },
        "rectification": {
            "kind": _(rules.RECTIFY_LABELS[follow_up.rectification_kind])
            if follow_up.rectification_kind
            else "",
            "note": follow_up.rectification,
        },
        "answer": follow_up.answer,
        "answered_at": follow_up.answered_at,
        "return_visit": {
            "method": _(rules.METHOD_LABELS[follow_up.visit_method]) if follow_up.visit_method else "",
            "note": follow_up.visit_note,
        },
        "applicant_view": _(rules.FOLLOW_UP_LABELS[follow_up.applicant_view])
        if follow_up.applicant_view
        else "",
        "appeal": appeal_view(appeal, reader) if appeal else None,
        "may_appeal": appeal is None and access.may_appeal(reader, rating) and follow_up.is_open,
        "events": [
            {
                "action": e.action,
                "action_text": _(rules.STEPS[e.action].label)
                if e.action in rules.STEPS
                else _(EVENT_LABELS.get(e.action, e.action)),
                "at": e.at,
                "by": e.by_label,
                "late": e.late,
            }
            for e in follow_up.events.all()
        ],
    }


EVENT_LABELS = {
    "opened": gettext_noop("收到差评，整改开始"),
    "applicant_view": gettext_noop("申请人评价整改结果"),
    "ruled": gettext_noop("申诉成立，整改结束"),
}


def appeal_view(appeal: Appeal, reader: User) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "kind": appeal.kind,
        "kind_text": _(rules.APPEAL_KIND_LABELS[appeal.kind]),
        "reasons": appeal.reasons,
        "filed_at": appeal.filed_at,
        "state": appeal.state,
        "state_text": str(dict(Appeal.STATES)[appeal.state]),
        "ruled_at": appeal.ruled_at,
        "ruling_reason": appeal.ruling_reason,
        "may_rule": appeal.state == Appeal.PENDING and access.may_rule(reader, appeal),
        "rating_id": appeal.rating_id,
    }


def follow_up_queue(user: User, *, only_open: bool = True, limit: int = 200) -> list[FollowUp]:
    """The follow-ups in the reader's reach, the soonest due first (`limit` of them)."""
    qs = access.visible_follow_ups(user)
    if only_open:
        qs = qs.filter(state__in=[s.value for s in rules.LOOP_OPEN])
    return list(qs.order_by("due_date", "id")[:limit])


def tile(user: User) -> dict[str, int]:
    """Open follow-ups, those overdue, and appeals awaiting a ruling (three indexed counts)."""
    open_follow_ups = access.visible_follow_ups(user).filter(state__in=[s.value for s in rules.LOOP_OPEN])
    return {
        "open": open_follow_ups.count(),
        "overdue": open_follow_ups.filter(due_date__lt=_today()).count(),
        "appeals": access.visible_appeals(user).filter(state=Appeal.PENDING).count(),
    }


# --- Figures: the public disclosure (好差评公开) -----------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


_FIGURES = {
    "total": Count("id"),
    "counted": Count("id", filter=Q(ruling="")),
    "good": Count("id", filter=Q(ruling="", bad=False)),
    "bad_count": Count("id", filter=Q(ruling="", bad=True)),
    "rectified": Count("id", filter=Q(ruling="", bad=True, follow_up__state=rules.LoopState.CLOSED)),
    "malicious": Count("id", filter=Q(ruling=rules.AppealKind.MALICIOUS)),
    "mistaken": Count("id", filter=Q(ruling=rules.AppealKind.MISTAKEN)),
}


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    """satisfaction = ratings at 基本满意 or better / counted ratings; 差评率 = 差评 / counted;
    rectification = 差评 whose loop closed with its return visit / counted 差评. Ratings ruled
    malicious or mistaken on appeal are not counted, and are shown as such."""
    row["ruled"] = row["malicious"] + row["mistaken"]
    row["satisfaction_rate"] = _rate(row["good"], row["counted"])
    row["bad_rate"] = _rate(row["bad_count"], row["counted"])
    row["rectification_rate"] = _rate(row["rectified"], row["bad_count"])
    return row


def figures(qs) -> dict[str, Any]:
    return _with_rates(qs.aggregate(**_FIGURES))


def figures_by(qs, *fields: str) -> list[dict[str, Any]]:
    """The figures grouped by `fields` (one GROUP BY statement)."""
    return [_with_rates(dict(row)) for row in qs.values(*fields).annotate(**_FIGURES).order_by(*fields)]


DEFINITIONS = {
    "satisfaction_rate": gettext_noop(
        "满意率 = 基本满意及以上的评价数 ÷ 计入统计的评价数（申诉成立的恶意差评、误评不计入）"
    ),
    "bad_rate": gettext_noop("差评率 = 差评数（不满意、非常不满意） ÷ 计入统计的评价数"),
    "rectification_rate": gettext_noop("差评整改率 = 已整改答复并完成回访的差评数 ÷ 计入统计的差评数"),
}


def disclosure(prefix: str = "", since: dt.date | None = None) -> dict[str, Any]:
    """The public figures by department and by item (no case, no person), since `since`."""
    qs = Rating.objects.all()
    if prefix:
        qs = qs.filter(division_code__startswith=prefix)
    if since:
        qs = qs.filter(rated_at__date__gte=since)
    by_department = [
        {"department": row["department__name"], **row} for row in figures_by(qs, "department__name")
    ]
    by_item = [{"item": row["entry__name"], **row} for row in figures_by(qs, "entry__name")]
    recent_bad = [
        {
            "department": r.department.name,
            "item": r.entry.name,
            "level_text": _(rules.LEVEL_LABELS[r.level]),
            "rated_on": timezone.localdate(r.rated_at),
            "state_text": r.follow_up.state_label if hasattr(r, "follow_up") else "",
            "ruling_text": _(rules.APPEAL_KIND_LABELS[r.ruling]) if r.ruling else "",
        }
        for r in qs.filter(bad=True)
        .select_related("department", "entry", "follow_up")
        .order_by("-rated_at")[:20]
    ]
    return {
        "overall": figures(qs),
        "by_department": by_department,
        "by_item": by_item,
        "recent_bad": recent_bad,
        "definitions": {k: _(v) for k, v in DEFINITIONS.items()},
    }

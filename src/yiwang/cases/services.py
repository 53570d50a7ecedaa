"""Every change to a case, one function per action, each in a transaction writing its event.

The procedure itself is `cases.rules` (which action from which state, by whom, with which fields);
the deadlines are `cases.deadlines`. Here an action is checked against both, applied with a
conditional UPDATE on the case's `revision` (two staff acting at once: exactly one wins, the other
gets `CaseConflict`), traced by a hash-chained `CaseEvent`, and told to the applicant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from yiwang.accounts.models import User
from yiwang.cases import access, clock, deadlines, published, rules
from yiwang.cases import delivery as delivery_results
from yiwang.cases.carriers import carrier
from yiwang.cases.changes import (
    SYSTEM,
    Acting,
    CaseConflict,
    NotYourAction,
    acting_applicant,
    acting_staff,
    commit,
    payload_text,
    today,
)
from yiwang.cases.delivery import handle_complete, handle_deliver
from yiwang.cases.drafts import case_schema, checklist, open_correction, required_materials
from yiwang.cases.models import (
    Case,
    CaseMaterial,
    Correction,
    Delivery,
    DeliveryMethod,
)
from yiwang.cases.rules import (
    REMEDY_STATUTORY,
    STEP_ROLE,
    TRANSITIONS,
    Actor,
    Facts,
    IllegalTransition,
    State,
    Transition,
    allowed_actions,
    next_state,
    possible_actions,
    with_statutory_remedy,
)
from yiwang.catalog import form_schema
from yiwang.catalog.models import CaseKind
from yiwang.core import validation
from yiwang.core.workdays import YearNotInCalendar, current_calendar

DEFAULT_REVIEW_STEPS = published.DEFAULT_REVIEW_STEPS
REMEDY_DEFAULT = REMEDY_STATUTORY


# --- Deadlines ---------------------------------------------------------------------------------


# --- Writing a change --------------------------------------------------------------------------


# --- Applicants and drafts ---------------------------------------------------------------------


# --- Materials ---------------------------------------------------------------------------------


# --- Submitting ----------------------------------------------------------------------------------


# --- The procedure ---------------------------------------------------------------------------


def review_steps(case: Case) -> list[dict[str, str]]:
    return list(published.published(case.version).review_steps)


def current_step(case: Case) -> dict[str, str] | None:
    if case.state not in {State.ACCEPTED, State.UNDER_REVIEW}:
        return None
    steps = review_steps(case)
    return steps[min(case.review_step, len(steps) - 1)]


def facts_of(case: Case, materials: list[CaseMaterial] | None = None) -> Facts:
    """What the table's guards read of `case` (one query for the checklist of a submitted case,
    none when its current `materials` are given)."""
    parts = published.published(case.version)
    state = State(case.state)
    missing: tuple[str, ...] = ()
    if state == State.SUBMITTED:
        missing = tuple(i.material.name for i in checklist(case, materials) if i.missing)
    return Facts(
        state=state,
        step=case.review_step,
        step_roles=tuple(str(s.get("role", "approver")) for s in parts.review_steps),
        instant=parts.case_kind == CaseKind.INSTANT,
        tolerance=parts.tolerance_acceptance,
        commitment=parts.notification_commitment,
        acceptance_overdue=acceptance_overdue(case),
        missing_required=missing,
        pending=bool(case.pending_materials),
    )


def acceptance_overdue(case: Case, on: dt.date | None = None) -> bool:
    """Art. 32: nobody told the applicant to correct, nor refused, within five working days."""
    return (
        case.state == State.SUBMITTED
        and case.acceptance_due is not None
        and (on or today()) > case.acceptance_due
    )


def _received_on(case: Case) -> dt.date:
    """The day the application (or its correction) was received: acceptance dates from it."""
    return timezone.localdate(case.resubmitted_at or case.submitted_at)


def available_actions(user: User, case: Case, materials: list[CaseMaterial] | None = None) -> list[str]:
    """The actions `user` may take on `case` now, in table order (what the pages offer)."""
    actors = _actors(user, case)
    if not actors:
        return []
    facts = facts_of(case, materials)
    possible = set(possible_actions(facts, actors))
    if facts.acceptance_overdue:  # art. 32: accepted as of receipt, so what follows acceptance too
        possible |= set(
            possible_actions(replace(facts, state=State.ACCEPTED, acceptance_overdue=False), actors)
        )
    return [a for a in TRANSITIONS if a in possible and a != "submit"]


def _actors(user: User, case: Case) -> set[Actor]:
    actors = set(access.staff_actors(user, case))
    if access.is_applicant_of(user, case):
        actors.add(Actor.APPLICANT)
    return actors


def _parse(transition: Transition, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return transition.payload.model_validate(payload).model_dump()
    except PydanticError as exc:
        raise ValidationError(validation.by_field(exc.errors())) from None


def act(user: User | None, case: Case, action: str, payload: dict[str, Any] | None = None) -> Case:
    """Take a procedure action on `case`; `user` None is the system (the worker).

    Everything about the action comes from its row in `rules.TRANSITIONS`: the states it leaves
    from, who may take it, its guards, its payload's shape, and the state it leads to."""
    payload = dict(payload or {})
    state = State(case.state)
    transition = TRANSITIONS.get(action)
    if transition is None or action == "submit":
        raise CaseConflict(
            _("未知的操作：%(action)s。") % {"action": action},
            code="illegal_action",
            allowed=available_actions(user, case) if user else [],
        )
    facts = facts_of(case)
    if facts.acceptance_overdue and state not in transition.sources and State.ACCEPTED in transition.sources:
        # Art. 32: past the five days the case is accepted as of receipt, whether or not the
        # worker has recorded it yet: record that now, then take the action from there (both
        # or neither: a refused action undoes the record too).
        with transaction.atomic():
            _deem_accepted(case, _target(SYSTEM, "deem_accepted", case), {})
            return act(user, case, action, payload)
    if state not in transition.sources:
        raise CaseConflict(
            _("办件当前状态（%(state)s）不能执行“%(action)s”。")
            % {"state": case.state_label, "action": _(transition.label)},
            code="illegal_action",
            allowed=available_actions(user, case) if user else allowed_actions(state, Actor.SYSTEM),
        )
    if user is None:
        actor = Actor.SYSTEM
        if actor not in transition.actors:
            raise IllegalTransition(action, state, allowed_actions(state, Actor.SYSTEM))
    else:
        actors = [a for a in _actors(user, case) if a in transition.actors]
        if not actors:
            raise NotYourAction(
                _("您的角色不能对该办件执行“%(action)s”。") % {"action": _(transition.label)},
                available_actions(user, case),
            )
        fitting = [a for a in actors if transition.failed_guard(facts, a) is None]
        if not fitting:
            guard = transition.failed_guard(facts, actors[0])
            if guard is STEP_ROLE:
                raise NotYourAction(
                    _("您的角色不能对该办件执行“%(action)s”。") % {"action": _(transition.label)},
                    available_actions(user, case),
                )
            raise CaseConflict(
                _(guard.why) % {"missing": "、".join(facts.missing_required)},
                code=f"guard_{guard.name}",
                allowed=available_actions(user, case),
            )
        # A user holding several roles acts in the first that fits, in a fixed order.
        actor = min(fitting, key=list(Actor).index)
    if user is None and (guard := transition.failed_guard(facts, actor)) is not None:
        raise CaseConflict(_(guard.why), code=f"guard_{guard.name}", allowed=[])
    data = _parse(transition, payload)
    acting = (
        SYSTEM
        if user is None
        else acting_applicant(user)
        if actor == Actor.APPLICANT
        else acting_staff(user, actor)
    )
    with transaction.atomic():
        _HANDLERS[action](case, _target(acting, action, case), data)
    return case


def _target(acting: Acting, action: str, case: Case) -> Acting:
    """The acting party, carrying the state the table sends the case to (`commit` applies it)."""
    resume_to = State(case.suspended_from or State.ACCEPTED)
    return replace(acting, action=action, target=next_state(State(case.state), action, resume_to=resume_to))


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _request_correction(case: Case, acting: Acting, payload: dict) -> None:
    """一次性告知: the notice is built from the case. Each item names a material of its checklist or
    a field of its form (or, `other`, neither) with the preset reasons (`rules.CORRECTION_REASONS`)
    and a note; the label is the case's own. Errors are keyed `items.<index>.<part>` (from 0, as the
    API's schema errors are)."""
    items = payload.get("items") or []
    note = str(payload.get("reason") or "").strip()
    if not isinstance(items, list):
        raise ValidationError({"items": [_("补正事项应为列表。")]})
    materials = {m.pk: m for m in required_materials(case)}
    fields = {
        f["name"]: f for f in case_schema(case).get("fields", []) if isinstance(f, dict) and f.get("name")
    }
    clean: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    seen: dict[tuple[str, Any], int] = {}
    for i, raw in enumerate(items):
        item, problems = _correction_item(raw if isinstance(raw, dict) else {}, materials, fields)
        key = (item["kind"], item["material"] or item["field"])
        if not problems and item["kind"] != "other" and key in seen:
            problems["material" if item["kind"] == "material" else "field"] = [
                _("与第 %(n)s 项重复：同一材料或字段只列一次，原因可以多选。") % {"n": seen[key] + 1}
            ]
        seen.setdefault(key, i)
        errors.update({f"items.{i}.{part}": messages for part, messages in problems.items()})
        clean.append(item)
    if not clean and not note and not errors:
        errors["items"] = [_("请至少勾选一项需要补正的材料或表单内容，或填写补正说明。")]
    if errors:
        raise ValidationError(errors)
    round_ = case.corrections.count() + 1
    Correction.objects.create(
        case=case, round=round_, items=clean, note=note, requested_by=acting.user, requested_at=clock.now()
    )
    commit(
        case,
        acting,
        "request_correction",
        {"paused_on": today()},
        reason=note,
        data={"round": round_, "items": clean},
    )


def _correction_item(
    item: dict[str, Any], materials: dict[int, Any], fields: dict[str, dict]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One item of a notice checked against the case, and its problems by part."""
    problems: dict[str, list[str]] = {}
    material, name = item.get("material"), item.get("field")
    material = None if material in (None, "") else _int(material)
    name = str(name).strip() if name not in (None, "") else None
    kind = item.get("kind") or ("material" if material is not None else "field" if name else "other")
    if item.get("material") not in (None, "") and material not in materials:
        problems["material"] = [_("该材料不属于本事项的材料清单。")]
    if name is not None and name not in fields:
        problems["field"] = [_("表单中没有该字段。")]
    if material is not None and name is not None:
        problems["field"] = [_("一项只能指向一份材料或一个表单字段，请分开列出。")]
    elif kind == "material" and material is None and "material" not in problems:
        problems["material"] = [_("请指明需要补正的材料。")]
    elif kind == "field" and name is None:
        problems["field"] = [_("请指明需要更正的表单字段。")]
    elif kind == "other" and (material is not None or name is not None):
        problems["kind"] = [_("“其他事项”不指向材料或字段；指向材料或字段时请相应选择类别。")]
    raw_reasons = item.get("reasons") or []
    reasons: list[str] = []
    for code in raw_reasons if isinstance(raw_reasons, list) else [raw_reasons]:
        code = str(code.value if isinstance(code, rules.CorrectionReason) else code)
        if code not in rules.CORRECTION_REASONS:
            problems["reasons"] = [_("不认识的补正原因：%(code)s。") % {"code": code[:40]}]
        elif kind == "field" and code not in rules.FIELD_REASONS:
            problems["reasons"] = [
                _("“%(reason)s”不适用于表单字段，可选：%(allowed)s。")
                % {
                    "reason": _(rules.CORRECTION_REASONS[code]),
                    "allowed": "、".join(_(rules.CORRECTION_REASONS[r]) for r in rules.FIELD_REASONS),
                }
            ]
        elif code not in reasons:
            reasons.append(code)
    note = str(item.get("note") or "").strip()
    if len(note) > rules.NOTE_MAX:
        problems["note"] = [_("长度不能超过 %(limit)s 个字符。") % {"limit": rules.NOTE_MAX}]
    elif "\x00" in note:
        problems["note"] = [_("不能包含空字符（U+0000）。")]
    elif not note and kind == "other":
        problems["note"] = [_("请写明需要补正的内容和要求。")]
    elif not note and rules.CorrectionReason.OTHER in reasons:
        problems["note"] = [_("选择“其他”时，请写明需要补正的内容。")]
    elif not note and not reasons and "reasons" not in problems:
        problems["reasons"] = [_("请选择补正原因，或写明需要补正的内容和要求。")]
    if kind == "material" and material in materials:
        label = materials[material].name
    elif kind == "field" and name in fields:
        label = str(fields[name].get("label") or name)
    else:
        label = ""
    return {
        "kind": kind,
        "material": material if kind == "material" else None,
        "field": name if kind == "field" else None,
        "label": label,
        "reasons": reasons,
        "note": note,
    }, problems


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _resubmit(case: Case, acting: Acting, payload: dict) -> None:
    correction = open_correction(case)
    problems: dict[str, list[str]] = {}
    if correction is not None:
        for item in correction.items:
            if (
                item.get("material")
                and not case.materials.filter(
                    material_id=item["material"], uploaded_at__gt=correction.requested_at
                ).exists()
            ):
                problems[f"material.{item['material']}"] = [
                    _("请按告知书上传补正材料：%(name)s。") % {"name": item["label"]}
                ]
    try:
        form_schema.clean_data(case_schema(case), case.form_data)
    except ValidationError as exc:
        problems.update(exc.message_dict)
    if problems:
        raise ValidationError(problems)
    if correction is not None:
        Correction.objects.filter(pk=correction.pk).update(answered_at=clock.now())
    # The five days to decide on acceptance start again from the corrected application.
    commit(
        case,
        acting,
        "resubmit",
        {"paused_on": None, "resubmitted_at": clock.now()},
        data={"round": correction.round if correction else None},
    )


def _accept(case: Case, acting: Acting, payload: dict) -> None:
    # Past the five days the case counts as accepted from receipt (art. 32), whoever records it.
    accepted_on = _received_on(case) if acceptance_overdue(case) else today()
    commit(case, acting, "accept", {"accepted_on": accepted_on, "review_step": 0})


def _accept_with_pending(case: Case, acting: Acting, payload: dict) -> None:
    wanted = payload["pending_materials"]
    if not isinstance(wanted, list):
        raise ValidationError({"pending_materials": [_("应为材料编号列表。")]})
    items = {i.material.pk: i for i in checklist(case)}
    errors = []
    pending = []
    for raw in wanted:
        item = items.get(_int(raw))
        if item is None:
            errors.append(_("材料 %(id)s 不属于本事项。") % {"id": raw})
        elif item.material.is_key:
            errors.append(_("“%(name)s”是关键材料，不能容缺。") % {"name": item.material.name})
        elif item.provided:
            errors.append(_("“%(name)s”已提交，无需容缺。") % {"name": item.material.name})
        else:
            pending.append(item.material.pk)
    missing_key = [i.material.name for i in items.values() if i.blocking]
    if missing_key:
        errors.append(_("仍缺少关键材料：%(names)s。") % {"names": "、".join(missing_key)})
    if errors:
        raise ValidationError({"pending_materials": errors})
    commitment = _date(payload, "commitment_date")
    if commitment <= today():
        raise ValidationError({"commitment_date": [_("承诺补齐日期应晚于今天。")]})
    commit(
        case,
        acting,
        "accept_with_pending",
        {
            "accepted_on": _received_on(case) if acceptance_overdue(case) else today(),
            "review_step": 0,
            "pending_materials": pending,
            "commitment_due": commitment,
            "commitment_overdue": False,
        },
        data={"pending": pending, "commitment_date": commitment.isoformat()},
    )


def _date(payload: dict, key: str) -> dt.date:
    value = payload.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({key: [_("日期格式应为 YYYY-MM-DD，且须是真实存在的日期。")]}) from None


def _deem_accepted(case: Case, acting: Acting, payload: dict) -> None:
    """Art. 32: no answer within five working days counts as accepted from receipt."""
    commit(
        case,
        acting,
        "deem_accepted",
        {"accepted_on": _received_on(case), "review_step": 0},
        reason="受理期限届满未作决定，依法自收到申请之日起视为受理（《行政许可法》第三十二条）",
    )


def _not_accept(case: Case, acting: Acting, payload: dict) -> None:
    reason, remedy = payload_text(payload, "reason"), with_statutory_remedy(payload_text(payload, "remedy"))
    commit(
        case,
        acting,
        "not_accept",
        {
            "decision_reason": reason,
            "remedy": remedy,
            "closed_at": clock.now(),
        },
        reason=reason,
        data={"remedy": remedy},
    )


def _pass_step(case: Case, acting: Acting, payload: dict) -> None:
    step = current_step(case) or {}
    commit(
        case,
        acting,
        "pass_step",
        {"review_step": case.review_step + 1},
        reason=payload_text(payload, "opinion"),
        data={"step": step.get("name", "")},
    )


def _suspend(case: Case, acting: Acting, payload: dict) -> None:
    procedure, reason = payload_text(payload, "procedure", 100), payload_text(payload, "reason")
    commit(
        case,
        acting,
        "suspend",
        {
            "suspended_from": case.state,
            "special_procedure": procedure,
            "paused_on": today(),
        },
        reason=reason,
        data={"procedure": procedure},
    )


def _resume(case: Case, acting: Acting, payload: dict) -> None:
    paused = 0
    if case.paused_on:
        calendar = current_calendar()
        try:
            paused = deadlines.paused_workdays(calendar, case.paused_on, today())
        except YearNotInCalendar:  # resumed in a year whose schedule is not entered: Mon-Fri assumed
            assumed = calendar.with_weekdays_assumed(today() + dt.timedelta(days=1))
            paused = deadlines.paused_workdays(assumed, case.paused_on, today())
    commit(
        case,
        acting,
        "resume",
        {
            "suspended_from": "",
            "special_procedure": "",
            "paused_on": None,
            "paused_workdays": case.paused_workdays + paused,
        },
        reason=payload_text(payload, "reason"),
        data={"paused_workdays": paused, "procedure": case.special_procedure},
    )


def _extend(case: Case, acting: Acting, payload: dict) -> None:
    days = _int(payload.get("days"))
    if days is None:
        raise ValidationError({"days": [_("应为数字。")]})
    try:
        deadlines.check_extension(days, case.extension_workdays)
    except ValueError:
        raise ValidationError(
            {
                "days": [
                    _("延长期限须为正数，且累计不超过 %(n)s 个工作日（已延长 %(done)s 个工作日）。")
                    % {"n": deadlines.LEGAL_EXTENSION_WORKDAYS, "done": case.extension_workdays}
                ]
            }
        ) from None
    reason = payload_text(payload, "reason")
    commit(
        case,
        acting,
        "extend",
        {"extension_workdays": case.extension_workdays + days},
        reason=reason,
        data={"days": days},
    )


def _approve(case: Case, acting: Acting, payload: dict) -> None:
    commit(case, acting, "approve", {"decided_on": today()}, reason=payload_text(payload, "opinion"))


def _propose_refusal(case: Case, acting: Acting, payload: dict) -> None:
    """The reviewer's step ends with a proposal to refuse, with reasons; the approver decides."""
    step = current_step(case) or {}
    commit(
        case,
        acting,
        "propose_refusal",
        {"review_step": case.review_step + 1},
        reason=payload_text(payload, "reason"),
        data={"step": step.get("name", ""), "proposal": "refuse"},
    )


def _return_step(case: Case, acting: Acting, payload: dict) -> None:
    """Back to the previous review step, with the reasons (退回上一环节)."""
    steps = review_steps(case)
    back = max(case.review_step - 1, 0)
    commit(
        case,
        acting,
        "return_step",
        {"review_step": back},
        reason=payload_text(payload, "reason"),
        data={
            "from_step": (current_step(case) or {}).get("name", ""),
            "to_step": steps[back].get("name", ""),
        },
    )


def _refuse(case: Case, acting: Acting, payload: dict) -> None:
    reason, remedy = payload_text(payload, "reason"), with_statutory_remedy(payload_text(payload, "remedy"))
    commit(
        case,
        acting,
        "refuse",
        {"decided_on": today(), "decision_reason": reason, "remedy": remedy},
        reason=reason,
        data={"remedy": remedy},
    )


def _decide_on_the_spot(case: Case, acting: Acting, payload: dict) -> None:
    """即办件: accepted and decided in one sitting."""
    commit(
        case,
        acting,
        "decide_on_the_spot",
        {"accepted_on": today(), "decided_on": today()},
        reason=payload_text(payload, "opinion"),
    )


def _approve_on_commitment(case: Case, acting: Acting, payload: dict) -> None:
    """告知承诺制: approved on the applicant's signed commitment; a follow-up check is due."""
    commitment = payload_text(payload, "commitment", 5000)
    calendar = current_calendar()
    try:
        check_due = calendar.add_workdays(today(), settings.COMMITMENT_CHECK_WORKDAYS)
    except YearNotInCalendar:  # next year's schedule not entered yet: Monday to Friday assumed
        horizon = today() + dt.timedelta(days=366)
        check_due = calendar.with_weekdays_assumed(horizon).add_workdays(
            today(), settings.COMMITMENT_CHECK_WORKDAYS
        )
    commit(
        case,
        acting,
        "approve_on_commitment",
        {
            "accepted_on": today(),
            "decided_on": today(),
            "commitment_text": commitment,
            "verification_due": check_due,
        },
        data={"verification_due": check_due.isoformat()},
    )


def _withdraw(case: Case, acting: Acting, payload: dict) -> None:
    commit(
        case,
        acting,
        "withdraw",
        {"closed_at": clock.now(), "paused_on": None},
        reason=payload_text(payload, "reason"),
    )


def _terminate(case: Case, acting: Acting, payload: dict) -> None:
    reason = payload_text(payload, "reason")
    commit(
        case,
        acting,
        "terminate",
        {
            "closed_at": clock.now(),
            "decision_reason": reason,
            "paused_on": None,
        },
        reason=reason,
    )


_HANDLERS = {
    "request_correction": _request_correction,
    "resubmit": _resubmit,
    "accept": _accept,
    "accept_with_pending": _accept_with_pending,
    "deem_accepted": _deem_accepted,
    "not_accept": _not_accept,
    "pass_step": _pass_step,
    "suspend": _suspend,
    "resume": _resume,
    "extend": _extend,
    "approve": _approve,
    "decide_on_the_spot": _decide_on_the_spot,
    "approve_on_commitment": _approve_on_commitment,
    "refuse": _refuse,
    "propose_refusal": _propose_refusal,
    "return_step": _return_step,
    "complete": handle_complete,
    "deliver": handle_deliver,
    "withdraw": _withdraw,
    "terminate": _terminate,
}
if set(_HANDLERS) != set(TRANSITIONS) - {"submit"}:  # the table and its handlers are one thing
    raise RuntimeError(f"transitions without a handler: {set(TRANSITIONS) - set(_HANDLERS) - {'submit'}}")


# --- After the decision: follow-up checks and the worker's sweeps ---------------------------


def record_verification(user: User, case: Case, *, result: str, note: str) -> Case:
    """告知承诺制: the follow-up check of what the applicant committed to."""
    actors = access.staff_actors(user, case) & {Actor.REVIEWER, Actor.APPROVER}
    if not actors:
        raise NotYourAction(_("只有本部门审查或审批人员可以登记核查结果。"), [])
    if not case.commitment_text:
        raise CaseConflict(_("该办件不是告知承诺制办件。"), allowed=[])
    if result not in {"consistent", "inconsistent"}:
        raise ValidationError({"result": [_("请选择核查结论。")]})
    with transaction.atomic():
        commit(
            case,
            acting_staff(user, sorted(actors)[0]),
            "verify_commitment",
            {"verified_at": clock.now()},
            reason=note.strip()[:2000],
            data={"result": result},
            reschedule=False,
        )
    return case


def record_tracking(user: User, case: Case, status: str, description: str) -> None:
    """A carrier's tracking event for the case's express delivery, entered by handling staff (the
    local carrier has no feed of its own). "signed" is what delivers the case (see `tracking_reported`)."""
    if not access.staff_actors(user, case):
        raise NotYourAction(_("只有办理该办件的工作人员可以登记寄递轨迹。"), [])
    tracking_reported(case, status, description)


# --- Result documents and delivery -----------------------------------------------------------


def tracking_reported(case: Case, status: str, description: str) -> None:
    """A tracking event of the case's parcel, as the carrier reports it (entered by staff for the
    local carrier; a carrier's feed would call this too). The carrier's signed-for event delivers
    the case through the `deliver` action, by the system, in the same transaction: one event."""
    delivery = Delivery.objects.filter(case=case).first()
    if delivery is None or delivery.method != DeliveryMethod.EXPRESS or not delivery.tracking_number:
        raise CaseConflict(_("该办件没有快递寄递记录。"), allowed=[])
    with transaction.atomic():
        carrier().record(delivery, status, description)
        case.delivery = delivery
        if status == "signed" and case.state == State.COMPLETED:
            act(None, case, "deliver", {"method": DeliveryMethod.EXPRESS})


def deliver_when_ready(case: Case) -> bool:
    """Electronic delivery (电子送达) is true only when the applicant can download the result: a
    completed case that chose it is delivered by the system once its decision document is kept.
    Called by the documents subscriber after it stores a decision document and on completion; the
    case row is locked so that completion and the document, arriving at once, deliver exactly once."""
    from yiwang.cases.models import DECISION_DOCUMENT_KINDS, CaseDocument

    with transaction.atomic():
        fresh = (
            Case.objects.select_for_update(of=("self",))
            .select_related("version", "entry", "department")
            .filter(pk=case.pk)
            .first()
        )
        if fresh is None or fresh.state != State.COMPLETED:
            return False
        delivery = Delivery.objects.filter(case=fresh).first()
        if delivery is None or delivery.method != DeliveryMethod.ELECTRONIC:
            return False
        if not CaseDocument.objects.filter(case=fresh, kind__in=DECISION_DOCUMENT_KINDS).exists():
            return False
        if delivery_results.result_pending(fresh):
            return False
        act(None, fresh, "deliver", {"method": DeliveryMethod.ELECTRONIC})
    return True

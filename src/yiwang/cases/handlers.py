"""What each procedure transition does to a case: one handler per row of `rules.TRANSITIONS`
(but `submit`, which is `cases.submission`), called by `services.act` inside its transaction once
the table has allowed the action and its payload has been parsed. Each writes its change through
`changes.commit` (the revision-guarded UPDATE, the event, the outbox). `complete` and `deliver`
are in `cases.delivery`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.cases import clock, corrections, deadlines
from yiwang.cases.changes import Acting, commit, payload_text, today
from yiwang.cases.delivery import handle_complete, handle_deliver
from yiwang.cases.drafts import case_schema, checklist, open_correction, required_materials
from yiwang.cases.models import Case, Correction
from yiwang.cases.procedure import acceptance_overdue, current_step, received_on, review_steps
from yiwang.cases.rules import TRANSITIONS, with_statutory_remedy
from yiwang.catalog import form_schema
from yiwang.core.workdays import YearNotInCalendar, current_calendar


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _request_correction(case: Case, acting: Acting, payload: dict) -> None:
    """一次性告知: the notice is built from the case. Each item names a material of its checklist or
    a field of its form (or, `other`, neither) with the preset reasons
    (`corrections.CORRECTION_REASONS`) and a note; the label is the case's own. Errors are keyed
    `items.<index>.<part>` (from 0, as the API's schema errors are)."""
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
        code = str(code.value if isinstance(code, corrections.CorrectionReason) else code)
        if code not in corrections.CORRECTION_REASONS:
            problems["reasons"] = [_("不认识的补正原因：%(code)s。") % {"code": code[:40]}]
        elif kind == "field" and code not in corrections.FIELD_REASONS:
            problems["reasons"] = [
                _("“%(reason)s”不适用于表单字段，可选：%(allowed)s。")
                % {
                    "reason": _(corrections.CORRECTION_REASONS[code]),
                    "allowed": "、".join(
                        _(corrections.CORRECTION_REASONS[r]) for r in corrections.FIELD_REASONS
                    ),
                }
            ]
        elif code not in reasons:
            reasons.append(code)
    note = str(item.get("note") or "").strip()
    if len(note) > corrections.NOTE_MAX:
        problems["note"] = [_("长度不能超过 %(limit)s 个字符。") % {"limit": corrections.NOTE_MAX}]
    elif "\x00" in note:
        problems["note"] = [_("不能包含空字符（U+0000）。")]
    elif not note and kind == "other":
        problems["note"] = [_("请写明需要补正的内容和要求。")]
    elif not note and corrections.CorrectionReason.OTHER in reasons:
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
    accepted_on = received_on(case) if acceptance_overdue(case) else today()
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
            "accepted_on": received_on(case) if acceptance_overdue(case) else today(),
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
        {"accepted_on": received_on(case), "review_step": 0},
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


HANDLERS = {
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
if set(HANDLERS) != set(TRANSITIONS) - {"submit"}:  # the table and its handlers are one thing
    raise RuntimeError(f"transitions without a handler: {set(TRANSITIONS) - set(HANDLERS) - {'submit'}}")

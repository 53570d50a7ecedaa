"""Demo cases (办件): a few hundred applications across states, channels and dates, so the
workbench queues, the supervisors' figures and the applicants' spaces look lived in.

Built only through `cases.services` (start_application / start_window_intake, save_form,
attach_material, set_delivery, submit, act, record_tracking, record_verification) inside
`clock.frozen(...)` blocks: the cases were submitted over the past six weeks or so and moved on at
plausible later working days — a correction requested after a day or two, acceptance, the review
steps, on-site inspections (现场核查) and expert reviews that stop the clock, extensions, approvals,
refusals with reasons and remedy, not accepted, withdrawn, terminated, completed, and delivered by
pickup, express (with the carrier's tracking) or electronically; 即办件 decided on the spot,
告知承诺 approvals with their follow-up checks, 容缺受理 with a committed date (some overdue; only
where a published entry allows 容缺 and has a required material that is not key).

Each case follows a script of steps in working days after its submission, and is placed backwards
from today so that it stands where its script ends: most older cases are closed, some open ones
are due soon and some overdue. A further `HISTORY_CASES`, all closed (delivered, refused, not
accepted, withdrawn, terminated), ran in the year before, more of them in the recent
months as a platform gains users: the supervisors' month-by-month figures have a year to compare. Nothing happens today or later: the clock is only ever frozen in the
past, so the due dates the services store are real ones (provisional only where a deadline runs
into a year whose schedule is not entered yet).

Applicants: the demo persons and enterprises of `demo.region` — 张三 (demo-citizen) has about ten
cases in varied states, one awaiting his correction and one draft; 好味道餐饮 (demo-enterprise)
some, one filed by 张三 as its agent — and a pool of generated residents and businesses (accounts
without a usable password for the online applications, and people identified at a window) so the
queues do not show the same five names. A department without demo staff gets one handling officer
(no usable password) so its cases move too. Choices are seeded: the same date gives the same cases.
Loading again creates nothing: the pool's first account marks demo cases as loaded.

This module runs the plans (`Runner`, `load_cases`); the parts are modules of their own: `people`
(the applicants and the staff), `case_plans` (the entries and what each case will be),
`case_scripts` (a case's steps and their days), `filling` (form values and scans) and
`case_reasons` (what a notice to correct, a refusal or a non-acceptance says).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import clock, delivery, documents, drafts, procedure, services, sweeps
from yiwang.cases.models import Case, Delivery, DeliveryMethod
from yiwang.catalog.models import Necessity
from yiwang.core.models import OutboxMessage
from yiwang.demo import licences as demo_licences
from yiwang.demo.case_plans import Plan, Step, entry_infos, plan_cases
from yiwang.demo.case_reasons import (
    FIELD_PROBLEMS,
    handed_in,
    material_correction,
    not_accepted_reason,
    refusal_reason,
)
from yiwang.demo.case_scripts import schedule
from yiwang.demo.filling import Files, Filler
from yiwang.demo.people import PLACES, Staffing, applicant_pools
from yiwang.demo.workdays import Line
from yiwang.licences import reuse

SEED = 1599
CASES = 330  # in all, 张三's and 好味道餐饮's included
MARKER = "demo-applicant-01"  # the pool's first account: its presence means the cases are loaded
HISTORY_CASES = 110  # closed cases of the months before: the statistics' trends


# --- Running --------------------------------------------------------------------------------


@dataclass
class Summary:
    created: int = 0
    states: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    staff_created: int = 0
    seconds: float = 0.0


class Runner:
    """Runs the plans through the services, each step at its own frozen time."""

    def __init__(self, rng: random.Random, staffing: Staffing, files: Files, line: Line):
        self.rng, self.staffing, self.files, self.line = rng, staffing, files, line

    def who(self, plan: Plan, role: str, case: Case | None) -> User | None:
        dept = plan.info.entry.department
        window = plan.channel == "window"
        if role == "applicant":
            return plan.applicant.user if not window else self.staffing.clerk(dept)
        if role == "clerk":
            return self.staffing.clerk(dept)
        if role == "reviewer":
            return self.staffing.reviewer(dept)
        if role == "system":
            return None
        if role == "completer" and window and plan.info.instant:
            return self.staffing.clerk(dept)
        step = procedure.current_step(case) if role == "step" and case is not None else None
        if step and step.get("role") == "reviewer":
            return self.staffing.reviewer(dept)
        return self.staffing.approver(dept)

    def run(self, plan: Plan) -> Case | None:
        case: Case | None = None
        day, minute = None, plan.minute
        for step in plan.steps:
            index = plan.start + step.t
            if index >= self.line.today:
                break  # has not happened yet (only optional steps get here)
            if day is None:
                day = index
            elif index != day:
                day, minute = index, self.rng.randint(8 * 60 + 40, 16 * 60 + 50)
            else:
                minute = min(minute + self.rng.randint(4, 35), 17 * 60 + 55)
            when = timezone.make_aware(
                dt.datetime.combine(self.line.days[index], dt.time(minute // 60, minute % 60))
            )
            with clock.frozen(when):
                case = self.step(plan, step, case)
        return case

    def step(self, plan: Plan, step: Step, case: Case | None) -> Case:
        if step.do in ("draft", "apply"):
            return self.apply(plan, submit=step.do == "apply")
        assert case is not None  # the services keep it current, as a page would reload it
        user = self.who(plan, step.who, case)
        do, data = step.do, dict(step.data)
        if do == "request_correction":
            data = {"items": self.correction_items(case, plan)}
        elif do == "not_accept":
            data["reason"] = not_accepted_reason(case, data.pop("why"), self.rng)
        elif do == "refuse":
            data["reason"] = refusal_reason(case, self.rng)
            data.pop("why", None)
        elif do == "correct":
            self.correct(case, user)
            do, data = "resubmit", {}
        elif do == "accept_with_pending":
            pending = [
                i.material.pk
                for i in drafts.checklist(case)
                if i.tolerable and not i.provided and i.necessity == Necessity.REQUIRED
            ]
            commitment = clock.today() + dt.timedelta(days=self.rng.randint(3, 7))
            data = {"pending_materials": pending[:1], "commitment_date": commitment.isoformat()}
        elif do == "supply":
            materials = {m.pk: m for m in drafts.required_materials(case)}
            for pk in list(case.pending_materials):
                name = materials[pk].name
                drafts.attach_material(user, case, pk, self.files.pdf(name), f"{name}.pdf")
            return case
        elif do == "deliver_pickup":
            code = Delivery.objects.filter(case=case).values_list("pickup_code", flat=True).first() or ""
            do, data = "deliver", {"method": DeliveryMethod.PICKUP, "pickup_code": code}
        elif do == "deliver_express":
            do, data = "deliver", {"method": DeliveryMethod.EXPRESS}
        elif do == "track":
            case = Case.objects.select_related("delivery").get(pk=case.pk)
            services.record_tracking(user, case, data["status"], self.tracking_text(plan, data["status"]))
            return case
        elif do == "verify":
            note = "经现场核查，申请人承诺事项与实际情况一致。"
            services.record_verification(user, case, result="consistent", note=note)
            return case
        services.act(user, case, do, data)
        if do == "deliver" and data.get("method") == DeliveryMethod.EXPRESS:
            # The worker's part for this case, at this moment: the parcel booked with the
            # carrier, so that its tracking can follow (the worker finds it booked later).
            message = (
                OutboxMessage.objects.filter(topic="case.dispatch", payload__case=case.pk)
                .order_by("-pk")
                .first()
            )
            delivery.book_with_carrier(message)
        if do == "complete" and plan.delivery == DeliveryMethod.ELECTRONIC:
            # The worker's part for this case, at this moment: its decision document, and with it
            # the electronic delivery. (The rest of the outbox, the other documents and the
            # notices, is the worker's once the demo runs.)
            demo_licences.catch_up(case)
            documents.catch_up(case)
            # Delivered by the system meanwhile: read it again, as a page would reload it.
            case = Case.objects.select_related("version", "entry", "department").get(pk=case.pk)
        return case

    def apply(self, plan: Plan, *, submit: bool) -> Case:
        """Start, fill in, attach and (unless a draft) submit: drafting began a while before."""
        a, info, rng = plan.applicant, plan.info, self.rng
        submit_at = clock.now()
        started = submit_at - dt.timedelta(minutes=rng.randint(10, 40))
        with clock.frozen(started):
            if plan.channel == "online":
                editor = a.user
                case = drafts.start_application(
                    editor, info.entry, situation_id=plan.situation, enterprise=a.on_behalf
                )
            else:
                editor = self.staffing.clerk(info.entry.department)
                case = drafts.start_window_intake(
                    editor,
                    info.entry,
                    situation_id=plan.situation,
                    id_number="" if a.is_enterprise else a.id_number,
                    uscc=a.uscc if a.is_enterprise else "",
                    name=a.name,
                    phone=a.phone,
                )
            filler = Filler(rng, a, info, plan.delivery, clock.today())
            data = filler.form(drafts.case_schema(case))
            if not submit:  # a draft: half filled in, autosaved
                data = dict(list(data.items())[: max(1, len(data) // 2)])
            drafts.save_form(editor, case, data, contact_phone=filler.identity["agent_phone"])
            leave_out = plan.target == "pending_overdue" or bool(plan.flags.get("pending"))
            for item in drafts.checklist(case):
                m = item.material
                if leave_out and item.tolerable and m.necessity == Necessity.REQUIRED:
                    leave_out = False  # 容缺: one non-key material is brought later
                    continue
                if m.licence_type_code and plan.channel == "online" and self.reuse_licence(editor, case, m):
                    continue  # 三个凡是: the applicant ticks "use my e-licence" instead of uploading
                if (m.necessity == Necessity.REQUIRED or rng.random() < 0.1) and (
                    submit or rng.random() < 0.5
                ):
                    started += dt.timedelta(seconds=rng.randint(20, 90))
                    with clock.frozen(started):
                        drafts.attach_material(editor, case, m.pk, self.files.pdf(m.name), f"{m.name}.pdf")
            if plan.delivery == DeliveryMethod.EXPRESS:
                drafts.set_delivery(
                    editor,
                    case,
                    DeliveryMethod.EXPRESS,
                    recipient=a.agent_name or a.name,
                    phone=filler.identity["agent_phone"],
                    address=filler.address_text(),
                )
            elif submit:
                drafts.set_delivery(editor, case, plan.delivery)
        if submit:
            drafts.submit(editor, case)
        return case

    def reuse_licence(self, editor: User, case: Case, material) -> bool:
        offer = next((o for o in reuse.offers(case) if o.material.pk == material.pk), None)
        if offer is None or offer.licence is None:
            return False
        reuse.use(editor, case, material.pk, offer.licence.identifier)
        return True

    def correction_items(self, case: Case, plan: Plan) -> list[dict[str, Any]]:
        """一次性告知: every point at once — one or two materials handed in, each with what can be
        wrong with that kind of material, sometimes a form field."""
        rng = self.rng
        received = handed_in(case)
        items: list[dict[str, Any]] = [
            material_correction(m, plan.applicant, rng)
            for m in rng.sample(received, min(len(received), rng.randint(1, 2)))
        ]
        fields = [
            f
            for f in drafts.case_schema(case).get("fields", [])
            if f["type"] in ("text", "textarea")
            and not f.get("prefill")
            and not f.get("pattern")
            and f["name"] in case.form_data
            and f["name"] not in IDENTITY_FIELDS
        ]
        if fields and (rng.random() < 0.3 or not items):
            code, note = rng.choice(FIELD_PROBLEMS)
            items.append(
                {"kind": "field", "field": rng.choice(fields)["name"], "reasons": [code], "note": note}
            )
        if not items:
            missing = [i.material for i in drafts.checklist(case) if not i.provided and not i.shared]
            if missing:
                note = "未提交该材料，请补充提交。"
                items.append(
                    {"kind": "material", "material": missing[0].pk, "reasons": ["other"], "note": note}
                )
            else:
                items.append(
                    {"kind": "other", "note": f"请补充说明“{case.version.name}”申请事项的具体情况。"}
                )
        return items

    def correct(self, case: Case, user: User | None) -> None:
        """The applicant (or the window, for a window case) answers every point."""
        correction = drafts.open_correction(case)
        schema = {f["name"]: f for f in drafts.case_schema(case).get("fields", [])}
        for item in correction.items if correction else []:
            if item.get("material"):
                name = item["label"] or "补正材料"
                drafts.attach_material(
                    user, case, item["material"], self.files.pdf(name), f"{name}（补正）.pdf"
                )
            elif item.get("field") in schema:
                old = str(case.form_data.get(item["field"], ""))
                new = f"{old}（已更正）"
                limit = schema[item["field"]].get("max_length")
                drafts.save_form(user, case, {item["field"]: new if not limit or len(new) <= limit else old})

    def tracking_text(self, plan: Plan, status: str) -> str:
        place = PLACES[plan.applicant.county]
        return {
            "in_transit": f"快件已发出，正在运往{place}",
            "out_for_delivery": f"快件已到达{place}营业部，正在派送",
            "signed": "快件已签收，签收人：本人",
        }[status]


IDENTITY_FIELDS = {
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "enterprise_name",
    "uscc",
    "legal_representative",
    "agent_name",
    "agent_id_number",
    "agent_phone",
}


def demo_cases_loaded() -> bool:
    return User.objects.filter(username=MARKER).exists()


def load_cases(*, count: int = CASES, history_count: int = HISTORY_CASES, seed: int = SEED) -> Summary:
    """Create the demo cases (nothing when they exist). Expects the region and catalog loaded."""
    started = time.monotonic()
    summary = Summary()
    if demo_cases_loaded() or not User.objects.filter(username="demo-citizen").exists():
        return summary
    infos = entry_infos()
    if not infos:
        return summary
    rng = random.Random(seed)
    line = Line(timezone.localdate())
    pools = applicant_pools(rng)
    staffing = Staffing(rng)
    plans = plan_cases(rng, infos, pools, count)
    for plan in plans:
        schedule(plan, rng, line)
    # The months before, from a generator of their own: the recent cases stay as they were.
    past = random.Random(seed + 1)
    for plan in (history := plan_cases(past, infos, pools, history_count, history=True)):
        schedule(plan, past, line)
    plans += history
    plans.sort(key=lambda p: (p.start, p.minute))  # case numbers follow the submission order
    runner = Runner(rng, staffing, Files(), line)
    for plan in plans:
        case = runner.run(plan)
        if case is not None:
            summary.created += 1
            summary.states[Case.objects.values_list("state", flat=True).get(pk=case.pk)] += 1
            summary.channels[case.channel] += 1
    # The worker's sweep at the end of the last working day: flag the 容缺 commitments past due.
    last = line.days[line.today - 1]
    with clock.frozen(timezone.make_aware(dt.datetime.combine(last, dt.time(18, 0)))):
        sweeps.flag_overdue_commitments(on=last)
    summary.staff_created = staffing.created
    summary.seconds = time.monotonic() - started
    return summary

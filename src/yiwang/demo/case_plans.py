"""Planning the demo cases: the published entries they apply for (`EntryInfo`), where each case
stands today (`TARGETS`, with the flags of what happened on the way) and who applies, so that every
kind of case appears at least once (`FORCED`) and the named applicants have theirs; then the rest
at random. A plan's steps are its script (`case_scripts`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from yiwang.cases import services
from yiwang.cases.models import DeliveryMethod
from yiwang.catalog.models import CaseKind, Entry, EntryStatus, Necessity
from yiwang.demo.people import Applicant, Pools

# (target, weight): where a case stands today.
TARGETS = [
    ("delivered", 48.0),
    ("completed", 6.0),
    ("approved", 2.0),
    ("refused", 1.5),
    ("not_accepted", 3.0),
    ("withdrawn", 2.5),
    ("terminated", 1.0),
    ("submitted", 6.0),
    ("correction", 6.0),
    ("accepted", 4.0),
    ("under_review", 10.0),
    ("suspended", 4.0),
    ("pending_overdue", 1.5),
    ("draft", 2.0),
]
OPEN_REVIEW = {"accepted", "under_review", "suspended", "pending_overdue"}
CLOSED_TARGETS = {"delivered", "refused", "not_accepted", "withdrawn", "terminated"}


# --- Entries ---------------------------------------------------------------------------------


@dataclass
class EntryInfo:
    entry: Entry
    instant: bool
    limit: int  # working days (natural days and hours converted roughly)
    steps: list[dict[str, str]]
    tolerant: bool
    commitment: bool
    express: bool
    online: bool
    audience: str
    situations: list[int]
    weight: float
    spec: Any = None
    procedures: list[str] = field(default_factory=list)  # the special procedures the guide declares
    joint_bodies: str = ""


def entry_infos() -> list[EntryInfo]:
    from yiwang.demo.catalog_specs import item_specs

    specs = {s.code: s for s in item_specs()}
    infos = []
    qs = (
        Entry.objects.filter(published__isnull=False, status=EntryStatus.ACTIVE)
        .select_related("published", "department__division", "catalog_item")
        .prefetch_related("published__situations", "published__materials")
        .order_by("code")
    )
    for entry in qs:
        v = entry.published
        instant = v.case_kind == CaseKind.INSTANT
        limit = 0 if instant else (v.promised_limit or v.legal_limit or 20)
        if v.promised_limit_unit == "natural_day":
            limit = max(1, limit * 5 // 7)
        elif v.promised_limit_unit == "hour":
            limit = max(1, limit // 8)
        materials = list(v.materials.all())
        tolerant = v.tolerance_acceptance and any(
            m.necessity == Necessity.REQUIRED and not m.is_key and m.situation_id is None for m in materials
        )
        department = entry.department
        weight = 16.0 if department.name == "青山市市场监督管理局" else 1.0
        if department.division.level > 2:
            weight *= 0.7
        infos.append(
            EntryInfo(
                entry=entry,
                instant=instant,
                limit=limit,
                steps=list(v.review_steps or services.DEFAULT_REVIEW_STEPS),
                tolerant=tolerant,
                commitment=v.notification_commitment,
                express=v.express_delivery,
                online=v.online_depth >= 2,
                audience=v.audience,
                situations=[s.pk for s in v.situations.all()],
                weight=weight,
                spec=specs.get(entry.catalog_item.basic_code),
                procedures=[
                    str(p["name"])
                    for p in v.special_procedures or []
                    if isinstance(p, dict) and p.get("name")
                ],
                joint_bodies=v.joint_bodies,
            )
        )
    return infos


@dataclass
class Step:
    t: int  # working days after submission
    who: str  # applicant / clerk / reviewer / approver / system / step (the current review step's role)
    do: str
    data: dict[str, Any] = field(default_factory=dict)
    optional: bool = False  # may fall on today or later: then it simply has not happened yet


@dataclass
class Plan:
    info: EntryInfo
    applicant: Applicant
    channel: str
    target: str
    delivery: str
    flags: dict[str, Any]
    situation: int | None = None
    steps: list[Step] = field(default_factory=list)
    start: int = 0  # index of the submission day on the line
    minute: int = 600
    history: bool = False  # one of the closed cases of the months before (`cases.HISTORY_CASES`)


# --- Planning -------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: list[tuple[Any, float]]):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _suits(info: EntryInfo, target: str, flags: dict) -> bool:
    if (target == "suspended" or flags.get("suspend")) and not info.procedures:
        return False  # a case stops only for a special procedure its guide declares
    if target == "pending_overdue" or flags.get("pending"):
        return info.tolerant
    if flags.get("commitment"):
        return info.commitment and not info.instant
    if flags.get("instant"):
        return info.instant
    review = target in OPEN_REVIEW or target in ("terminated", "refused")
    if info.instant and (
        review or any(flags.get(k) for k in ("suspend", "extend", "deemed", "late", "refuse"))
    ):
        return False
    return not (flags.get("extend") and info.limit < 5)


def plan_cases(
    rng: random.Random, infos: list[EntryInfo], pools: Pools, count: int, *, history: bool = False
) -> list[Plan]:
    """`count` plans: the named applicants' cases, every kind at least once, then the rest at
    random; or (`history`) `count` closed cases of the months before, at random."""
    plans: list[Plan] = []

    def pick_entry(target: str, flags: dict, audience: str | None, online: bool) -> EntryInfo | None:
        fits = [
            i
            for i in infos
            if _suits(i, target, flags)
            and (audience is None or i.audience in (audience, "both"))
            and (i.online or not online)
        ]
        return _weighted(rng, [(i, i.weight) for i in fits]) if fits else None

    def plan(target: str, flags: dict, *, applicant: Applicant | None = None, info: EntryInfo | None = None):
        if applicant is not None:
            channel = "online" if applicant.user else "window"
        else:  # withdrawing and drafts need an account; otherwise three in ten come to a window
            channel = "online" if target in ("withdrawn", "draft") or rng.random() < 0.7 else "window"
        if info is None:
            audience = None if applicant is None else ("enterprise" if applicant.is_enterprise else "person")
            info = pick_entry(target, flags, audience, channel == "online")
            if info is None:  # e.g. 容缺 without an entry that has a non-key material
                return None
        if applicant is None:
            if info.audience == "enterprise" or (info.audience == "both" and rng.random() < 0.4):
                pool = pools.online_enterprises if channel == "online" else pools.window_enterprises
            else:
                pool = pools.online_persons if channel == "online" else pools.window_persons
            applicant = min(rng.sample(pool, 3), key=lambda a: a.cases)
        applicant.cases += 1
        options = [
            (DeliveryMethod.ELECTRONIC, 4.0),
            (DeliveryMethod.PICKUP, 3.5 if channel == "online" else 8),
        ]
        if info.express:
            options.append((DeliveryMethod.EXPRESS, 2.5))
        if target == "completed":  # left awaiting delivery: electronic ones are delivered with the document
            options = options[1:]
        p = Plan(info, applicant, channel, target, _weighted(rng, options), flags, history=history)
        if info.situations:
            p.situation = rng.choice(info.situations)
        plans.append(p)
        return p

    targets = [(t, w) for t, w in TARGETS if t in CLOSED_TARGETS] if history else TARGETS
    if not history:
        # 张三: about ten cases in varied states, one awaiting his correction and one draft.
        for target, flags in [
            ("draft", {}),
            ("correction", {}),
            ("submitted", {}),
            ("under_review", {"urgency": "due_soon"}),
            ("suspended", {}),
            ("completed", {}),
            ("delivered", {"correction": True}),
            ("delivered", {}),
            ("refused", {}),
            ("withdrawn", {}),
        ]:
            plan(target, flags, applicant=pools.zhang)
        # 好味道餐饮: some cases, one filed by 张三 as its agent, one with an overdue commitment.
        food = [i for i in infos if i.tolerant and i.entry.department.name == "青山市市场监督管理局"]
        plan("pending_overdue", {}, applicant=pools.enterprise, info=food[0] if food else None)
        plan("under_review", {"urgency": "normal"}, applicant=pools.zhang_for_enterprise)
        for target in ("delivered", "delivered", "completed", "submitted", "correction", "draft"):
            plan(target, {}, applicant=pools.enterprise)
        # 李秀英 (the elderly-mode account): a few.
        for target in ("delivered", "under_review", "submitted"):
            plan(target, {"urgency": "normal"}, applicant=pools.li)
        # Every kind of case at least once or twice, then the rest at random.
        for target, flags in FORCED:
            plan(target, dict(flags))
    while len(plans) < count:
        target = _weighted(rng, targets)
        flags: dict[str, Any] = {}
        if target in OPEN_REVIEW:
            flags["urgency"] = _weighted(rng, [("normal", 50.0), ("due_soon", 32.0), ("overdue", 18.0)])
        if target in ("delivered", "completed", "approved", "refused", "not_accepted", "withdrawn"):
            flags["correction"] = rng.random() < 0.15
        if target in ("delivered", "completed", "approved") and rng.random() < 0.25:
            flags["commitment"] = True
        if target in ("delivered", "completed", "refused", "under_review"):
            flags["suspend"] = rng.random() < 0.08
            flags["extend"] = rng.random() < 0.06
            flags["late"] = target != "under_review" and rng.random() < 0.07
            flags["refuse"] = target in ("delivered", "completed") and rng.random() < 0.08
        if target in ("delivered", "completed") and rng.random() < 0.1 and any(i.tolerant for i in infos):
            flags["pending"] = True
        if not any(_suits(i, target, flags) for i in infos):
            continue
        plan(target, flags)
    return plans


FORCED: list[tuple[str, dict[str, Any]]] = [
    ("suspended", {}),
    ("suspended", {}),
    ("pending_overdue", {"urgency": "overdue"}),
    ("under_review", {"urgency": "overdue"}),
    ("under_review", {"urgency": "overdue"}),
    ("under_review", {"urgency": "due_soon"}),
    ("under_review", {"urgency": "due_soon"}),
    ("accepted", {"urgency": "due_soon"}),
    ("under_review", {"extend": True}),
    ("delivered", {"extend": True}),
    ("delivered", {"suspend": True}),
    ("delivered", {"deemed": True}),
    ("delivered", {"pending": True}),
    ("delivered", {"late": True}),
    ("delivered", {"commitment": True}),
    ("delivered", {"commitment": True}),
    ("completed", {"commitment": True}),
    ("approved", {"commitment": True}),
    ("delivered", {"instant": True}),
    ("delivered", {"instant": True}),
    ("completed", {"instant": True}),
    ("delivered", {"refuse": True}),
    ("refused", {}),
    ("not_accepted", {"correction": True}),
    ("not_accepted", {}),
    ("terminated", {}),
    ("withdrawn", {}),
]

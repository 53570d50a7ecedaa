"""Reading bundles: the catalog facts their rules work on, the merged guide (一次告知), the
application's one view, a case's bundle context for staff, and the figures for supervisors.
One read model per object, shared by API, portal and workbench."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from yiwang.bundles import rules
from yiwang.bundles.definition import Definition, EntryFacts, MaterialFacts, Question, options_of
from yiwang.bundles.models import Bundle, BundleApplication, BundleMember, BundleVersion, MemberState
from yiwang.cases.models import Case, state_label
from yiwang.cases.published import published
from yiwang.cases.rules import State
from yiwang.catalog import form_schema
from yiwang.catalog.models import Entry, EntryStatus, Necessity

DECIDED_STATES = {State.APPROVED, State.COMPLETED, State.DELIVERED}
FAILED_STATES = {State.NOT_ACCEPTED, State.REFUSED, State.WITHDRAWN, State.TERMINATED}
# The decisions that grant: a refused case is completed too (办结), so the state alone cannot say.
APPROVALS = ("approve", "decide_on_the_spot", "approve_on_commitment")


def outcomes(cases: list[Case]) -> dict[int, str]:
    """Each case's outcome for the chain: "granted" (decided positively), "failed" (not accepted,
    refused, withdrawn, terminated — also when completed after a refusal), or "open". One query
    for the cases whose state does not say."""
    from yiwang.cases.models import CaseEvent

    result: dict[int, str] = {}
    unsure = []
    for case in cases:
        if case.state in FAILED_STATES:
            result[case.pk] = "failed"
        elif case.state == State.APPROVED:
            result[case.pk] = "granted"
        elif case.state in DECIDED_STATES:
            unsure.append(case.pk)
        else:
            result[case.pk] = "open"
    if unsure:
        granted = set(
            CaseEvent.objects.filter(case_id__in=unsure, action__in=APPROVALS).values_list(
                "case_id", flat=True
            )
        )
        result.update({pk: "granted" if pk in granted else "failed" for pk in unsure})
    return result


def definition_of(version: BundleVersion) -> Definition:
    return Definition.model_validate(version.definition)


_fees: dict[tuple[int, Any], tuple[str, ...]] = {}


def _fees_of(version) -> tuple[str, ...]:
    """A published version's fees, read once per process (a published version never changes)."""
    if version.is_free:
        return ()
    key = (version.pk, version.published_at)
    if key not in _fees:
        _fees[key] = tuple(f"{fee.name}：{fee.standard}" for fee in version.fees.all())
    return _fees[key]


def entry_facts(codes, entries: list[Entry] | None = None) -> dict[str, EntryFacts]:
    """What the rules need of each entry, from its published guide (`cases.published`: cached per
    version); the entries are read by the submission path's own statement (`entry_to_apply`)."""
    from yiwang.cases.published import entry_to_apply
    from yiwang.licences.models import LicenceType

    if entries is None:
        entries = [e for e in (entry_to_apply(c) for c in dict.fromkeys(codes)) if e is not None]
    types: dict[int, Any] = {}
    for lt in LicenceType.objects.filter(entries__in=[e.pk for e in entries], is_active=True).values(
        "entries", "code", "name", "schema"
    ):
        types.setdefault(lt["entries"], lt)
    facts = {}
    for entry in entries:
        version = entry.published
        if version is None:
            facts[entry.code] = EntryFacts(
                entry.code, entry.name, entry.department.name, False, "both", {}, {}, (), 0, "workday", 0
            )
            continue
        parts = published(version)
        seqs = {s.pk: s.seq for s in parts.situations.values()}
        # Each member's form as an application asks it (`form_schema.application_schema`): the
        # platform's own delivery and contact steps are asked once for the whole bundle.
        fields: dict[int | None, tuple[dict[str, Any], ...]] = {
            None: tuple(form_schema.application_schema(parts.schema_for(None)).get("fields", []))
        }
        for situation in parts.situations.values():
            schema = form_schema.application_schema(parts.schema_for(situation.pk))
            fields[situation.seq] = tuple(schema.get("fields", []))
        lt = types.get(entry.pk)
        facts[entry.code] = EntryFacts(
            code=entry.code,
            name=entry.name,
            department=entry.department.name,
            published=entry.status == EntryStatus.ACTIVE,
            audience=version.audience,
            fields=fields,
            situations={s.seq: s.name for s in parts.situations.values()},
            materials=tuple(
                MaterialFacts(
                    m.pk,
                    m.name,
                    seqs.get(m.situation_id) if m.situation_id else None,
                    m.necessity == Necessity.REQUIRED and not m.licence_type_code,
                    m.licence_type_code,
                )
                for m in parts.materials
            ),
            limit=parts.limit,
            limit_unit=parts.limit_unit,
            visits=version.visits_required,
            fees=_fees_of(version),
            conditions=version.acceptance_conditions,
            issues=lt["code"] if lt else "",
            issues_name=lt["name"] if lt else "",
            licence_fields=tuple(f["name"] for f in (lt["schema"] or {}).get("fields", [])) if lt else (),
            department_open=entry.department.is_active,
        )
    return facts


def facts_and_entries(version: BundleVersion):
    """The definition, its entries' facts, and the entries themselves (to apply with)."""
    from yiwang.cases.published import entry_to_apply

    definition = definition_of(version)
    entries = [e for e in (entry_to_apply(m.entry) for m in definition.members) if e is not None]
    return definition, entry_facts([], entries), {e.code: e for e in entries}


def facts_of(version: BundleVersion) -> tuple[Definition, dict[str, EntryFacts]]:
    definition, facts, _entries = facts_and_entries(version)
    return definition, facts


# --- The guide ---------------------------------------------------------------------------------


def published_bundles(division_prefix: str = "") -> list[Bundle]:
    found = Bundle.objects.filter(is_active=True, published__isnull=False).select_related(
        "published", "division"
    )
    if division_prefix:
        found = found.filter(division__code__startswith=division_prefix)
    return list(found.order_by("division__code", "code"))


def bundle_by_code(code: str) -> Bundle | None:
    return (
        Bundle.objects.filter(code=code, is_active=True, published__isnull=False)
        .select_related("published", "division")
        .first()
    )


# Two-character runs too common in citizens' questions to say which bundle is meant.
FILLER = {
    "我要",
    "我想",
    "想要",
    "怎么",
    "如何",
    "办理",
    "需要",
    "一个",
    "一家",
    "请问",
    "什么",
    "哪些",
    "可以",
    "手续",
}


def search_words(query: str) -> list[str]:
    """The words a query is looked up by: itself, its space-separated parts, and its runs of two
    and three characters without filler (我想开一家饭店 → 饭店 …), so everyday phrasing finds."""
    text = query.strip()[:100]
    runs = [text[i : i + n] for n in (3, 2) for i in range(max(0, len(text) - n + 1))]
    return [text, *text.split(), *(r for r in runs if r not in FILLER and not r.isspace())]


def search(words: list[str], limit: int = 3) -> list[Bundle]:
    """Bundles whose name, everyday title or aliases contain one of the query's words (开饭店
    finds 我要开饭店 first): few rows, read whole."""
    words = [w for w in words if len(w) >= 2]
    if not words:
        return []
    q = Q()
    for w in words:
        q |= Q(search_text__contains=w)
    return list(
        Bundle.objects.filter(q, is_active=True, published__isnull=False).select_related("published")[:limit]
    )


@dataclass
class Guide:
    bundle: Bundle
    version: BundleVersion
    definition: Definition
    facts: dict[str, EntryFacts]
    selected: list[rules.Selected]
    materials: list[rules.MergedMaterial]
    days: int
    path: list[str]
    savings: rules.Savings
    questions: list[Question]
    answers: dict[str, Any]

    def name_of(self, code: str) -> str:
        return self.facts[code].name if code in self.facts else code

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.bundle.code,
            "name": self.version.name,
            "plain_title": self.version.plain_title,
            "summary": self.version.summary,
            "audience": self.version.audience,
            "version": self.version.number,
            "questions": [
                {
                    "code": q.code,
                    "text": q.text,
                    "kind": q.kind,
                    "unit": q.unit,
                    "help": q.help,
                    "options": [{"value": o.value, "label": o.label} for o in options_of(q)],
                    "ask_if": [c.model_dump(exclude_none=True) for c in q.ask_if],
                }
                for q in self.definition.questions
            ],
            "answers": self.answers,
            "items": [
                {
                    "entry": s.member.entry,
                    "name": self.facts[s.member.entry].name,
                    "department": self.facts[s.member.entry].department,
                    "situation": self.facts[s.member.entry].situations.get(s.situation or 0, ""),
                    "after": list(s.after),
                    "limit_workdays": rules.workdays(self.facts[s.member.entry]),
                    "visits": self.facts[s.member.entry].visits,
                    "conditions": self.facts[s.member.entry].conditions,
                    "fees": list(self.facts[s.member.entry].fees),
                    "issues": self.facts[s.member.entry].issues_name,
                    "note": s.member.note,
                }
                for s in self.selected
            ],
            "materials": [
                {
                    "key": m.key,
                    "name": m.name,
                    "required": m.required,
                    "licence_type": m.licence_type,
                    "from_upstream": self.name_of(m.from_upstream) if m.from_upstream else "",
                    "for": [self.name_of(c) for c in m.for_entries],
                }
                for m in self.materials
            ],
            "form": rules.form_for(self.definition, self.selected, self.facts),
            "promised_workdays": self.days,
            "critical_path": [self.name_of(c) for c in self.path],
            "joint_extension_workdays": self.definition.joint_extension,
            "savings": self.savings.as_dict(),
        }


def guide(
    bundle: Bundle, answers: dict[str, Any] | None = None, version: BundleVersion | None = None
) -> Guide:
    """The merged guide: for given answers, what applies to this applicant; without, everything
    the bundle may involve (every member, every material)."""
    version = version or bundle.published
    assert version is not None
    definition, facts = facts_of(version)
    if answers is None:
        selected = [
            rules.Selected(m, (m.situations[0].seq if m.situations else None), m.after)
            for m in definition.members
            if m.entry in facts
        ]
        clean: dict[str, Any] = {}
    else:
        clean, _problems = rules.clean_answers(definition, answers)
        selected = [s for s in rules.select(definition, clean, facts) if s.member.entry in facts]
    days, path = rules.critical_path(selected, facts)
    return Guide(
        bundle,
        version,
        definition,
        facts,
        selected,
        rules.merged_materials(definition, selected, facts),
        days,
        path,
        rules.savings(definition, selected, facts),
        rules.asked(definition, clean),
        clean,
    )


def wallet_offers(user, merged: list[rules.MergedMaterial]) -> dict[str, Any]:
    """For each material an e-licence can provide (and no upstream member will), the newest usable
    licence of that type the signed-in applicant holds: material key -> licence."""
    from yiwang.licences.models import Licence

    wanted = {m.key: m.licence_type for m in merged if m.licence_type and not m.from_upstream}
    person = getattr(user, "person", None) if user.kind == "person" else None
    enterprise = getattr(user, "enterprise", None) if user.kind == "enterprise" else None
    if not wanted or (person is None and enterprise is None):
        return {}
    holder = (
        Q(holder_enterprise=enterprise)
        if enterprise
        else Q(holder_person=person, holder_enterprise__isnull=True)
    )
    held = list(
        Licence.objects.filter(holder, licence_type__is_active=True)
        .filter(Q(licence_type__code__in=wanted.values()) | Q(licence_type__name__in=wanted.values()))
        .select_related("licence_type")
        .order_by("-issued_on", "-version", "-id")
    )
    offers = {}
    for key, kind in wanted.items():
        licence = next(
            (lic for lic in held if lic.usable and kind in (lic.licence_type.code, lic.licence_type.name)),
            None,
        )
        if licence is not None:
            offers[key] = licence
    return offers


# --- Applications ------------------------------------------------------------------------------


def member_rows(application: BundleApplication) -> list[BundleMember]:
    return list(application.members.select_related("case__department", "case__entry").order_by("order"))


def progress(application: BundleApplication) -> dict[str, Any]:
    """The application's one view: each case's state, the waiting and the stopped, one timeline.
    Just created, it is built from what was written (nothing is read back)."""
    from yiwang.cases.models import CaseEvent, action_label

    created = getattr(application, "created_members", None)
    members = created if created is not None else member_rows(application)
    names = {m.entry_code: m.case.title for m in members}
    outcome = (
        {m.case.pk: "open" for m in members} if created is not None else outcomes([m.case for m in members])
    )
    items = []
    for m in members:
        case = m.case
        items.append(
            {
                "entry": m.entry_code,
                "title": case.title,
                "department": case.department.name,
                "number": case.number or "",
                "ref": case.number or str(case.draft_key),
                "member_state": m.state,
                "member_state_label": str(MemberState(m.state).label),
                "state": case.state,
                "state_label": state_label(case.state)
                if m.state == MemberState.STARTED
                else str(MemberState(m.state).label),
                "after": [names.get(a, a) for a in m.after],
                "waiting_for": case.held_reason if m.state == MemberState.WAITING else "",
                "stop_reason": m.stop_reason,
                "decision_due": case.decision_due.isoformat() if case.decision_due else None,
                "done": outcome[case.pk] != "open" and m.state == MemberState.STARTED,
            }
        )
    hidden = ("create", "attach_material", "remove_material")
    if created is not None:
        events = [
            {"case_id": m.case.pk, "at": e.at, "action": e.action, "reason": e.reason}
            for m in members
            for e in getattr(m.case, "created_events", [])
            if e.action not in hidden
        ]
    else:
        events = (
            CaseEvent.objects.filter(case__in=[m.case_id for m in members])
            .exclude(action__in=hidden)
            .order_by("at", "id")
            .values("case_id", "at", "action", "reason")
        )
    titles = {m.case_id: m.case.title for m in members}
    timeline = [
        {
            "at": timezone.localtime(e["at"]).isoformat(),
            "title": titles.get(e["case_id"], ""),
            "action": e["action"],
            "label": action_label(e["action"]),
            "reason": e["reason"],
        }
        for e in events
    ]
    done = sum(1 for i in items if i["done"])
    return {
        "id": str(application.key),
        "number": application.number,
        "bundle": application.bundle.code,
        "title": application.title,
        "state": application.state,
        "state_label": application.get_state_display(),
        "applicant_name": application.applicant_name,
        "submitted_at": timezone.localtime(application.submitted_at).isoformat(),
        "closed_at": timezone.localtime(application.closed_at).isoformat() if application.closed_at else None,
        "promised_workdays": application.promised_workdays,
        "stop_reason": application.stop_reason,
        "cases": items,
        "done": done,
        "total": len(items),
        "timeline": timeline,
        "savings": application.savings,
        "closed": application.closed_at is not None,
        "rating": None if created is not None else _rating_of(application),
    }


def _rating_of(application: BundleApplication) -> dict[str, Any] | None:
    from yiwang.bundles.models import BundleRating

    rating = BundleRating.objects.filter(application=application).first()
    if rating is None:
        return None
    return {
        "level": rating.level,
        "bad": rating.bad,
        "comment": rating.comment,
        "rated_at": rating.rated_at.isoformat(),
    }


def context_for_case(case: Case) -> dict[str, Any] | None:
    """A case's bundle as its handling staff see it: the other cases' titles, departments and
    states, never their data or the applicant's other materials."""
    member = BundleMember.objects.filter(case=case).select_related("application").first()
    if member is None:
        return None
    others = [m for m in member_rows(member.application) if m.case_id != case.pk]
    names = {m.entry_code: m.case.title for m in others}
    return {
        "number": member.application.number,
        "title": member.application.title,
        "after": [names.get(a, a) for a in member.after],
        "others": [
            {
                "title": m.case.title,
                "department": m.case.department.name,
                "number": m.case.number or "",
                "state_label": state_label(m.case.state)
                if m.state == MemberState.STARTED
                else str(MemberState(m.state).label),
            }
            for m in others
        ],
    }


# --- Figures -----------------------------------------------------------------------------------


def figures(division_prefix: str = "", since: dt.date | None = None) -> dict[str, Any]:
    """Bundles for supervisors: applications, closed, on time (every case closed within its
    deadline and the whole within the promised critical path), elapsed working days on the
    critical path, and what bundles saved."""
    from yiwang.core.workdays import workdays_between

    apps = BundleApplication.objects.all()
    if division_prefix:
        apps = apps.filter(division_code__startswith=division_prefix)
    if since:
        apps = apps.filter(submitted_at__date__gte=since)
    rows = list(
        apps.values(
            "pk",
            "bundle__code",
            "title",
            "state",
            "submitted_at",
            "closed_at",
            "promised_workdays",
            "savings",
        )
    )
    by_bundle: dict[str, dict[str, Any]] = {}
    keys = ("materials", "forms", "fields", "visits", "days")
    for r in rows:
        b = by_bundle.setdefault(
            r["bundle__code"],
            {
                "code": r["bundle__code"],
                "title": r["title"],
                "applications": 0,
                "closed": 0,
                "on_time": 0,
                "elapsed": [],
            }
            | {f"{k}_{w}": 0 for k in keys for w in ("separate", "bundle")},
        )
        b["applications"] += 1
        for k in keys:
            for w in ("separate", "bundle"):
                b[f"{k}_{w}"] += int((r["savings"] or {}).get(f"{k}_{w}", 0))
        if r["closed_at"]:
            b["closed"] += 1
            elapsed = workdays_between(
                timezone.localdate(r["submitted_at"]), timezone.localdate(r["closed_at"])
            )
            b["elapsed"].append(elapsed)
            if elapsed <= r["promised_workdays"] and r["state"] == "done":
                b["on_time"] += 1
    from yiwang.bundles.models import BundleRating

    ratings = BundleRating.objects.filter(application__in=apps).values_list(
        "application__bundle__code", "level"
    )
    for code, level in ratings:
        b = by_bundle.get(code)
        if b is not None:
            b["rated"] = b.get("rated", 0) + 1
            b["satisfied"] = b.get("satisfied", 0) + (1 if level >= 3 else 0)
    total = {"applications": 0, "closed": 0, "on_time": 0} | {
        f"{k}_{w}": 0 for k in keys for w in ("separate", "bundle")
    }
    for b in by_bundle.values():
        b["mean_elapsed"] = round(sum(b["elapsed"]) / len(b["elapsed"]), 1) if b["elapsed"] else None
        del b["elapsed"]
        b["on_time_rate"] = round(100 * b["on_time"] / b["closed"], 1) if b["closed"] else None
        b.setdefault("rated", 0)
        b["satisfaction_rate"] = round(100 * b.pop("satisfied", 0) / b["rated"], 1) if b["rated"] else None
        for k in total:
            total[k] += b[k]
    total["on_time_rate"] = round(100 * total["on_time"] / total["closed"], 1) if total["closed"] else None
    return {"bundles": sorted(by_bundle.values(), key=lambda b: -b["applications"]), "total": total}

"""一件事一次办 and 一链通办 as pure rules: no database.

From a definition (`definition.Definition`) and what its entries are (`definition.EntryFacts`,
read by `bundles.queries`) this module selects the members for an applicant's answers, merges the
materials so each appears once, builds the one form and each member's form from it, and computes
the critical path and what the bundle saves beside separate applications. What keeps a definition
from being published is `checks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yiwang.bundles.definition import (
    LICENCE_SOURCE,
    Condition,
    Definition,
    EntryFacts,
    Member,
    Question,
    options_of,
)

# --- Answers and selection ---------------------------------------------------------------------


def holds(conditions: Iterable[Condition], answers: dict[str, Any]) -> bool:
    for c in conditions:
        value = answers.get(c.question)
        if value in (None, ""):
            return False
        if c.equals is not None and str(value) != c.equals:
            return False
        if c.above is not None or c.at_most is not None:
            try:
                number = float(value)
            except (TypeError, ValueError):
                return False
            if c.above is not None and not number > c.above:
                return False
            if c.at_most is not None and not number <= c.at_most:
                return False
    return True


def satisfiable(conditions: Iterable[Condition]) -> bool:
    """Whether some answers make all these conditions hold: no question asked to equal two values,
    no number both above a and at most b <= a."""
    equals: dict[str, str] = {}
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for c in conditions:
        if c.equals is not None and equals.setdefault(c.question, c.equals) != c.equals:
            return False
        if c.above is not None:
            low[c.question] = max(low.get(c.question, c.above), c.above)
        if c.at_most is not None:
            high[c.question] = min(high.get(c.question, c.at_most), c.at_most)
    return all(high[q] > low[q] for q in low.keys() & high.keys())


def asked(definition: Definition, answers: dict[str, Any]) -> list[Question]:
    """The questions put to this applicant: those whose `ask_if` holds on the answers so far."""
    return [q for q in definition.questions if holds(q.ask_if, answers)]


def clean_answers(definition: Definition, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The answers to the questions asked, typed; problems by question code."""
    answers: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    raw = raw if isinstance(raw, dict) else {}
    for q in definition.questions:
        if not holds(q.ask_if, answers):
            continue
        value = raw.get(q.code)
        if value in (None, ""):
            problems[f"answers.{q.code}"] = [_("请回答：%(q)s") % {"q": q.text}]
            continue
        if q.kind == "number":
            try:
                number = float(str(value))
            except ValueError:
                number = None
            if number is None or number != number or not (0 <= number <= 1e9):
                problems[f"answers.{q.code}"] = [_("“%(q)s”请填写 0 到 10 亿之间的数字。") % {"q": q.text}]
                continue
            answers[q.code] = int(number) if number == int(number) else number
        else:
            if str(value) not in {o.value for o in options_of(q)}:
                problems[f"answers.{q.code}"] = [_("“%(q)s”的回答不在选项中。") % {"q": q.text}]
                continue
            answers[q.code] = str(value)
    return answers, problems


@dataclass(frozen=True)
class Selected:
    member: Member
    situation: int | None
    after: tuple[str, ...]  # upstream entry codes among the selected members


def select(definition: Definition, answers: dict[str, Any], facts: dict[str, EntryFacts]) -> list[Selected]:
    """The members that apply to these answers, in definition order, each with its situation and
    its upstreams among the selected (an upstream not selected, e.g. a licence already held, is
    no longer waited for: its licence comes from the holder's wallet)."""
    chosen = [m for m in definition.members if holds(m.when, answers)]
    codes = {m.entry for m in chosen}
    result = []
    for m in chosen:
        situation = next((r.seq for r in m.situations if holds(r.when, answers)), None)
        if situation is None and m.entry in facts and len(facts[m.entry].situations) == 1:
            situation = next(iter(facts[m.entry].situations))
        result.append(Selected(m, situation, tuple(a for a in m.after if a in codes)))
    return result


# --- Order and time ----------------------------------------------------------------------------


def find_cycle(edges: dict[str, tuple[str, ...]]) -> list[str]:
    """A dependency cycle as the list of nodes along it (first repeated last), or []."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for upstream in edges.get(node, ()):
            if state.get(upstream) == 1:
                return [*path[path.index(upstream) :], upstream]
            if upstream not in state and (found := visit(upstream)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in edges:
        if node not in state and (found := visit(node)):
            return found
    return []


def workdays(facts: EntryFacts) -> int:
    """A member's decision limit as working days for the critical path (hours count as a day)."""
    if facts.limit <= 0:
        return 0
    if facts.limit_unit == "hour":
        return max(1, -(-facts.limit // 8))
    if facts.limit_unit == "natural_day":
        return -(-facts.limit * 5 // 7)
    return facts.limit


def critical_path(selected: list[Selected], facts: dict[str, EntryFacts]) -> tuple[int, list[str]]:
    """The longest chain of promised limits through the dependencies: the bundle's promised time
    when independent members run in parallel (并联审批). Returns (working days, entry codes)."""
    best: dict[str, tuple[int, list[str]]] = {}
    by_code = {s.member.entry: s for s in selected}

    def longest(code: str, depth: int = 0) -> tuple[int, list[str]]:
        if code in best:
            return best[code]
        if depth > len(by_code):  # a cycle: refused at publishing, never looped on here
            return 0, []
        upstream = max((longest(u, depth + 1) for u in by_code[code].after), default=(0, []))
        best[code] = (upstream[0] + workdays(facts[code]), [*upstream[1], code])
        return best[code]

    return max((longest(c) for c in by_code if c in facts), default=(0, []))


def waves(selected: list[Selected]) -> list[list[str]]:
    """The members in the order they can start: the first wave at once, each next one when its
    upstreams are done."""
    remaining = {s.member.entry: set(s.after) for s in selected}
    done: set[str] = set()
    result = []
    while remaining:
        wave = [c for c, ups in remaining.items() if ups <= done]
        if not wave:
            break
        result.append(wave)
        done.update(wave)
        for c in wave:
            del remaining[c]
    return result


# --- Materials, merged -------------------------------------------------------------------------


_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_SPACE = re.compile(r"[\s，,、。.·]+")


def material_key(name: str, licence_type: str, same: dict[str, str]) -> str:
    """What makes two materials one document: the licence type that provides them, a group the
    definition names, or the name without its parentheses and spaces."""
    if licence_type:
        return f"licence:{licence_type}"
    plain = _SPACE.sub("", _BRACKETS.sub("", name))
    return same.get(plain, f"name:{plain}")


@dataclass
class MergedMaterial:
    key: str
    name: str
    required: bool
    licence_type: str
    for_entries: list[str] = field(default_factory=list)  # entry codes that need it
    ids: dict[str, int] = field(default_factory=dict)  # entry code -> that entry's material id
    from_upstream: str = ""  # the upstream entry whose licence provides it, in this bundle


def _same_groups(definition: Definition) -> dict[str, str]:
    groups = {}
    for i, names in enumerate(definition.same_materials):
        for name in names:
            groups[_SPACE.sub("", _BRACKETS.sub("", name))] = f"group:{i}"
    return groups


def merged_materials(
    definition: Definition, selected: list[Selected], facts: dict[str, EntryFacts]
) -> list[MergedMaterial]:
    """One list where a material several members need appears once; a material an upstream
    member's licence provides is marked as such (the applicant does not submit it)."""
    same = _same_groups(definition)
    merged: dict[str, MergedMaterial] = {}
    for s in selected:
        entry = facts[s.member.entry]
        for m in entry.materials:
            if m.situation_seq is not None and m.situation_seq != s.situation:
                continue
            key = material_key(m.name, m.licence_type, same)
            item = merged.get(key)
            if item is None:
                item = merged[key] = MergedMaterial(key, m.name, m.required, m.licence_type)
            item.required = item.required or m.required
            item.for_entries.append(entry.code)
            item.ids[entry.code] = m.id
            upstream = next(
                (
                    u
                    for u in s.after
                    if u in facts and m.licence_type in (facts[u].issues, facts[u].issues_name)
                ),
                "",
            )
            if upstream and m.licence_type:
                item.from_upstream = item.from_upstream or upstream
    return list(merged.values())


# --- The one form ------------------------------------------------------------------------------


def target_fields(facts: EntryFacts, situation: int | None) -> tuple[dict[str, Any], ...]:
    return facts.fields.get(situation) or facts.fields.get(None) or ()


def source_of(definition: Definition, entry: str, field_name: str) -> str:
    """Where a member's form field takes its value: the map's word, else the same-named field."""
    return definition.map.get(entry, {}).get(field_name, field_name)


def derive_fields(definition: Definition, facts: dict[str, EntryFacts]) -> list[dict[str, Any]]:
    """The combined form a definition without its own `fields` gets: every member's fields
    (over all its situations) in member order, once per name, required if any member requires
    it, skipping those mapped to the upstream licence or to another name. A field's display
    condition names the one form's field that feeds the one it named in the member's form (the
    map renames it there too); one that names a field fed by the licence has none in the one
    form, which the publish checks report (`checks.problems`)."""
    fields: dict[str, dict[str, Any]] = {}
    renamed: dict[str, dict[str, Any]] = {}  # a map onto a name no member's field has
    for m in definition.members:
        entry = facts.get(m.entry)
        if entry is None:
            continue
        for schema in entry.fields.values():
            for f in schema:
                f = _condition_renamed(definition, m.entry, f)
                source = source_of(definition, m.entry, f["name"])
                if source != f["name"]:
                    if source and not source.startswith(LICENCE_SOURCE):
                        # A mapped field's own prefill (an enterprise's name) is not the target's.
                        renamed.setdefault(
                            source, {k: v for k, v in f.items() if k != "prefill"} | {"name": source}
                        )
                    continue
                if f["name"] in fields:
                    if f.get("required", False) and not fields[f["name"]].get("required", False):
                        fields[f["name"]] = {**fields[f["name"]], "required": True}
                    continue
                fields[f["name"]] = dict(f)
    for name, f in renamed.items():
        fields.setdefault(name, f)
    return list(fields.values())


def _condition_renamed(definition: Definition, entry: str, field: dict[str, Any]) -> dict[str, Any]:
    """`field` with its display condition naming the one form's field that feeds its subject."""
    cond = field.get("show_if")
    if not isinstance(cond, dict) or not isinstance(cond.get("field"), str):
        return field
    source = source_of(definition, entry, cond["field"])
    if source == cond["field"] or not source or source.startswith(LICENCE_SOURCE):
        return field
    return {**field, "show_if": {**cond, "field": source}}


def combined_fields(definition: Definition, facts: dict[str, EntryFacts]) -> list[dict[str, Any]]:
    return list(definition.fields) if definition.fields else derive_fields(definition, facts)


def form_for(
    definition: Definition, selected: list[Selected], facts: dict[str, EntryFacts]
) -> list[dict[str, Any]]:
    """The combined form this applicant fills: only fields that feed a selected member, required
    only if a selected member requires what they feed."""
    needed: dict[str, bool] = {}
    for s in selected:
        for f in target_fields(facts[s.member.entry], s.situation):
            source = source_of(definition, s.member.entry, f["name"])
            if source and not source.startswith(LICENCE_SOURCE):
                needed[source] = needed.get(source, False) or bool(f.get("required", False))
    result = []
    for f in combined_fields(definition, facts):
        if f["name"] in needed:  # required when any selected member requires what it feeds
            result.append({**f, "required": needed[f["name"]]})
    return result


def member_form(
    definition: Definition,
    entry: str,
    situation: int | None,
    facts: dict[str, EntryFacts],
    data: dict[str, Any],
    licence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One member's form data from the combined form (and the upstream licence's values)."""
    result = {}
    for f in target_fields(facts[entry], situation):
        source = source_of(definition, entry, f["name"])
        if source.startswith(LICENCE_SOURCE):
            value = (licence or {}).get(source[len(LICENCE_SOURCE) :])
        else:
            value = data.get(source) if source else None
        if value not in (None, "", [], {}):
            result[f["name"]] = value
    return result


def licence_sourced(definition: Definition, entry: str, facts: EntryFacts, situation: int | None) -> set[str]:
    return {
        f["name"]
        for f in target_fields(facts, situation)
        if source_of(definition, entry, f["name"]).startswith(LICENCE_SOURCE)
    }


# --- What it saves -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Savings:
    """减材料、减环节、减时限、减跑动: the bundle beside applying for each member separately."""

    materials_separate: int
    materials_bundle: int
    forms_separate: int
    forms_bundle: int
    fields_separate: int
    fields_bundle: int
    visits_separate: int
    visits_bundle: int
    days_separate: int
    days_bundle: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _typed(fields: Iterable[dict[str, Any]]) -> int:
    """Fields an applicant types: not those the platform fills from the account (prefill)."""
    return sum(1 for f in fields if not f.get("prefill"))


def savings(definition: Definition, selected: list[Selected], facts: dict[str, EntryFacts]) -> Savings:
    separate_materials = 0
    separate_fields = 0
    for s in selected:
        entry = facts[s.member.entry]
        separate_materials += sum(
            1
            for m in entry.materials
            if m.required and (m.situation_seq is None or m.situation_seq == s.situation)
        )
        separate_fields += _typed(target_fields(entry, s.situation))
    merged = merged_materials(definition, selected, facts)
    days, _path = critical_path(selected, facts)
    return Savings(
        materials_separate=separate_materials,
        materials_bundle=sum(1 for m in merged if m.required and not m.from_upstream),
        forms_separate=len(selected),
        forms_bundle=1 if selected else 0,
        fields_separate=separate_fields,
        fields_bundle=_typed(form_for(definition, selected, facts)),
        visits_separate=sum(facts[s.member.entry].visits for s in selected),
        visits_bundle=max((facts[s.member.entry].visits for s in selected), default=0),
        days_separate=sum(workdays(facts[s.member.entry]) for s in selected),
        days_bundle=days,
    )

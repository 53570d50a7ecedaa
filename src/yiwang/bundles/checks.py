"""Checking a bundle's definition before publishing: everything that keeps it from being
published, each naming what it concerns (a cycle, an unmappable required field, an entry that is
not published, a condition on a question or option that does not exist …). Pure, no database: the
entries come in as `definition.EntryFacts`, read by `bundles.queries` as they are at publishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from yiwang.bundles.definition import (
    LICENCE_ATTRIBUTES,
    LICENCE_SOURCE,
    Condition,
    Definition,
    EntryFacts,
    options_of,
)
from yiwang.bundles.rules import combined_fields, find_cycle, satisfiable, source_of
from yiwang.catalog import form_schema


def _compatible(target: dict[str, Any], source: dict[str, Any]) -> bool:
    kinds = {target.get("type", "text"), source.get("type", "text")}
    if len(kinds) == 2 and not kinds <= {"text", "textarea"}:
        return False
    if target.get("type") in ("choice", "multichoice"):
        have = {o["value"] for o in source.get("options", [])}
        return {o["value"] for o in target.get("options", [])} >= have
    return True


def problems(definition: Definition, facts: dict[str, EntryFacts], audience_of: str = "both") -> list[str]:
    """Everything that keeps a definition from being published, each naming what it concerns."""
    found: list[str] = []
    codes = [m.entry for m in definition.members]
    if len(set(codes)) != len(codes):
        found.append(_("同一事项在一件事中只能出现一次。"))
    questions = {q.code: q for q in definition.questions}
    if len(questions) != len(definition.questions):
        found.append(_("问题代码不能重复。"))

    def check_conditions(conditions: Iterable[Condition], where: str) -> None:
        for c in conditions:
            q = questions.get(c.question)
            if q is None:
                found.append(_("%(where)s引用了不存在的问题“%(q)s”。") % {"where": where, "q": c.question})
            elif c.equals is not None and c.equals not in {o.value for o in options_of(q)}:
                found.append(
                    _("%(where)s：问题“%(q)s”没有选项“%(v)s”。")
                    % {"where": where, "q": q.text, "v": c.equals}
                )
            elif (c.above is not None or c.at_most is not None) and q.kind != "number":
                found.append(_("%(where)s：问题“%(q)s”不是数字题。") % {"where": where, "q": q.text})

    for q in definition.questions:
        if q.kind == "choice" and len(q.options) < 2:
            found.append(_("选择题“%(q)s”至少需要两个选项。") % {"q": q.text})
        check_conditions(q.ask_if, _("问题“%(q)s”的提问条件") % {"q": q.text})
    derived = combined_fields(definition, facts)
    combined = {f["name"]: f for f in derived}
    if not definition.fields:
        # A one form of its own is checked by the form rules when it is saved (services); a
        # derived one is as good as its members' forms and the map make it.
        found.extend(
            _("由各事项表单合成的一表：%(problem)s") % {"problem": problem}
            for problem in form_schema.schema_errors({"fields": derived})
        )
    for m in definition.members:
        entry = facts.get(m.entry)
        label = entry.name if entry else m.entry
        if entry is None:
            found.append(_("事项 %(code)s 不存在。") % {"code": m.entry})
            continue
        if not entry.published:
            found.append(
                _("事项“%(name)s”（%(dept)s）未发布或已暂停，不能纳入一件事。")
                % {"name": label, "dept": entry.department}
            )
        if not entry.department_open:
            found.append(_("事项“%(name)s”的办理部门已停用。") % {"name": label})
        check_conditions(m.when, _("事项“%(name)s”的选择条件") % {"name": label})
        for rule in m.situations:
            check_conditions(rule.when, _("事项“%(name)s”的情形条件") % {"name": label})
            if rule.seq not in entry.situations:
                found.append(
                    _("事项“%(name)s”没有序号为 %(seq)s 的办理情形。") % {"name": label, "seq": rule.seq}
                )
        if len(entry.situations) > 1 and not m.situations:
            found.append(_("事项“%(name)s”有多个办理情形，请写明按哪些回答选择情形。") % {"name": label})
        for upstream in m.after:
            if upstream not in codes:
                found.append(
                    _("事项“%(name)s”的前置事项 %(code)s 不在本一件事中。")
                    % {"name": label, "code": upstream}
                )
        upstream_issues = [facts[u] for u in m.after if u in facts and facts[u].issues]
        for schema in entry.fields.values():
            for f in schema:
                source = source_of(definition, m.entry, f["name"])
                where = {"name": label, "field": f.get("label", f["name"])}
                if source.startswith(LICENCE_SOURCE):
                    value = source[len(LICENCE_SOURCE) :]
                    if not upstream_issues:
                        found.append(
                            _("事项“%(name)s”的字段“%(field)s”取自前置证照，但它没有核发证照的前置事项。")
                            % where
                        )
                    elif not any(
                        value in LICENCE_ATTRIBUTES or value in u.licence_fields for u in upstream_issues
                    ):
                        found.append(
                            _("事项“%(name)s”的字段“%(field)s”：前置证照没有“%(value)s”这一项。")
                            % {**where, "value": value}
                        )
                    continue
                if not source or source not in combined:
                    if f.get("required", False) and not _never_shown(definition, m.entry, f, combined):
                        found.append(_("事项“%(name)s”的必填字段“%(field)s”无法从一表中取得。") % where)
                    if not source:
                        continue
                elif not _compatible(f, combined[source]):
                    found.append(
                        _("事项“%(name)s”的字段“%(field)s”与一表字段“%(source)s”类型或选项不一致。")
                        % {**where, "source": combined[source].get("label", source)}
                    )
    audiences = {m.entry: facts[m.entry].audience for m in definition.members if m.entry in facts}
    mixed = {"person", "enterprise"} <= set(audiences.values())
    for code, audience in audiences.items():
        if audience == "both":
            continue
        if mixed or audience_of not in ("both", audience):
            found.append(
                _("事项“%(name)s”只面向%(who)s，与一件事的服务对象或其他事项不一致。")
                % {"name": facts[code].name, "who": _("自然人") if audience == "person" else _("法人")}
            )
    never = [m for m in definition.members if not satisfiable(m.when)]
    for m in never:
        name = facts[m.entry].name if m.entry in facts else m.entry
        found.append(_("事项“%(name)s”的选择条件互相矛盾，任何回答都选不中它。") % {"name": name})
    if len(never) == len(definition.members):
        found.append(_("问题流程选不出任何事项：至少要有一个事项在某些回答下被选中。"))
    edges = {m.entry: tuple(a for a in m.after if a in codes) for m in definition.members}
    if cycle := find_cycle(edges):
        names = [facts[c].name if c in facts else c for c in cycle]
        found.append(_("前后置关系成环：%(cycle)s。") % {"cycle": " → ".join(names)})
    return found


def _never_shown(definition: Definition, entry: str, field: dict[str, Any], combined: dict[str, Any]) -> bool:
    """Whether a member's field is never shown when its form is filled from the one form: its
    display condition names only values the one-form field feeding the field it depends on cannot
    take (a newborn's 社保卡 applies for the first card: 补换原因, shown for 补换卡, is not asked)."""
    cond = field.get("show_if")
    if not isinstance(cond, dict):
        return False
    other = combined.get(source_of(definition, entry, str(cond.get("field", ""))))
    if other is None:
        return False
    wanted, impossible = form_schema.condition_values(cond, other)
    return bool(wanted) and len(impossible) == len(wanted)

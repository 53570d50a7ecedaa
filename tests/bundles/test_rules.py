"""The bundle rules (`bundles.rules`, and the publish checks of `bundles.checks`), pure: cycles are
found whatever their length; the critical path is never shorter than any member and never longer
than all of them one after another; the waves start every member once, after its upstreams;
answers of any shape are typed or refused; materials are merged by what makes them one document."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from yiwang.bundles import checks, rules
from yiwang.bundles.definition import (
    Condition,
    Definition,
    EntryFacts,
    MaterialFacts,
    Member,
    Option,
    Question,
)


def facts(code: str, limit: int, *, materials=(), issues: str = "", fields=()) -> EntryFacts:
    return EntryFacts(
        code=code,
        name=f"事项{code[-2:]}",
        department="部门",
        published=True,
        audience="both",
        fields={None: tuple(fields)},
        situations={},
        materials=tuple(materials),
        limit=limit,
        limit_unit="workday",
        visits=1,
        issues=issues,
        issues_name=issues,
    )


def code(i: int) -> str:
    return f"{i:031d}"


@st.composite
def dags(draw):
    """A random DAG over n members: each may depend on earlier ones only."""
    n = draw(st.integers(1, 8))
    limits = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    after = [tuple(sorted(draw(st.sets(st.integers(0, i - 1), max_size=i)) if i else ())) for i in range(n)]
    return n, limits, after


def selected_of(n, after):
    return [
        rules.Selected(
            Member(entry=code(i), after=tuple(code(a) for a in after[i])),
            None,
            tuple(code(a) for a in after[i]),
        )
        for i in range(n)
    ]


@given(dags())
def test_a_dag_has_no_cycle_and_adding_a_back_edge_makes_one(dag):
    n, _limits, after = dag
    edges = {code(i): tuple(code(a) for a in after[i]) for i in range(n)}
    assert rules.find_cycle(edges) == []
    for i in range(n):
        for a in after[i]:
            looped = {**edges, code(a): (*edges[code(a)], code(i))}
            cycle = rules.find_cycle(looped)
            assert cycle and cycle[0] == cycle[-1] and set(cycle) <= set(edges)


@given(dags())
def test_the_critical_path_lies_between_the_longest_member_and_the_sum(dag):
    n, limits, after = dag
    all_facts = {code(i): facts(code(i), limits[i]) for i in range(n)}
    days, path = rules.critical_path(selected_of(n, after), all_facts)
    assert max(limits) <= days <= sum(limits)
    assert sum(limits[int(c)] for c in path) == days
    for upstream, downstream in itertools.pairwise(path):
        assert upstream in {code(a) for a in after[int(downstream)]}


@given(dags())
def test_the_waves_start_every_member_once_after_its_upstreams(dag):
    n, _limits, after = dag
    waves = rules.waves(selected_of(n, after))
    order = [c for wave in waves for c in wave]
    assert sorted(order) == sorted(code(i) for i in range(n))
    position = {c: w for w, wave in enumerate(waves) for c in wave}
    for i in range(n):
        assert all(position[code(a)] < position[code(i)] for a in after[i])


DEFINITION = Definition(
    questions=(
        Question(code="seats", text="座位数", kind="number"),
        Question(code="sign", text="招牌", kind="yes_no"),
        Question(
            code="size",
            text="招牌尺寸",
            kind="choice",
            options=(Option(value="small", label="小"), Option(value="large", label="大")),
            ask_if=(Condition(question="sign", equals="yes"),),
        ),
    ),
    members=(
        Member(entry=code(1)),
        Member(entry=code(2), when=(Condition(question="seats", above=50),)),
    ),
)


@given(
    st.dictionaries(
        st.sampled_from(["seats", "sign", "size", "other"]),
        st.one_of(
            st.none(),
            st.text(max_size=5),
            st.integers(),
            st.floats(allow_nan=True),
            st.lists(st.integers(), max_size=2),
        ),
    )
)
def test_answers_of_any_shape_are_typed_or_named(raw):
    answers, problems = rules.clean_answers(DEFINITION, raw)
    assert set(answers) | {k.split(".")[1] for k in problems} <= {"seats", "sign", "size"}
    if "seats" in answers:
        assert isinstance(answers["seats"], int | float) and 0 <= answers["seats"] <= 1e9
    if "size" in answers:  # asked only after a yes for the signboard
        assert answers.get("sign") == "yes"
    assert "other" not in answers


def test_the_selection_follows_the_answers():
    f = {code(1): facts(code(1), 0), code(2): facts(code(2), 10)}
    few = rules.select(DEFINITION, {"seats": 20, "sign": "no"}, f)
    many = rules.select(DEFINITION, {"seats": 51, "sign": "no"}, f)
    assert [s.member.entry for s in few] == [code(1)]
    assert [s.member.entry for s in many] == [code(1), code(2)]


def test_materials_are_one_document_by_licence_type_by_group_or_by_name():
    m = MaterialFacts
    upstream = facts(
        code(1),
        0,
        materials=[m(1, "居民身份证", None, True, ""), m(2, "场所证明（租赁合同）", None, True, "")],
        issues="营业执照",
    )
    downstream = facts(
        code(2),
        5,
        materials=[
            m(3, "经营者身份证", None, True, ""),
            m(4, "场所证明", None, True, ""),
            m(5, "营业执照", None, False, "营业执照"),
        ],
    )
    definition = Definition(
        members=(Member(entry=code(1)), Member(entry=code(2), after=(code(1),))),
        same_materials=(("居民身份证", "经营者身份证"),),
    )
    f = {code(1): upstream, code(2): downstream}
    merged = rules.merged_materials(definition, rules.select(definition, {}, f), f)
    assert len(merged) == 3
    by_name = {x.name: x for x in merged}
    assert by_name["居民身份证"].ids == {code(1): 1, code(2): 3}
    assert by_name["场所证明（租赁合同）"].for_entries == [code(1), code(2)]
    assert by_name["营业执照"].from_upstream == code(1)


def test_a_flow_that_selects_nothing_is_named():
    f = {code(1): facts(code(1), 0)}
    never = Definition(
        questions=DEFINITION.questions,
        members=(
            Member(
                entry=code(1),
                when=(
                    Condition(question="seats", above=50),
                    Condition(question="seats", at_most=20),
                ),
            ),
        ),
    )
    found = checks.problems(never, f)
    assert any("互相矛盾" in p for p in found) and any("选不出任何事项" in p for p in found)
    assert not checks.problems(DEFINITION.model_copy(update={"members": (Member(entry=code(1)),)}), f)


@given(st.lists(st.tuples(st.sampled_from(["above", "at_most"]), st.integers(0, 100)), max_size=4))
def test_satisfiable_conditions_have_an_answer(bounds):
    conditions = [Condition(question="seats", **{kind: value}) for kind, value in bounds]
    if rules.satisfiable(conditions):
        lows = [v for k, v in bounds if k == "above"]
        answer = (max(lows) + 0.5) if lows else 0
        assert rules.holds(conditions, {"seats": answer})
    else:
        assert not any(rules.holds(conditions, {"seats": n / 2}) for n in range(0, 202))


def test_a_field_mapped_onto_another_name_is_in_the_form_and_required_when_a_member_needs_it():
    required = {"name": "enterprise_name", "label": "单位名称", "type": "text", "required": True}
    optional = {"name": "shop_name", "label": "字号", "type": "text", "required": False}
    f = {
        code(1): facts(code(1), 0, fields=[optional]),
        code(2): facts(code(2), 5, fields=[required]),
        code(3): facts(code(3), 5, fields=[{**required, "name": "request"}]),
    }
    definition = Definition(
        members=(Member(entry=code(1)), Member(entry=code(2)), Member(entry=code(3))),
        map={code(2): {"enterprise_name": "shop_name"}, code(3): {"request": "transfer_from"}},
    )
    form = {x["name"]: x for x in rules.form_for(definition, rules.select(definition, {}, f), f)}
    assert form["shop_name"]["required"] is True  # the food permit's required field feeds from it
    assert form["transfer_from"]["required"] is True and "request" not in form
    assert checks.problems(definition, f) == []


def test_entries_for_persons_only_and_enterprises_only_do_not_mix():
    person = facts(code(1), 0)
    f = {
        code(1): EntryFacts(**{**person.__dict__, "audience": "person"}),
        code(2): EntryFacts(**{**facts(code(2), 0).__dict__, "audience": "enterprise"}),
    }
    definition = Definition(members=(Member(entry=code(1)), Member(entry=code(2))))
    found = checks.problems(definition, f)
    assert any("只面向自然人" in p for p in found) and any("只面向法人" in p for p in found)
    alone = Definition(members=(Member(entry=code(1)),))
    assert checks.problems(alone, f, "person") == []
    assert any("只面向自然人" in p for p in checks.problems(alone, f, "enterprise"))


def test_a_licence_two_upstreams_may_issue_comes_from_the_one_this_member_waits_for():
    m = MaterialFacts
    shop = facts(code(1), 0, issues="营业执照")
    company = facts(code(2), 0, issues="营业执照")
    permit = facts(code(3), 5, materials=[m(9, "营业执照", None, False, "营业执照")])
    f = {code(1): shop, code(2): company, code(3): permit}
    definition = Definition(
        questions=(
            Question(
                code="kind",
                text="形式",
                kind="choice",
                options=(
                    Option(value="shop", label="个体"),
                    Option(value="company", label="公司"),
                ),
            ),
        ),
        members=(
            Member(entry=code(1), when=(Condition(question="kind", equals="shop"),)),
            Member(entry=code(2), when=(Condition(question="kind", equals="company"),)),
            Member(entry=code(3), after=(code(1), code(2))),
        ),
    )
    for answer, issuer in (("shop", code(1)), ("company", code(2))):
        selected = rules.select(definition, {"kind": answer}, f)
        (licence,) = rules.merged_materials(definition, selected, f)
        assert licence.from_upstream == issuer


# A social card's form: 补换原因 is shown, and required, for 补换卡 only.
CARD_KIND = {
    "name": "apply_type",
    "label": "申请类型",
    "type": "choice",
    "options": [{"value": "first", "label": "首次申领"}, {"value": "replace", "label": "补换卡"}],
}
REPLACE_REASON = {
    "name": "replace_reason",
    "label": "补换原因",
    "type": "text",
    "required": True,
    "show_if": {"field": "apply_type", "equals": "replace"},
}


def test_a_required_field_the_one_form_never_shows_is_not_asked_of_it():
    """A member's required field shown only for an option the one form left out (a newborn's
    social card: 补换原因 for 补换卡, the one form offering 首次申领 only) is not asked of the one
    form; shown for an option it keeps, it is."""
    kind = CARD_KIND
    f = {code(1): facts(code(1), 5, fields=[CARD_KIND, REPLACE_REASON])}
    narrowed = {**kind, "options": [{"value": "first", "label": "首次申领"}]}
    definition = Definition(members=(Member(entry=code(1)),), fields=(narrowed,))
    assert checks.problems(definition, f) == []
    kept = Definition(members=(Member(entry=code(1)),), fields=(kind,))
    assert checks.problems(kept, f) == ["事项“事项01”的必填字段“补换原因”无法从一表中取得。"]


def test_a_derived_one_form_follows_the_map_in_its_display_conditions_and_is_checked():
    """A member's field shown for an answer of a field the map renames is shown in the derived
    one form for the renamed field; one shown for a field fed by the licence has nothing to
    depend on there, and publishing names it."""
    f = {code(1): facts(code(1), 5, fields=[CARD_KIND, REPLACE_REASON])}
    renamed = Definition(members=(Member(entry=code(1)),), map={code(1): {"apply_type": "card_kind"}})
    form = {x["name"]: x for x in rules.combined_fields(renamed, f)}
    assert set(form) == {"card_kind", "replace_reason"}
    assert form["replace_reason"]["show_if"] == {"field": "card_kind", "equals": "replace"}
    assert checks.problems(renamed, f) == []
    selected = rules.select(renamed, {}, f)
    data = {"card_kind": "replace", "replace_reason": "遗失"}
    assert rules.member_form(renamed, code(1), None, f, data) == {
        "apply_type": "replace",
        "replace_reason": "遗失",
    }
    assert [x["name"] for x in rules.form_for(renamed, selected, f)] == ["replace_reason", "card_kind"]

    upstream = facts(code(2), 5, issues="LT")
    from_licence = Definition(
        members=(Member(entry=code(2)), Member(entry=code(1), after=(code(2),))),
        map={code(1): {"apply_type": "licence.kind"}},
    )
    f[code(2)] = EntryFacts(**{**upstream.__dict__, "licence_fields": ("kind",)})
    found = checks.problems(from_licence, f)
    assert found == ["由各事项表单合成的一表：字段“补换原因”的显示条件引用了不存在的字段。"]

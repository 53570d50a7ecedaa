"""The queue's 待办 holds only the cases the signed-in role can act on now (issue 13): the window
has the cases to accept, to complete and to deliver; the reviewer and the approver the cases at
their own review step; everything else stays under 全部 (and the other tabs). Supervisors, who act
on nothing, see every running case as 在办. The 事项 filter lists the entries of the cases the
staff member sees: their hall's level for a window clerk, their department's, their tree's."""

from __future__ import annotations

import importlib
import re

import pytest

from yiwang.cases import queries, services
from yiwang.cases.rules import Actor, State, actionable_states, step_states

pytestmark = pytest.mark.django_db

QUEUE = "/workbench/cases/"


def numbers(page: str) -> set[str]:
    return set(re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page))


def count(page: str, tab: str) -> int:
    return int(re.search(rf'id="count-{tab}">(\d+)<', page).group(1))


def entry_options(page: str) -> list[str]:
    select = re.search(r'<select id="f-entry" name="entry">(.*?)</select>', page, re.S).group(1)
    return [code for code in re.findall(r'<option value="([^"]*)"', select) if code]


@pytest.fixture
def cases(submitted, staff):
    """One case of the market regulator in each place of the procedure (default review steps:
    审查 by the reviewer, 决定 by the approver)."""
    clerk, reviewer, approver = staff["demo-clerk"], staff["demo-reviewer"], staff["demo-approver"]

    def accepted():
        case = submitted()
        services.act(clerk, case, "accept")
        return case

    to_accept = submitted()
    at_review = accepted()
    at_decision = accepted()
    services.act(reviewer, at_decision, "pass_step", {"opinion": "材料齐全"})
    decided = accepted()
    services.act(reviewer, decided, "pass_step")
    services.act(approver, decided, "approve")
    to_deliver = accepted()
    services.act(reviewer, to_deliver, "pass_step")
    services.act(approver, to_deliver, "approve")
    services.act(approver, to_deliver, "complete")
    correction = submitted()
    first = correction.materials.first().material
    services.act(
        clerk, correction, "request_correction", {"items": [{"material": first.pk, "note": "请盖章"}]}
    )
    found = {
        "to_accept": to_accept,
        "at_review": at_review,
        "at_decision": at_decision,
        "decided": decided,
        "to_deliver": to_deliver,
        "correction": correction,
    }
    for case in found.values():
        case.refresh_from_db()
    assert [c.state for c in found.values()] == [
        "submitted",
        "accepted",
        "under_review",
        "approved",
        "completed",
        "correction_requested",
    ]
    return found


def test_the_rule_is_read_from_the_table():
    assert step_states() == {State.ACCEPTED, State.UNDER_REVIEW}
    window = actionable_states(Actor.WINDOW_CLERK)
    assert {State.SUBMITTED, State.APPROVED, State.REFUSED, State.COMPLETED} <= window
    assert not window & step_states()
    for actor in (Actor.REVIEWER, Actor.APPROVER):
        # The window goes first for acceptance and 办结; terminate is a way out, not a turn.
        assert actionable_states(actor) == {State.ACCEPTED, State.UNDER_REVIEW, State.SUSPENDED}


def test_each_role_has_only_its_turn_under_todo(as_user, cases, staff):
    n = {key: case.number for key, case in cases.items()}
    expected = {
        "demo-clerk": {n["to_accept"], n["decided"], n["to_deliver"]},
        "demo-reviewer": {n["at_review"]},
        "demo-approver": {n["at_decision"]},
    }
    for username, todo in expected.items():
        client = as_user(username)
        page = client.get(QUEUE).content.decode()
        assert numbers(page) == todo, username
        assert count(page, "todo") == len(todo) == queries.tab_counts(staff[username])["todo"]
        assert f"共 {len(todo)} 件" in page
        # Only cases on which the role can act now.
        for case in cases.values():
            if case.number in todo:
                assert services.available_actions(staff[username], case), (username, case.state)
        # Everything else stays under 全部; corrections under 待补正.
        assert numbers(client.get(QUEUE + "?tab=all").content.decode()) == set(n.values())
        assert numbers(client.get(QUEUE + "?tab=correction").content.decode()) == {n["correction"]}
    # Every running case waits for someone.
    assert set().union(*expected.values()) == set(n.values()) - {n["correction"]}
    # Another department's staff: nothing of it.
    page = as_user("demo-reviewer-civil").get(QUEUE).content.decode()
    assert numbers(page) == set() and count(page, "todo") == 0


def test_supervisors_watch_every_running_case(as_user, cases):
    page = as_user("demo-supervisor").get(QUEUE).content.decode()
    running = {c.number for c in cases.values()} - {cases["correction"].number}
    assert numbers(page) == running and count(page, "todo") == len(running)
    assert "在办" in page and "待办" not in page


def test_the_turn_follows_the_step(as_user, cases, staff):
    """Returned by the approver, the case is the reviewer's again; suspended, nobody's until it
    resumes at the same step."""
    case = cases["at_decision"]
    services.act(staff["demo-approver"], case, "return_step", {"reason": "请补充现场核查意见"})
    case.refresh_from_db()
    assert case.state == "under_review" and case.step_role == "reviewer"
    assert case.number in numbers(as_user("demo-reviewer").get(QUEUE).content.decode())
    assert case.number not in numbers(as_user("demo-approver").get(QUEUE).content.decode())
    services.act(staff["demo-reviewer"], case, "suspend", {"procedure": "现场核查", "reason": "核查经营场所"})
    case.refresh_from_db()
    assert case.step_role == ""
    page = as_user("demo-reviewer").get(QUEUE).content.decode()
    assert case.number not in numbers(page)
    assert case.number in numbers(as_user("demo-reviewer").get(QUEUE + "?tab=suspended").content.decode())
    services.act(staff["demo-reviewer"], case, "resume", {"reason": "核查无误"})
    case.refresh_from_db()
    assert case.step_role == "reviewer"
    assert case.number in numbers(as_user("demo-reviewer").get(QUEUE).content.decode())


def test_the_migration_fills_the_step_of_cases_in_review(cases):
    from django.apps import apps

    from yiwang.cases.models import Case

    Case.objects.update(step_role="")
    migration = importlib.import_module("yiwang.cases.migrations.0012_queue_actionable")
    migration.fill_step_role(apps, None)
    roles = dict(Case.objects.values_list("number", "step_role"))
    assert roles[cases["at_review"].number] == "reviewer"
    assert roles[cases["at_decision"].number] == "approver"
    assert roles[cases["to_accept"].number] == roles[cases["decided"].number] == ""


def test_the_queue_stays_bounded(
    as_user, cases, staff, django_assert_max_num_queries, django_assert_num_queries
):
    for username in ("demo-clerk", "demo-reviewer", "demo-approver", "demo-supervisor"):
        client = as_user(username)
        client.get(QUEUE)  # warm caches (calendar)
        with django_assert_max_num_queries(14):
            assert client.get(QUEUE).status_code == 200
        user = staff[username]
        queries.tab_counts(user)  # the roles and the staff row, read once per request
        with django_assert_num_queries(1):
            queries.tab_counts(user)


# --- The 事项 filter ----------------------------------------------------------------------------


@pytest.fixture
def entries(published, make_published):
    return {
        "market": published,
        "civil": make_published(department="city_civil_affairs"),
        "district": make_published(department="chengguan_market"),
    }


def test_the_entry_filter_lists_what_the_staff_member_sees(as_user, entries, monkeypatch):
    from yiwang.workbench import case_views

    codes = {key: e.code for key, e in entries.items()}

    def options(username: str, query: str = "") -> list[str]:
        return entry_options(as_user(username).get(QUEUE + query).content.decode())

    # The city hall takes in for every department of the city: grouped by department.
    page = as_user("demo-clerk").get(QUEUE).content.decode()
    assert sorted(entry_options(page)) == sorted([codes["market"], codes["civil"]])
    assert '<optgroup label="青山市市场监督管理局">' in page and '<optgroup label="青山市民政局">' in page
    # The district's hall, the district's.
    assert options("demo-clerk-chengguan") == [codes["district"]]
    # A department's staff: their department's, without groups.
    page = as_user("demo-reviewer").get(QUEUE).content.decode()
    assert entry_options(page) == [codes["market"]] and "<optgroup" not in page
    assert options("demo-reviewer-civil") == [codes["civil"]]
    # Supervisors: their tree's, or one department's when they filter by it.
    assert sorted(options("demo-supervisor")) == sorted(codes.values())
    civil = entries["civil"].department_id
    assert options("demo-supervisor", f"?tab=all&department={civil}") == [codes["civil"]]
    # Past the cap (a large tree) the code is typed.
    monkeypatch.setattr(case_views, "ENTRY_CAP", 2)
    assert 'type="text" id="f-entry"' in as_user("demo-supervisor").get(QUEUE).content.decode()
    # A code typed in that the list does not hold stays in a text field.
    page = as_user("demo-reviewer").get(QUEUE + "?entry=" + codes["civil"]).content.decode()
    assert 'type="text" id="f-entry"' in page and f'value="{codes["civil"]}"' in page

"""电子监察 through the API and the workbench: the warnings list with its filters, the handler's
answer (late ones marked), 督办 on a case and on a department with the handler's report, the case's
colour history, the quarterly grading on a hand-made dataset, the rules' settings, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from yiwang.supervision import rules
from yiwang.supervision.models import Order, Rule, Warning


def test_warnings_list_filters_and_scope(api, red):
    case, warning = red
    body = api("get", "/supervision/warnings?colour=red", "demo-supervisor").json()
    assert body["count"] == 1 and body["results"][0]["case_number"] == case.number
    assert body["results"][0]["rule_text"] == "受理超时" and body["results"][0]["applicant"] == "张*"
    assert api("get", "/supervision/warnings?colour=yellow", "demo-supervisor").json()["count"] == 0
    assert api("get", "/supervision/warnings?rule=step_overrun", "demo-supervisor").json()["count"] == 0
    # The market regulator's staff see their own; another department's do not; applicants nothing.
    assert api("get", "/supervision/warnings", "demo-approver").json()["count"] == 1
    assert api("get", "/supervision/warnings", "demo-reviewer-civil").json()["count"] == 0
    assert api("get", f"/supervision/warnings/{warning.pk}", "demo-reviewer-civil").status_code == 404
    assert api("get", "/supervision/warnings", "demo-citizen").json()["count"] == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ("since=2026-12-01&until=2026-01-01", "since"),
        ("since=2000-01-01&until=2026-01-01", "until"),
        ("colour=blue", "colour"),
        ("page_size=100000", "page_size"),
        ("since=2026-02-30", "since"),
    ],
)
def test_bad_queries_are_refused_naming_the_parameter(api, users, query, field):
    response = api("get", f"/supervision/warnings?{query}", "demo-supervisor")
    assert response.status_code == 422 and field in response.json()["fields"], response.content


def test_the_handler_answers_once_late_answers_marked(api, red):
    _case, warning = red
    path = f"/supervision/warnings/{warning.pk}/answer"
    assert api("post", path, "demo-supervisor", {"reason": "x", "action": "y"}).status_code == 403
    assert api("post", path, "demo-approver", {"reason": "", "action": "y"}).status_code == 422
    Warning.objects.filter(pk=warning.pk).update(answer_due=dt.date(2026, 1, 5))
    answered = api(
        "post", path, "demo-approver", {"reason": "窗口人员休假，无人受理", "action": "已安排 AB 岗"}
    )
    assert answered.status_code == 200
    assert answered.json()["state"] == "answered" and answered.json()["answer_late"] is True
    assert api("post", path, "demo-approver", {"reason": "再说明", "action": "再措施"}).status_code == 409


def test_orders_on_a_case_and_a_department_become_the_handlers_to_do(api, red, region, deliver_outbox):
    from yiwang.notices.models import Notice

    case, warning = red
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    past = api(
        "post",
        "/supervision/orders",
        "demo-supervisor",
        {"warning": warning.pk, "instruction": "x", "due_date": "2020-01-01"},
    )
    assert past.status_code == 422 and "due_date" in past.json()["fields"]
    assert (
        api(
            "post",
            "/supervision/orders",
            "demo-approver",
            {"warning": warning.pk, "instruction": "自己督办自己", "due_date": due},
        ).status_code
        == 403
    )
    order = api(
        "post",
        "/supervision/orders",
        "demo-supervisor",
        {"warning": warning.pk, "instruction": "今日内受理并说明", "due_date": due},
    )
    assert order.status_code == 201, order.content
    assert order.json()["case_number"] == case.number
    department = region.departments["city_market"]
    by_department = api(
        "post",
        "/supervision/orders",
        "demo-supervisor",
        {"department": department.pk, "instruction": "整改受理超时问题", "due_date": due},
    )
    assert by_department.status_code == 201 and by_department.json()["case_number"] is None
    deliver_outbox()
    assert Notice.objects.filter(user__username="demo-approver", key="supervision_order").count() == 2
    mine = api("get", "/supervision/orders", "demo-approver").json()
    assert len(mine) == 2 and all(o["may_report"] for o in mine)
    report = api(
        "post", f"/supervision/orders/{order.json()['id']}/report", "demo-approver", {"report": "已受理"}
    )
    assert (
        report.status_code == 200 and report.json()["state"] == "reported" and report.json()["late"] is False
    )
    assert (
        api(
            "post", f"/supervision/orders/{order.json()['id']}/report", "demo-approver", {"report": "再"}
        ).status_code
        == 409
    )
    history = api("get", f"/supervision/cases/{case.number}/history", "demo-supervisor").json()
    assert [h["rule"] for h in history] == ["acceptance_overdue"] and len(history[0]["orders"]) == 1


def test_rules_are_listed_and_only_an_administrator_changes_them(api, users):
    rows = api("get", "/supervision/rules", "demo-supervisor").json()
    assert {r["code"] for r in rows} == set(rules.RULES)
    assert (
        api(
            "put",
            "/supervision/rules/correction_pending",
            "demo-supervisor",
            {"enabled": True, "params": {"workdays": 15}},
        ).status_code
        == 403
    )
    bad = api(
        "put",
        "/supervision/rules/correction_pending",
        "demo-admin",
        {"enabled": True, "params": {"days": 15}},
    )
    assert bad.status_code == 422
    assert (
        api("put", "/supervision/rules/nope", "demo-admin", {"enabled": True, "params": {}}).status_code
        == 404
    )
    ok = api(
        "put",
        "/supervision/rules/correction_pending",
        "demo-admin",
        {"enabled": False, "params": {"workdays": 15}},
    )
    assert ok.status_code == 200
    row = next(r for r in ok.json() if r["code"] == "correction_pending")
    assert row["enabled"] is False and row["params"] == {"workdays": 15}
    assert Rule.objects.get(code="correction_pending").params == {"workdays": 15}


def test_grades_on_a_hand_made_quarter(api, make_published, users, region):
    """The market regulator decided 4 cases in 2026Q4 (the statistics' monthly sums), 3 of them on
    time; it has 1 red card, 2 yellow and 1 warning left unanswered past its time. Per hundred
    cases (at least 100): 100 − 2×1 − 0.5×2 − 1 = 96 → A. The civil affairs bureau: 0 cases, 3
    red, 1 unanswered: 100 − 6 − 1 = 93 → A; its on-time rate is unknown (—)."""
    from yiwang.stats.models import Monthly

    market, civil = region.departments["city_market"], region.departments["city_civil_affairs"]
    case = make_case(make_published(), users)
    for month, decided, on_time in ((dt.date(2026, 10, 1), 3, 3), (dt.date(2026, 11, 1), 1, 0)):
        Monthly.objects.create(
            month=month,
            department=market,
            division_code=market.division.code,
            channel="online",
            decided=decided,
            decided_on_time=on_time,
        )
    Monthly.objects.create(  # a decision in the quarter before: not this quarter's
        month=dt.date(2026, 9, 1),
        department=market,
        division_code=market.division.code,
        channel="online",
        decided=9,
    )

    def warn(dept, colour, answered=True):
        Warning.objects.create(
            rule="deadline_overdue" if colour == "red" else "deadline_near",
            colour=colour,
            case=case,
            department=dept,
            division_code=dept.division.code,
            raised_at=dt.datetime(2026, 11, 2, 3, tzinfo=dt.UTC),
            answer_due=dt.date(2026, 11, 4),
            state="answered" if answered else "open",
            cleared_at=dt.datetime(2026, 11, 2, 4, tzinfo=dt.UTC),
        )

    warn(market, "red", answered=False)
    warn(market, "yellow")
    warn(market, "yellow")
    for n in range(3):
        warn(civil, "red", answered=n > 0)
    result = api("get", "/supervision/grades?quarter=2026Q4", "demo-supervisor").json()
    rows = {r["department"]: r for r in result["results"]}
    m = rows[market.name]
    assert (m["cases"], m["on_time_rate"], m["red"], m["yellow"], m["unanswered"]) == (4, 75.0, 1, 2, 1)
    assert (m["score"], m["grade"]) == (96, "A")
    c = rows[civil.name]
    assert (c["cases"], c["on_time_rate"], c["score"], c["grade"]) == (0, None, 93, "A")
    assert api("get", "/supervision/grades?quarter=2026Q5", "demo-supervisor").status_code == 422
    assert rules.grade(rules.GradeInput(100, 10, 20, 5, None)) == (65, "C")


def make_case(entry, users):
    """A submitted case to hang the hand-made cards on."""
    from catalog.guide_samples import PDF
    from yiwang.cases import drafts

    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
    for item in drafts.checklist(case):
        drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
    return drafts.submit(citizen, case)


def test_workbench_pages(as_user, red):
    case, warning = red
    supervisor = as_user("demo-supervisor")
    home = supervisor.get("/workbench/").content.decode()
    assert 'id="tile-red"' in home
    board = supervisor.get("/workbench/supervision/?colour=red&live=1").content.decode()
    assert "受理超时" in board and case.number in board and "部门季度评分" in board
    grades = supervisor.get("/workbench/supervision/grades/?quarter=2026Q4").content.decode()
    assert "督办该部门" in grades and "2026Q4" in grades
    page = supervisor.get(f"/workbench/supervision/warnings/{warning.pk}/").content.decode()
    assert "发出督办" in page and "说明预警" not in page
    response = supervisor.post(
        "/workbench/supervision/orders/new/",
        {
            "warning": warning.pk,
            "instruction": "立即受理",
            "due_date": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    order = Order.objects.get()
    approver = as_user("demo-approver")
    mine = approver.get("/workbench/supervision/").content.decode()
    assert "立即受理" in mine and "部门季度评分" not in mine
    assert approver.get("/workbench/supervision/grades/").status_code == 403
    answer_page = approver.get(f"/workbench/supervision/warnings/{warning.pk}/")
    assert "说明预警" in answer_page.content.decode()
    missing = approver.post(f"/workbench/supervision/warnings/{warning.pk}/", {"reason": "", "action": ""})
    assert missing.status_code == 400
    assert (
        approver.post(
            f"/workbench/supervision/warnings/{warning.pk}/", {"reason": "人员不足", "action": "已受理"}
        ).status_code
        == 302
    )
    assert (
        approver.post(
            f"/workbench/supervision/orders/{order.pk}/", {"report": "已受理并告知申请人"}
        ).status_code
        == 302
    )
    order.refresh_from_db()
    assert order.state == "reported"
    detail = approver.get(f"/workbench/cases/{case.number}/").content.decode()
    assert "亮灯记录" in detail and "受理超时" in detail
    # Another department's reviewer: 404 on the warning, the order; no 监察 board for applicants.
    other = as_user("demo-reviewer-civil")
    assert other.get(f"/workbench/supervision/warnings/{warning.pk}/").status_code == 404
    assert other.get(f"/workbench/supervision/orders/{order.pk}/").status_code == 404
    assert as_user("demo-citizen").get("/workbench/supervision/").status_code == 404
    rules_page = as_user("demo-admin").get("/workbench/supervision/rules/").content.decode()
    assert "按环节数平分" in rules_page


HUGE = "9" * 30  # no database column holds it


@pytest.mark.parametrize(
    "username, method, path, data",
    [
        ("demo-supervisor", "get", f"/workbench/supervision/?department={HUGE}", None),
        (
            "demo-supervisor",
            "post",
            "/workbench/supervision/orders/new/",
            {"warning": HUGE, "due_date": "2030-01-01"},
        ),
        (
            "demo-supervisor",
            "post",
            "/workbench/supervision/orders/new/",
            {"department": HUGE, "due_date": "2030-01-01"},
        ),
        ("demo-supervisor", "get", f"/workbench/supervision/warnings/{HUGE}/", None),
        ("demo-supervisor", "get", f"/workbench/ratings/follow-ups/{HUGE}/", None),
        ("demo-citizen", "post", f"/my/cases/1/ratings/{HUGE}/rectification/", {"view": "satisfied"}),
        ("demo-supervisor", "get", f"/workbench/stats/?department={HUGE}&item={HUGE}", None),
    ],
)
def test_huge_ids_in_pages_are_not_a_500(users, username, method, path, data):
    client = Client(raise_request_exception=False)
    client.force_login(users[username])
    response = getattr(client, method)(path, data or {})
    assert response.status_code in (200, 302, 400, 404), (path, response.status_code)


def test_the_cards_are_paged_the_latest_first(as_user, red_and_older, monkeypatch):
    from yiwang.workbench import supervision_views

    _case, _warning, older = red_and_older
    monkeypatch.setattr(supervision_views, "PAGE_SIZE", 1)
    supervisor = as_user("demo-supervisor")
    first = supervisor.get("/workbench/supervision/?colour=red").content.decode()
    table = first.split('class="table warning-table"')[1].split("</table>")[0]
    assert "受理超时" in table and table.count('<th scope="row">') == 1
    assert "第 1 页：显示 1 条，从第 1 条起" in table
    assert 'href="?colour=red&amp;page=2#warnings" rel="next"' in first and 'rel="prev"' not in first
    second = supervisor.get("/workbench/supervision/?colour=red&page=2").content.decode()
    table = second.split('class="table warning-table"')[1].split("</table>")[0]
    assert "受理超时" not in table and f"/workbench/supervision/warnings/{older.pk}/" in table
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # A page past the end, or no page at all: an empty list, never a 500.
    assert supervisor.get("/workbench/supervision/?page=999999999999").status_code == 200
    assert supervisor.get("/workbench/supervision/?page=x").status_code == 200


def test_the_page_and_the_list_read_as_many_statements_for_six_cards_as_for_one(as_user, api, red):
    """The listed cards read their case and department in the page's statements (only the columns
    shown): a card more is no statement more, in the page and in the API."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _case, warning = red
    supervisor = as_user("demo-supervisor")

    def statements() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert supervisor.get("/workbench/supervision/").status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api("get", "/supervision/warnings", "demo-supervisor").status_code == 200
        return len(page.captured_queries), len(listed.captured_queries)

    statements()  # the first requests fill what a process keeps (a token's account, the rules)
    one = statements()
    others = [code for code in rules.RULES if code != warning.rule][:5]
    for n, code in enumerate(others, start=1):
        more = Warning.objects.get(pk=warning.pk)
        more.pk, more.rule = None, code  # one card per rule and case
        more.raised_at = warning.raised_at - dt.timedelta(days=n)
        more.save()
    assert api("get", "/supervision/warnings", "demo-supervisor").json()["count"] == 6
    assert statements() == one

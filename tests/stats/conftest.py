"""A hand-made dataset for the statistics, walked through the real services in November 2026 (no
holidays; 11-02 is a Monday), with every figure's answer worked out by hand in `EXPECTED`.

Entries of 青山市市场监督管理局 (division 159900000000): a 承诺件 with ten working days
(`entry`) and a 即办件 (`instant_entry`). A window clerk at 东城街道便民服务中心 (a township-level
department) is added for 就近办.

| case | channel | story | visits |
|---|---|---|---|
| C1 | online | submitted and accepted 11-02, passed 11-04, approved 11-05 (3 working days, due 11-16: on time), completed, delivered electronically 11-05 | 0 |
| C2 | online | submitted and accepted 11-02, passed 11-10, approved 11-17 (11 working days, due 11-16: late), completed, picked up at the window 11-18 | 1 |
| C3 | window, 东城街道 (township) | 即办件 taken in 11-03, decided on the spot, completed and picked up in the same visit | 1 |
| C4 | online | submitted 11-04, not accepted 11-05 | 0 |
| C5 | window, city hall | taken in 11-06, accepted, passed, approved 11-09 (1 working day: 11-07/08 are a weekend), completed, picked up 11-10 | 2 |
| D1 | online | a draft started 11-02 and never submitted | — |

Ratings: C1 acceptance 非常满意 (5); C2 completion 非常不满意 (1, its loop closed with the return
visit); C3 at the window's device 基本满意 (3); C4 acceptance 不满意 (2, appealed and ruled
mistaken: upheld); C5 completion 不满意 (2, loop left open). Stages opened to rating: C1, C2, C5
two each (acceptance, completion), C4 one (acceptance: refused acceptance is a service given), C3
one (a 即办件 is rated once) = 8. A cost of 1000 元 is entered for the department's November.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.test_case_documents import api  # noqa: F401 (the API fixture, shared)
from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF

D = dt.date
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}

# Worked out by hand from the table above.
EXPECTED_COUNTS = {
    "started": 6,  # C1–C5 and the draft D1
    "submitted": 5,
    "online": 3,  # C1, C2, C4
    "nearby": 1,  # C3 (东城街道, township level)
    "decided": 4,  # C1, C2, C3, C5 (C4 was not accepted: no decision)
    "decided_on_time": 3,  # C2 decided 11-17 after its due 11-16; C3 has no due date (on the spot)
    "instant": 1,  # C3
    "workdays_used_sum": 15,  # 3 + 11 + 0 + 1
    "workdays_promised_sum": 30,  # 10 + 10 + 0 + 10
    "materials_required": 10,  # five submissions, two required materials each
    "materials_spared": 0,  # every one uploaded (the dataset's entry shares no e-licence)
    "limit_compared": 3,  # C1, C2, C5: 法定 20 and 承诺 10 working days (C3's 即办件 promises none)
    "limit_compression_bp": 15000,  # 3 × (20 − 10) ÷ 20, in ten-thousandths
    "finished": 5,  # four delivered, C4 not accepted
    "no_visit": 2,  # C1 (online, electronic), C4 (online, not accepted)
    "one_visit": 4,  # C1, C4 (0); C2 (pickup), C3 (on the spot, handed over in the visit)
    "full_online": 1,  # C1
    "rating_opened": 8,
    "rated": 5,
    "rated_good": 2,  # C1 (5), C3 (3)
    "rated_bad": 2,  # C2, C5 (C4's was ruled mistaken)
    "ruled": 1,  # C4
    "bad_rectified": 1,  # C2
}
EXPECTED_FIGURES = {
    "online_rate": 60.0,  # 3 ÷ 5
    "full_online_rate": 20.0,  # 1 ÷ 5
    "no_visit_rate": 40.0,  # 2 ÷ 5
    "instant_rate": 25.0,  # 1 ÷ 4
    "one_visit_rate": 80.0,  # 4 ÷ 5
    "nearby_rate": 20.0,  # 1 ÷ 5
    "on_time_rate": 75.0,  # 3 ÷ 4
    "avg_workdays_used": 3.75,  # 15 ÷ 4
    "avg_workdays_promised": 7.5,  # 30 ÷ 4
    "materials_spared_rate": 0.0,  # 0 ÷ 10
    "limit_compression_rate": 50.0,  # each of the three compared cases: (20 − 10) ÷ 20
    "rating_rate": 62.5,  # 5 ÷ 8
    "satisfaction_rate": 50.0,  # 2 ÷ (5 − 1)
    "rectification_rate": 50.0,  # 1 ÷ 2
    "completion_rate": 83.3,  # 5 ÷ 6
    "digital_take_up": 60.0,  # 3 ÷ 5
    "cost_per_case": 200.0,  # 1000 元 ÷ 5 cases finished in the department's November
}


def _online(entry, user, on, *, delivery=None):
    from yiwang.cases import clock, drafts

    with clock.frozen(on):
        case = drafts.start_application(user, entry)
        drafts.save_form(user, case, FORM_DATA)
        for item in drafts.checklist(case):
            drafts.attach_material(user, case, item.material.pk, PDF, "a.pdf")
        if delivery:
            drafts.set_delivery(user, case, delivery)
        return drafts.submit(user, case)


def _window(entry, clerk, on, id_number):
    from yiwang.cases import clock, drafts

    with clock.frozen(on):
        case = drafts.start_window_intake(clerk, entry, id_number=id_number, name="钱七")
        drafts.save_form(clerk, case, FORM_DATA)
        for item in drafts.checklist(case):
            drafts.attach_material(clerk, case, item.material.pk, PDF, "scan.pdf")
        return drafts.submit(clerk, case)


def _act(user, case, action, on, payload=None):
    from yiwang.cases import clock, services
    from yiwang.cases.models import Case

    with clock.frozen(on):
        case = Case.objects.get(pk=case.pk)
        services.act(user, case, action, payload or {})
    return Case.objects.get(pk=case.pk)


def _pickup(clerk, case, on):
    from yiwang.cases.models import Delivery

    code = Delivery.objects.get(case=case).pickup_code
    return _act(clerk, case, "deliver", on, {"method": "pickup", "pickup_code": code})


def _rate(user, case, on, level, stage=None, **kwargs):
    from yiwang.cases import clock
    from yiwang.cases.models import Case
    from yiwang.ratings import services
    from yiwang.ratings.rules import RatingIn

    with clock.frozen(on):
        return services.rate(
            user,
            Case.objects.get(pk=case.pk),
            RatingIn(level=level, indicators={"overall": level}, stage=stage),
            **kwargs,
        )


@pytest.fixture
def township_clerk(region):
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import StaffRole

    return accounts.create_staff(
        username="test-clerk-dongcheng",
        password="x-Test-Password-123",
        name="周婷",
        department=region.departments["dongcheng_service"],
        roles=[StaffRole.WINDOW_CLERK],
        window="便民服务窗口 1号",
        enforce_password_rules=False,
    )


@pytest.fixture
def dataset(make_published, users, township_clerk, id_number, deliver_outbox):
    """Walk the cases of the module docstring, delivering the outbox as the worker would after each
    day, and run the periodic count. Returns the cases by name."""
    from yiwang.cases import clock, drafts
    from yiwang.ratings import services as ratings
    from yiwang.ratings.models import FollowUp
    from yiwang.ratings.rules import Answer, AppealKind, Channel, Rectify, ReturnVisit, Verify
    from yiwang.stats import services
    from yiwang.stats.models import Cost

    entry = make_published(promised_limit=10)
    instant_entry = make_published(case_kind="instant", promised_limit=0)
    citizen, clerk = users["demo-citizen"], users["demo-clerk"]
    reviewer, approver = users["demo-reviewer"], users["demo-approver"]

    def settle(on):
        with clock.frozen(on):
            deliver_outbox()

    c1 = _online(entry, citizen, D(2026, 11, 2), delivery="electronic")
    c2 = _online(entry, citizen, D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 2)):
        drafts.start_application(citizen, entry)  # D1, never submitted
    for case in (c1, c2):
        _act(clerk, case, "accept", D(2026, 11, 2))
    settle(D(2026, 11, 2))
    _act(reviewer, c1, "pass_step", D(2026, 11, 4))
    _act(approver, c1, "approve", D(2026, 11, 5))
    _act(approver, c1, "complete", D(2026, 11, 5))
    settle(D(2026, 11, 5))  # the decision document, then electronic delivery
    _rate(citizen, c1, D(2026, 11, 5), 5)

    c3 = _window(instant_entry, township_clerk, D(2026, 11, 3), id_number(seq="551"))
    _act(township_clerk, c3, "decide_on_the_spot", D(2026, 11, 3))
    _act(township_clerk, c3, "complete", D(2026, 11, 3))
    _pickup(township_clerk, c3, D(2026, 11, 3))
    settle(D(2026, 11, 3))
    _rate(township_clerk, c3, D(2026, 11, 3), 3, channel=Channel.WINDOW)

    c4 = _online(entry, citizen, D(2026, 11, 4))
    _act(
        clerk,
        c4,
        "not_accept",
        D(2026, 11, 5),
        {"reason": "不属于本机关职权范围", "remedy": "可申请行政复议"},
    )
    settle(D(2026, 11, 5))
    bad4 = _rate(citizen, c4, D(2026, 11, 5), 2)

    c5 = _window(entry, clerk, D(2026, 11, 6), id_number(seq="771"))
    _act(clerk, c5, "accept", D(2026, 11, 6))
    _act(reviewer, c5, "pass_step", D(2026, 11, 9))
    _act(approver, c5, "approve", D(2026, 11, 9))
    _act(approver, c5, "complete", D(2026, 11, 9))
    _pickup(clerk, c5, D(2026, 11, 10))
    settle(D(2026, 11, 10))
    _rate(clerk, c5, D(2026, 11, 10), 2, stage="completion", channel=Channel.WINDOW)

    _act(reviewer, c2, "pass_step", D(2026, 11, 10))
    _act(approver, c2, "approve", D(2026, 11, 17))
    _act(approver, c2, "complete", D(2026, 11, 17))
    _pickup(clerk, c2, D(2026, 11, 18))
    settle(D(2026, 11, 18))
    bad2 = _rate(citizen, c2, D(2026, 11, 18), 1)
    settle(D(2026, 11, 18))
    loop = FollowUp.objects.get(rating=bad2)
    with clock.frozen(D(2026, 11, 19)):
        for step in (
            Verify(method="phone", finding="founded", note="属实"),
            Rectify(kind="rectified", note="已加开窗口"),
            Answer(note="已整改"),
            ReturnVisit(method="phone", note="满意"),
        ):
            loop = ratings.take_step(reviewer, FollowUp.objects.get(pk=loop.pk), step)
    assert loop.state == "closed"
    with clock.frozen(D(2026, 11, 20)):
        appeal = ratings.appeal(reviewer, bad4, AppealKind.MISTAKEN, "申请人误评：事项不属于本机关")
        ratings.rule(users["demo-supervisor"], appeal, upheld=True, reason="确属误评")
    settle(D(2026, 11, 20))
    services.collect()
    Cost.objects.create(department=entry.department, month=D(2026, 11, 1), amount=1000)
    return {"entry": entry, "instant_entry": instant_entry, "c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5}

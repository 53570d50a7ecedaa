"""Every figure's formula on the hand-made dataset of `conftest.py` (answers worked out there by
hand); the rebuild gives the rows the events built; the pure rules."""

from __future__ import annotations

import datetime as dt

import pytest

from stats.conftest import EXPECTED_COUNTS, EXPECTED_FIGURES
from yiwang.stats import queries, rules, services
from yiwang.stats.models import Daily, DailyTotal, Monthly

NOV = {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}


def _snapshot():
    """Every `Daily`, `DailyTotal` and `Monthly` row, as values."""
    tables = []
    for model in (Daily, DailyTotal, Monthly):
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        tables.append(sorted(tuple(row) for row in model.objects.values_list(*fields)))
    return tables


def test_every_figure_by_hand(dataset, users):
    result = queries.overview(users["demo-supervisor"], queries.make_filter(**NOV))
    assert result["counts"] == EXPECTED_COUNTS
    assert result["figures"] == EXPECTED_FIGURES
    assert set(result["definitions"]) == set(EXPECTED_FIGURES)
    assert result["definitions"]["online_rate"].startswith("网办率 = 网上申请件数 ÷ 申请件数")
    # The previous period of equal length (10-02 … 10-31) had nothing: no rate, never 0 %.
    assert result["previous"]["period"]["from"] == dt.date(2026, 10, 2)
    assert set(result["previous"]["figures"].values()) == {None}


def test_the_rows_are_per_day_and_dimension(dataset, users):
    c3 = dataset["c3"]
    window = Daily.objects.filter(intake=c3.intake_department_id)
    assert {(r.day, r.channel, r.submitted, r.nearby, r.instant, r.one_visit) for r in window} == {
        (dt.date(2026, 11, 3), "window", 1, 1, 1, 1)
    }
    late = Daily.objects.get(day=dt.date(2026, 11, 17), decided=1)
    assert (late.decided_on_time, late.workdays_used_sum, late.workdays_promised_sum) == (0, 11, 10)


def test_the_rebuild_gives_the_rows_the_events_built(dataset):
    built = _snapshot()
    assert services.rebuild() == 6  # C1–C5 and the draft
    assert _snapshot() == built
    # From a date: the days before it are kept, the days after recomputed, the same again.
    services.rebuild(dt.date(2026, 11, 9), chunk=2)
    assert _snapshot() == built
    # The periodic count after a rebuild adds nothing (its cursors moved to the rebuild's end).
    assert services.collect() == {"started": 0, "rating_opened": 0}
    assert _snapshot() == built


def test_the_command_rebuilds_with_a_progress_bar(dataset):
    import io

    from django.core.management import call_command

    built = _snapshot()
    Daily.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_stats", "--since", "2026-11-01", stdout=out, stderr=err)
    assert "读取办件 6 件" in out.getvalue()
    assert _snapshot() == built
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("rebuild_stats", "--since", "yesterday")


def test_an_event_delivered_twice_counts_once(dataset, deliver_outbox):
    """The receipt and the increment commit together: a repeat of a delivered message is skipped."""
    from yiwang.core import outbox
    from yiwang.core.models import OutboxMessage

    built = _snapshot()
    OutboxMessage.objects.filter(topic__startswith="case.").update(done_at=None, claimed_until=None)
    outbox.drain()
    assert _snapshot() == built


def test_drill_down_and_dimensions(dataset, users):
    supervisor = users["demo-supervisor"]
    f = queries.make_filter(**NOV)
    divisions = queries.by(supervisor, "division", f)
    assert [(r["label"], r["counts"]["submitted"]) for r in divisions["results"]] == [("青山市（本级）", 5)]
    departments = queries.by(supervisor, "department", f)["results"]
    assert [(r["label"], r["drill"]) for r in departments] == [
        ("青山市市场监督管理局", dataset["entry"].department_id)
    ]
    items = queries.by(supervisor, "item", queries.make_filter(**NOV, department=departments[0]["drill"]))
    assert sorted(r["counts"]["submitted"] for r in items["results"]) == [1, 4]
    assert all(r["label"].endswith("）") for r in items["results"])  # the name with its code
    channels = {r["key"]: r["counts"]["submitted"] for r in queries.by(supervisor, "channel", f)["results"]}
    assert channels == {"online": 3, "window": 2}
    windows = {r["label"]: r["counts"]["submitted"] for r in queries.by(supervisor, "window", f)["results"]}
    assert windows == {
        "非窗口受理（网上、邮寄）": 3,
        "东城街道便民服务中心": 1,
        "青山市政务服务和数据管理局": 1,
    }
    months = queries.by(supervisor, "month", queries.make_filter(start=dt.date(2026, 10, 1), end=NOV["end"]))
    assert [(r["key"], r["counts"]["submitted"]) for r in months["results"]] == [("2026-11", 5)]


def test_the_rules_alone():
    assert rules.compute(rules.FIGURES_BY_KEY["online_rate"], {"online": 0, "submitted": 0}) is None
    assert rules.compute(rules.FIGURES_BY_KEY["online_rate"], {"online": 1, "submitted": 3}) == 33.3
    assert (
        rules.compute(rules.FIGURES_BY_KEY["satisfaction_rate"], {"rated_good": 1, "rated": 2, "ruled": 2})
        is None
    )
    window = rules.CaseFacts(channel="window", nearby=False)
    assert rules.visits(window, "deliver", "pickup") == 2
    assert (
        rules.visits(rules.CaseFacts(channel="window", nearby=False, on_the_spot=True), "deliver", "pickup")
        == 1
    )
    assert rules.visits(window, "deliver", "express") == 1
    assert rules.visits(rules.CaseFacts(channel="online", nearby=False), "deliver", "electronic") == 0
    assert (
        rules.visits(rules.CaseFacts(channel="online", nearby=False, window_resubmits=1), "deliver", "pickup")
        == 2
    )
    assert rules.range_problem(dt.date(2026, 2, 1), dt.date(2026, 1, 1))[0] == "from"
    assert rules.range_problem(dt.date(2000, 1, 1), dt.date(2026, 1, 1))[0] == "to"
    assert rules.previous_period(dt.date.min, dt.date(1, 1, 5)) is None
    assert set(rules.COUNTERS) <= {f.name for f in Daily._meta.concrete_fields}


@pytest.mark.parametrize(
    "start, end",
    [
        (dt.date(2026, 10, 20), dt.date(2026, 12, 10)),  # edges of October and December, November whole
        (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),  # one whole month: `Monthly` alone
        (dt.date(2026, 11, 4), dt.date(2026, 11, 17)),  # inside one month: `Daily` alone
        (dt.date(2026, 11, 10), dt.date(2027, 1, 31)),  # a leading edge, then whole months
    ],
)
def test_whole_months_from_the_monthly_rows_equal_the_days(dataset, users, start, end):
    """A period reads its whole months from `Monthly` and its edges from `Daily`: the sums are the
    days' sums, by any dimension."""
    supervisor = users["demo-supervisor"]
    f = queries.make_filter(start=start, end=end)
    assert queries.sums(supervisor, f) == queries.totals(queries.rows(supervisor, f))
    for dimension in ("department", "channel", "month", "division"):
        by_parts = {r["key"]: r["counts"] for r in queries.by(supervisor, dimension, f)["results"]}
        assert (
            sum(c["submitted"] for c in by_parts.values())
            == queries.totals(queries.rows(supervisor, f))["submitted"]
        )


def test_split_periods():
    nov, dec = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
    assert queries.split(nov, dt.date(2026, 11, 30)) == ([], (nov, nov))
    assert queries.split(dt.date(2026, 10, 20), dt.date(2026, 12, 10)) == (
        [(dt.date(2026, 10, 20), dt.date(2026, 10, 31)), (dec, dt.date(2026, 12, 10))],
        (nov, nov),
    )
    assert queries.split(dt.date(2026, 11, 4), dt.date(2026, 11, 17)) == (
        [(dt.date(2026, 11, 4), dt.date(2026, 11, 17))],
        None,
    )
    assert queries.split(dt.date.min, dt.date.max)[1] == (dt.date.min, dt.date.max.replace(day=1))


def test_time_limit_compression_compares_limits_in_one_unit_only():
    assert rules.comparable_limits(20, "workday", 10, "workday") == (20, 10)
    assert rules.comparable_limits(30, "natural_day", 10, "workday") == (0, 0)  # not comparable
    assert rules.comparable_limits(None, "workday", 10, "workday") == (0, 0)
    assert rules.comparable_limits(20, "workday", None, "workday") == (0, 0)
    decided = {"decided_on": dt.date(2026, 11, 2), "decision_due": dt.date(2026, 11, 6)}
    facts = rules.CaseFacts(channel="online", nearby=False, legal_limit=60, promised_limit=15, **decided)
    counts = rules.case_event_counts("approve", facts)
    assert (counts["limit_compared"], counts["limit_compression_bp"]) == (1, 7500)
    uncompared = rules.CaseFacts(channel="online", nearby=False, **decided)
    assert "limit_compared" not in rules.case_event_counts("approve", uncompared)
    figure = rules.FIGURES_BY_KEY["limit_compression_rate"]
    assert rules.compute(figure, {"limit_compared": 2, "limit_compression_bp": 7500 + 2500}) == 50.0
    assert rules.compute(figure, {"limit_compared": 0, "limit_compression_bp": 0}) is None


def test_a_submission_counts_the_materials_the_platform_spared(make_published, users, client, api_token):
    """材料精简率's counts come from the submit event, on every path: the portal's submit leaves out
    the business licence the department looks up itself (无需提交); the API's does too."""
    from api.test_cases_api import application
    from catalog.guide_samples import PDF
    from yiwang.cases import drafts
    from yiwang.cases.models import CaseEvent

    entry = make_published(shared_licence=True)  # its second material is an e-licence looked up
    citizen = users["demo-citizen"]
    case = drafts.start_application(citizen, entry)
    drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45})
    first = next(item for item in drafts.checklist(case) if not item.shared)
    drafts.attach_material(citizen, case, first.material.pk, PDF, "a.pdf")
    drafts.submit(citizen, case)
    portal = CaseEvent.objects.get(case=case, action="submit").data["materials"]
    assert portal == {"required": 2, "spared": 1}

    body = application(entry)
    body["materials"] = body["materials"][:1]  # the application form only
    response = client.post(
        "/api/v1/cases",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token('demo-citizen')}",
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert CaseEvent.objects.get(case__number=number, action="submit").data["materials"] == portal

    facts = rules.CaseFacts(channel="online", nearby=False)
    counts = rules.case_event_counts("submit", facts, materials=portal)
    assert (counts["materials_required"], counts["materials_spared"]) == (2, 1)
    assert "materials_required" not in rules.case_event_counts("submit", facts, materials={"required": "x"})
    figure = rules.FIGURES_BY_KEY["materials_spared_rate"]
    assert rules.compute(figure, {"materials_required": 4, "materials_spared": 1}) == 25.0


def test_a_round_of_rating_events_counts_what_they_count_one_by_one(dataset, monkeypatch):
    """The worker hands `stats.ratings` a round of messages at once: the increments it adds (one
    upsert) are the sum of what each message adds alone — given, loop closed, appeal upheld."""
    from yiwang.core.models import OutboxMessage

    messages = [
        (m.topic, m.payload) for m in OutboxMessage.objects.filter(topic__startswith="rating.").order_by("id")
    ]
    assert {"rating.given", "rating.appeal.ruled"} <= {t for t, _p in messages}
    added: list[dict] = []
    monkeypatch.setattr(services, "add", lambda acc, **kw: added.append(acc) or len(acc))

    def total(increments: list[dict]) -> dict:
        out: dict = {}
        for acc in increments:
            for key, counts in acc.items():
                row = out.setdefault(key, {})
                for name, n in counts.items():
                    row[name] = row.get(name, 0) + n
        return {k: {n: v for n, v in c.items() if v} for k, c in out.items()}

    for topic, payload in messages:
        services.count_rating_event(topic, payload)
    one_by_one = total(added)
    added.clear()
    services.count_rating_events(messages)
    assert len(added) == 1
    assert total(added) == one_by_one
    assert sum(c.get("rated", 0) for c in one_by_one.values()) == 5  # the dataset's five ratings

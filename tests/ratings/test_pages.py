"""好差评 through the pages: the case page's prompt after a stage, the rating page with its errors
by field, the department's follow-up with each step, the applicant's rating of the fix, the window's
rating device, a handler's phone entry, appeals ruled by a supervisor, and the public disclosure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from yiwang.cases import services
from yiwang.ratings.models import Appeal, FollowUp, Rating


@pytest.fixture
def accepted_case(submitted, users):
    case = submitted()
    services.act(users["demo-clerk"], case, "accept")
    return case


def test_the_case_page_invites_a_rating_after_acceptance_and_not_before(submitted, users, as_user):
    case = submitted()
    citizen = as_user("demo-citizen")
    page = citizen.get(f"/my/cases/{case.number}/").content.decode()
    assert "去评价" not in page
    services.act(users["demo-clerk"], case, "accept")
    page = citizen.get(f"/my/cases/{case.number}/").content.decode()
    assert "受理环节" in page and "去评价" in page and "不影响办理" in page


def test_rating_page_names_the_missing_level_and_keeps_what_was_typed(accepted_case, as_user):
    citizen = as_user("demo-citizen")
    url = f"/my/cases/{accepted_case.number}/rate/"
    form = citizen.get(url)
    assert form.status_code == 200 and "非常满意" in form.content.decode()
    response = citizen.post(url, {"comment": "窗口很耐心", "stage": "acceptance"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "此项为必填项" in body and "窗口很耐心" in body
    wrong = citizen.post(url, {"level": "5", "tags": ["态度不好"], "stage": "acceptance"})
    assert wrong.status_code == 400 and "标签不属于所选的评价等级" in wrong.content.decode()
    assert not Rating.objects.exists()
    done = citizen.post(url, {"level": "4", "tags": ["服务热情"], "ind-attitude": "", "stage": "acceptance"})
    assert done.status_code == 302
    rating = Rating.objects.get()
    assert rating.level == 4 and rating.channel == "online" and rating.tags == ["服务热情"]
    page = citizen.get(f"/my/cases/{accepted_case.number}/").content.decode()
    assert "您的评价" in page and "满意" in page and "去评价" not in page
    # Once per stage: the page sends back with a message instead of a second form.
    assert citizen.get(url).status_code == 302


def test_others_cannot_open_the_rating_page(accepted_case, as_user):
    assert as_user("demo-citizen2").get(f"/my/cases/{accepted_case.number}/rate/").status_code == 404
    assert as_user("demo-approver").get(f"/my/cases/{accepted_case.number}/rate/").status_code == 404


def test_the_loop_through_the_workbench_and_the_applicants_view(accepted_case, as_user, deliver_outbox):
    citizen = as_user("demo-citizen")
    citizen.post(
        f"/my/cases/{accepted_case.number}/rate/",
        {"level": "1", "tags": ["多次跑腿"], "comment": "窗口说法不一", "stage": "acceptance"},
    )
    follow_up = FollowUp.objects.get()
    deliver_outbox()
    approver = as_user("demo-approver")
    home = approver.get("/workbench/").content.decode()
    assert 'id="tile-follow-ups">1<' in home
    board = approver.get("/workbench/ratings/").content.decode()
    assert accepted_case.number in board and "核实" in board
    url = f"/workbench/ratings/follow-ups/{follow_up.pk}/"
    page = approver.get(url).content.decode()
    assert "窗口说法不一" in page and "张*" in page
    missing = approver.post(url, {"step": "verify", "method": "phone", "note": ""})
    assert missing.status_code == 400 and "此项为必填项" in missing.content.decode()
    steps = [
        {"step": "verify", "method": "phone", "finding": "founded", "note": "电话核实，两名工作人员口径不一"},
        {"step": "rectify", "kind": "rectified", "note": "统一一次性告知口径并培训"},
        {"step": "answer", "note": "您反映的问题属实，已统一告知口径，感谢监督。"},
    ]
    for step in steps:
        assert approver.post(url, step).status_code == 302
    out_of_turn = approver.post(
        url, {"step": "verify", "method": "phone", "finding": "founded", "note": "再次"}
    )
    assert out_of_turn.status_code == 409
    deliver_outbox()
    case_page = citizen.get(f"/my/cases/{accepted_case.number}/").content.decode()
    assert "已统一告知口径" in case_page and "您对整改结果满意吗" in case_page
    rating = Rating.objects.get()
    assert (
        citizen.post(
            f"/my/cases/{accepted_case.number}/ratings/{rating.pk}/rectification/", {"view": "satisfied"}
        )
    ).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.applicant_view == "satisfied"
    assert (
        approver.post(url, {"step": "return_visit", "method": "phone", "note": "申请人认可"}).status_code
        == 302
    )
    follow_up.refresh_from_db()
    assert follow_up.state == "closed"
    # Another department's staff do not see it.
    assert as_user("demo-reviewer-civil").get(url).status_code == 404


def test_appeal_and_ruling_pages(accepted_case, as_user):
    as_user("demo-citizen").post(
        f"/my/cases/{accepted_case.number}/rate/",
        {"level": "1", "comment": "不给我违规办就差评", "stage": "acceptance"},
    )
    follow_up = FollowUp.objects.get()
    approver = as_user("demo-approver")
    approver.post(
        f"/workbench/ratings/follow-ups/{follow_up.pk}/appeal/",
        {"kind": "malicious", "reasons": "要求违规办理未果"},
    )
    appeal = Appeal.objects.get()
    supervisor = as_user("demo-supervisor")
    board = supervisor.get("/workbench/ratings/").content.decode()
    assert "要求违规办理未果" in board and "裁定" in board
    supervisor.post(f"/workbench/ratings/appeals/{appeal.pk}/ruling/", {"decision": "upheld", "reason": ""})
    appeal.refresh_from_db()
    assert appeal.state == "pending"  # a ruling needs its reasons
    supervisor.post(
        f"/workbench/ratings/appeals/{appeal.pk}/ruling/", {"decision": "upheld", "reason": "有录音"}
    )
    appeal.refresh_from_db()
    assert appeal.state == "upheld"
    public = Client().get("/ratings/").content.decode()
    assert "申诉成立" in public and accepted_case.number not in public and "张三" not in public


def test_window_device_and_phone_entry(accepted_case, as_user):
    clerk = as_user("demo-clerk")
    detail = clerk.get(f"/workbench/cases/{accepted_case.number}/").content.decode()
    assert "请申请人评价（评价器）" in detail and "代录电话或短信评价" in detail
    device = clerk.get(f"/workbench/cases/{accepted_case.number}/rating/?mode=device").content.decode()
    assert "服务态度" in device  # the window's indicators
    # The counter's screen faces the applicant: no staff navigation, name or sign-out.
    assert "评价器" in device and "工作台" not in device and "王晓梅" not in device
    assert 'action="/accounts/logout/' not in device
    done = clerk.post(
        f"/workbench/cases/{accepted_case.number}/rating/",
        {"mode": "device", "stage": "acceptance", "level": "5", "ind-attitude": "5"},
    )
    assert done.status_code == 302
    rating = Rating.objects.get()
    assert rating.channel == "window" and rating.rater is None and rating.entered_by.username == "demo-clerk"
    # Nothing left to rate: the links go away.
    assert "代录电话或短信评价" not in clerk.get(f"/workbench/cases/{accepted_case.number}/").content.decode()
    # A reviewer of the department may enter a call but is not at a counter.
    assert (
        as_user("demo-reviewer")
        .get(f"/workbench/cases/{accepted_case.number}/rating/?mode=device")
        .status_code
        == 404
    )


def test_phone_entry_by_a_reviewer(accepted_case, as_user):
    reviewer = as_user("demo-reviewer")
    response = reviewer.post(
        f"/workbench/cases/{accepted_case.number}/rating/",
        {"mode": "entry", "channel": "sms", "stage": "acceptance", "level": "3", "comment": "还行"},
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.channel == "sms" and rating.entered_by.username == "demo-reviewer"


def test_public_disclosure_page(client, db):
    page = client.get("/ratings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "满意率" in body and "差评整改率 = " in body
    assert client.get("/ratings/?division=abc").status_code == 200


def test_a_supervisor_orders_action_on_a_bad_ratings_case(accepted_case, as_user):
    from yiwang.supervision.models import Order

    as_user("demo-citizen").post(
        f"/my/cases/{accepted_case.number}/rate/",
        {"level": "2", "comment": "等了很久", "stage": "acceptance"},
    )
    url = f"/workbench/ratings/follow-ups/{FollowUp.objects.get().pk}/"
    assert "发出督办" not in as_user("demo-approver").get(url).content.decode()
    supervisor = as_user("demo-supervisor")
    assert "发出督办" in supervisor.get(url).content.decode()
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = supervisor.post(
        "/workbench/supervision/orders/new/",
        {"case": accepted_case.number, "instruction": "今日回访", "due_date": due},
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.case_id == accepted_case.pk and order.department_id == accepted_case.department_id


def test_the_counter_offers_the_rating_device_after_a_visit_that_reached_a_stage(
    published, users, id_number, as_user
):
    """一次一评 at the window: once the clerk accepted the application taken in, the page that ends
    the visit offers the rating device; before, nothing is there to rate."""
    from catalog.guide_samples import PDF
    from yiwang.cases import drafts

    clerk = users["demo-clerk"]
    case = drafts.start_window_intake(clerk, published, id_number=id_number(seq="951"), name="钱七")
    drafts.save_form(clerk, case, {"applicant_name": "钱七", "shop_name": "店", "area": 3})
    for item in drafts.checklist(case):
        drafts.attach_material(clerk, case, item.material.pk, PDF, "scan.pdf")
    case = drafts.submit(clerk, case)
    page = as_user("demo-clerk")
    assert "请申请人评价（评价器）" not in page.get(f"/workbench/intake/done/{case.number}/").content.decode()
    services.act(clerk, case, "accept")
    assert "请申请人评价（评价器）" in page.get(f"/workbench/intake/done/{case.number}/").content.decode()

"""An enterprise registers, authorises an agent (经办人), and the agent sees it in 我的空间."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .people import PASSWORD, id_number, masked, uscc

pytestmark = pytest.mark.e2e

COMPANY = "青山市明月茶叶有限公司"


def test_enterprise_registers_and_authorises_an_agent(journey):
    from yiwang.accounts import services

    agent_number = id_number("110105", "19880615", "271")
    services.register_person(
        username="li.agent",
        password=PASSWORD,
        name="李经办",
        id_number=agent_number,
        phone="13711112222",
    )
    code = uscc("MA01ABCD")

    j = journey()
    page = j.page
    j.goto("/accounts/register/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="注册类型").get_by_role("link", name="企业").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("企业（法人）注册")
    expect(page.get_by_role("link", name="企业")).to_have_attribute("aria-current", "page")
    j.check("register-enterprise")

    # A mistyped code is refused at its field, and the rest is kept.
    page.get_by_label("企业名称").fill(COMPANY)
    page.get_by_label("统一社会信用代码").fill(code[:-1] + ("0" if code[-1] != "0" else "1"))
    page.get_by_label("法定代表人").fill("周明月")
    page.get_by_label("联系电话").fill("04711234567")  # maxlength=11 truncates "0471-1234567" (reported)
    page.get_by_label("用户名").fill("mingyue.tea")
    page.get_by_label("密码").fill(PASSWORD)
    response = j.submit(page.locator("main").get_by_role("button", name="注册"))
    assert response.status == 400
    uscc_field = page.locator(".field").filter(has=page.get_by_label("统一社会信用代码"))
    expect(uscc_field).to_contain_text("统一社会信用代码校验位不正确")
    expect(page.get_by_label("企业名称")).to_have_value(COMPANY)
    expect(page.get_by_label("用户名")).to_have_value("mingyue.tea")
    j.check("register-enterprise-errors")

    page.get_by_label("统一社会信用代码").fill(code)
    page.get_by_label("密码").fill(PASSWORD)
    j.submit(page.locator("main").get_by_role("button", name="注册"))
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.locator("#display-name")).to_have_text(COMPANY)
    expect(page.locator("main")).to_contain_text(code)
    j.check("my-space-enterprise")

    # 经办人: none yet; a name that does not match the ID number is refused; then the grant.
    with page.expect_navigation():
        page.get_by_role("link", name="管理经办人").click()
    expect(page).to_have_url(re.compile(r"/accounts/agents/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("经办人授权")
    expect(page.get_by_role("table")).to_contain_text("尚未授权经办人。")
    j.check("agents-empty")

    page.get_by_label("经办人姓名").fill("李经理")
    page.get_by_label("经办人身份证号码").fill(agent_number)
    response = j.submit(page.get_by_role("button", name="授权", exact=True))
    assert response.status == 400
    name_field = page.locator(".field").filter(has=page.get_by_label("经办人姓名"))
    expect(name_field).to_contain_text("姓名与该身份证号码登记的姓名不一致。")
    expect(page.get_by_label("经办人身份证号码")).to_have_value(agent_number)
    j.check("agents-errors")

    page.get_by_label("经办人姓名").fill("李经办")
    page.get_by_label("授权事项说明").fill("办理食品经营许可")
    j.submit(page.get_by_role("button", name="授权", exact=True))
    expect(page).to_have_url(re.compile(r"/accounts/agents/$"))
    expect(page.locator(".messages")).to_contain_text("已授权经办人。")
    row = page.get_by_role("row").filter(has_text="李经办")
    expect(row).to_contain_text(masked(agent_number))
    expect(row).to_contain_text("有效")
    assert agent_number not in page.content(), "the agent's full ID number must not be shown"
    j.check("agents-granted")
    j.sign_out()

    # The agent signs in (in another browser) and sees whom they may act for.
    agent = journey()
    agent.sign_in("li.agent", PASSWORD)
    expect(agent.page).to_have_url(re.compile(r"/my/$"))
    section = agent.page.get_by_role("region", name="我可代办的企业")
    expect(section).to_be_visible()
    expect(section).to_contain_text(f"{COMPANY}（{code}）")
    agent.check("my-space-agent")


def test_revoked_agent_no_longer_sees_the_enterprise(journey):
    from yiwang.accounts import services
    from yiwang.accounts.models import Enterprise

    agent_number = id_number("110105", "19750101", "333")
    services.register_person(
        username="qian.agent", password=PASSWORD, name="钱代办", id_number=agent_number, phone="13722223333"
    )
    services.register_enterprise(
        username="hongda.build",
        password=PASSWORD,
        name="宏达建筑有限公司",
        uscc=uscc("MA02EFGH"),
        phone="13733334444",
    )
    services.authorise_agent(
        Enterprise.objects.get(user__username="hongda.build"), id_number=agent_number, name="钱代办"
    )

    j = journey()
    j.sign_in("hongda.build", PASSWORD)
    j.goto("/accounts/agents/")
    row = j.page.get_by_role("row").filter(has_text="钱代办")
    j.submit(row.get_by_role("button", name="撤销"))
    expect(j.page.locator(".messages")).to_contain_text("已撤销授权。")
    expect(j.page.get_by_role("row").filter(has_text="钱代办")).to_contain_text("已撤销")
    j.check("agents-revoked")

    agent = journey()
    agent.sign_in("qian.agent", PASSWORD)
    expect(agent.page).to_have_url(re.compile(r"/my/$"))
    expect(agent.page.locator("main")).not_to_contain_text("宏达建筑有限公司")

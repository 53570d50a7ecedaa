"""Staff sign in to the workbench (审批工作台); applicants cannot see it; the optional second factor."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from .people import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def region(live_server):
    from yiwang.demo.region import load_region

    return load_region()


def test_staff_lands_on_workbench_and_sets_up_totp(journey, region):
    j = journey()
    page = j.page
    j.goto("/accounts/login/")
    j.sign_in("demo-reviewer", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("审批工作台")
    expect(page.locator("#staff-department")).to_have_text("青山市市场监督管理局")
    expect(page.locator("#staff-roles")).to_have_text("审查人")
    expect(page.locator("main")).to_contain_text("李建国")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="工作台")).to_be_visible()
    expect(nav.get_by_role("link", name="我的空间")).to_have_count(0)
    j.check("workbench")

    # 登录动态口令: start, scan (or type the key), confirm with a code.
    with page.expect_navigation():
        page.get_by_role("link", name="登录动态口令设置").click()
    expect(page).to_have_url(re.compile(r"/accounts/security/totp/$"))
    j.check("totp-setup")
    j.submit(page.get_by_role("button", name="开始设置"))
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    j.check("totp-setup-started")

    page.get_by_label("动态口令").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    response = j.submit(page.get_by_role("button", name="确认启用"))
    assert response.status == 400
    expect(page.locator(".field-error")).to_contain_text("动态口令不正确")
    j.check("totp-setup-errors")

    page.get_by_label("动态口令").fill(pyotp.TOTP(secret).now())
    j.submit(page.get_by_role("button", name="确认启用"))
    expect(page.locator(".messages")).to_contain_text("动态口令已启用")
    expect(page.locator("main")).to_contain_text("已启用")
    j.check("totp-enabled")

    # The next sign-in asks for the code after the password.
    j.sign_out()
    j.sign_in("demo-reviewer", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/totp/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("输入动态口令")
    j.check("login-totp")
    j.goto("/workbench/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/workbench/$"))


def test_citizen_gets_404_on_the_workbench(journey, region):
    j = journey()
    j.sign_in("demo-citizen", DEMO_PASSWORD)
    expect(j.page).to_have_url(re.compile(r"/my/$"))
    expect(j.page.locator("#display-name")).to_have_text("张三")
    response = j.goto("/workbench/")
    assert response.status == 404
    expect(j.page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(j.page.locator("body")).not_to_contain_text("审批工作台")
    j.check("workbench-404-for-citizen")

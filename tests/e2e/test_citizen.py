"""A citizen's journeys: registering, signing in and out, and the elderly-friendly mode (长辈模式)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from .people import PASSWORD, id_number, masked, wrong_check_digit

pytestmark = pytest.mark.e2e

HAN = re.compile(r"[\u3400-\u9fff]")


def fill_person_form(page, *, name: str, number: str, phone: str, username: str, password: str) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("居民身份证号码").fill(number)
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)


def test_citizen_registers_signs_in_and_keeps_elderly_mode(journey):
    from yiwang.accounts.models import User

    j = journey()
    page = j.page
    j.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("办事，从这里开始")
    j.check("home")

    j.goto("/accounts/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("个人注册")
    j.check("register-person")
    number = id_number("110101", "19900307", "123")
    fill_person_form(
        page, name="王小明", number=number, phone="13912345678", username="wang.xm", password=PASSWORD
    )
    response = j.submit(page.locator("main").get_by_role("button", name="注册"))

    # 我的空间: the name, and the ID number masked (first 4 and last 4 characters only).
    assert response.status == 200
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的空间")
    expect(page.locator(".messages")).to_contain_text("注册成功")
    expect(page.locator("#display-name")).to_have_text("王小明")
    expect(page.locator("header .who")).to_have_text("王小明")
    expect(page.locator("main")).to_contain_text(masked(number))
    html = page.content()
    assert number not in html, "the full ID number must not be shown"
    assert "19900307" not in html, "the birth date inside the ID number must be masked"
    expect(page.locator("#elderly-state")).to_have_text("未开启")
    j.check("my-space")

    # Sign out, then in again.
    j.sign_out()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header").get_by_role("link", name="登录")).to_be_visible()
    j.goto("/accounts/login/")
    j.check("login")
    j.sign_in("wang.xm", PASSWORD)
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.locator("#display-name")).to_have_text("王小明")

    # Switch on 长辈模式 with the header button: larger type at once.
    assert not j.body_is_elderly()
    normal_px = j.body_font_px()
    toggle = page.locator("#elderly-toggle")
    expect(toggle).to_have_text("长辈模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    j.toggle_elderly()
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.locator("body")).to_have_class(re.compile(r"\belderly\b"))
    elderly_px = j.body_font_px()
    assert elderly_px >= normal_px * 1.2, f"elderly type {elderly_px}px is not larger than {normal_px}px"
    expect(toggle).to_have_text("退出长辈模式")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#elderly-state")).to_have_text("已开启")
    j.check("my-space-elderly")

    # It survives a reload ...
    page.reload()
    assert j.body_is_elderly()
    assert j.body_font_px() == elderly_px

    # ... and signing out and in on a browser without the cookie: it is kept on the account.
    assert User.objects.get(username="wang.xm").elderly_mode is True
    j.sign_out()
    j.context.clear_cookies()
    j.goto("/accounts/login/")
    assert not j.body_is_elderly(), "an anonymous visitor without the cookie gets the normal mode"
    j.sign_in("wang.xm", PASSWORD)
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.locator("body")).to_have_class(re.compile(r"\belderly\b"))
    assert j.body_font_px() == elderly_px
    expect(page.locator("#elderly-state")).to_have_text("已开启")

    # Switching it off is kept too.
    j.toggle_elderly()
    assert not j.body_is_elderly()
    assert j.body_font_px() == normal_px
    assert User.objects.get(username="wang.xm").elderly_mode is False


def _register_with_wrong_check_digit(j):
    page = j.page
    number = wrong_check_digit(id_number("110101", "19850312", "456"))
    j.goto("/accounts/register/?kind=person")
    page.locator("#id_name").fill("赵小红")
    page.locator("#id_id_number").fill(number)
    page.locator("#id_phone").fill("13612345678")
    page.locator("#id_username").fill("zhao.xh")
    page.locator("#id_password").fill(PASSWORD)
    response = j.submit(page.locator("main button[type=submit]"))
    return number, response


def test_registration_with_wrong_check_digit_keeps_what_was_typed(journey):
    from yiwang.accounts.models import User

    j = journey()
    page = j.page
    number, response = _register_with_wrong_check_digit(j)

    assert response.status == 400
    expect(page).to_have_url(re.compile(r"/accounts/register/"))
    # The message stands at the ID number field, in Chinese.
    id_field = page.locator(".field").filter(has=page.get_by_label("居民身份证号码"))
    expect(id_field).to_contain_text("居民身份证号码校验位不正确，请核对后重新输入。")
    expect(page.get_by_label("居民身份证号码")).to_have_attribute("aria-invalid", "true")
    # No other field complains, and what was typed is still there (the password, by design, not).
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.get_by_label("姓名")).to_have_value("赵小红")
    expect(page.get_by_label("居民身份证号码")).to_have_value(number)
    expect(page.get_by_label("手机号码")).to_have_value("13612345678")
    expect(page.get_by_label("用户名")).to_have_value("zhao.xh")
    assert not User.objects.filter(username="zhao.xh").exists()
    j.check("register-person-errors")

    # An empty form: every required field says what is missing, and the page stays accessible.
    j.goto("/accounts/register/?kind=person")
    response = j.submit(page.locator("main button[type=submit]"))
    assert response.status == 400
    expect(page.locator(".field-error")).to_have_count(5)
    j.check("register-person-empty-errors")


def test_registration_error_in_english(journey, request):
    j = journey(locale="en")
    page = j.page
    number, response = _register_with_wrong_check_digit(j)
    assert response.status == 400
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#id_name")).to_have_value("赵小红")
    expect(page.locator("#id_id_number")).to_have_value(number)
    error = page.locator("#id_id_number_error")
    expect(error).to_be_visible()
    j.check("register-person-errors-en")

    message = error.inner_text()
    catalogue = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.mo"
    if not catalogue.exists():
        # Only this assertion waits for the English catalogue; everything above must hold already.
        request.applymarker(pytest.mark.xfail(strict=False, reason="translations pending"))
    with translation.override("en"):
        expected = translation.gettext("居民身份证号码校验位不正确，请核对后重新输入。")
    assert message == expected and not HAN.search(message), (
        f"expected the check-digit message in English, got {message!r}"
    )


def test_anonymous_elderly_mode_follows_across_pages(journey):
    j = journey()
    page = j.page
    j.goto("/")
    assert not j.body_is_elderly()
    normal_px = j.body_font_px()

    j.toggle_elderly()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("body")).to_have_class(re.compile(r"\belderly\b"))
    assert j.body_font_px() > normal_px
    cookies = {c["name"]: c["value"] for c in j.context.cookies()}
    assert cookies.get("yiwang_elderly") == "1"
    j.check("home-elderly")

    # Following links keeps it: the header's 登录 link, then the enterprise registration.
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert j.body_is_elderly()
    j.check("login-elderly")
    j.goto("/accounts/register/?kind=enterprise")
    expect(page.get_by_role("heading", level=1)).to_have_text("企业（法人）注册")
    assert j.body_is_elderly()
    j.check("register-enterprise-elderly")

    # A new tab in the same browser too.
    other = j.context.new_page()
    other.goto("/accounts/register/")
    assert other.evaluate("document.body.classList.contains('elderly')")
    other.close()

    # And switching it off is remembered the same way.
    j.toggle_elderly()
    assert not j.body_is_elderly()
    j.goto("/")
    assert not j.body_is_elderly()
    assert j.body_font_px() == normal_px

"""Sign-in rate limit as the user meets it: after 5 wrong passwords even the right one is refused."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .people import PASSWORD, id_number

pytestmark = pytest.mark.e2e


def test_too_many_wrong_passwords_locks_sign_in(journey):
    from yiwang.accounts import services

    services.register_person(
        username="sun.li", password=PASSWORD, name="孙丽丽", id_number=id_number(), phone="13512345678"
    )
    assert settings.LOGIN_RATE_LIMIT == 5

    j = journey()
    page = j.page
    j.goto("/accounts/login/")
    j.check("login-empty")
    errors = page.locator("#form-errors")
    for attempt in range(1, 6):
        response = j.sign_in("sun.li", f"wrong-password-{attempt}")
        assert response.status == 400, f"attempt {attempt}"
        expect(errors).to_have_text("用户名或密码不正确。")
        expect(page.get_by_label("用户名")).to_have_value("sun.li")
    j.check("login-wrong-password")

    # The sixth try, with the right password: refused, told to try again later.
    response = j.sign_in("sun.li", PASSWORD)
    assert response.status == 429
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(errors).to_contain_text("登录失败次数过多")
    expect(errors).to_contain_text("分钟后再试")
    expect(page.locator("header").get_by_role("link", name="登录")).to_be_visible()
    j.check("login-rate-limited")

    # Really not signed in.
    j.goto("/my/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/my/$"))

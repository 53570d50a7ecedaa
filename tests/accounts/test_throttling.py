"""Sign-in limits (issue 9, item 6): counted per (account, address) with growing delays, so
nobody elsewhere can lock the owner out; a generous ceiling per address across accounts; the
second factor per account. (Parallel attempts: test_throttling_race.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.utils import timezone

from yiwang.accounts import services, throttle
from yiwang.accounts.models import LoginAttempt, LoginThrottle
from yiwang.accounts.throttle import TooManyAttempts

PASSWORD = "yiwang-demo"


def request_from(ip: str = "10.0.0.1"):
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)


def fail(username: str, ip: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(services.InvalidCredentials):
            services.sign_in(request_from(ip), username, "wrong")


def let_the_delay_pass(username: str, ip: str) -> None:
    """Move the pair's wait into the past, as if the user had waited it out."""
    past = timezone.now() - dt.timedelta(seconds=1)
    LoginThrottle.objects.filter(key=f"p:{username}|{throttle.network(ip)}").update(blocked_until=past)


def test_the_documented_numbers():
    assert settings.LOGIN_RATE_LIMIT == 5
    assert [throttle.delay_after(n) for n in range(1, 11)] == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900]
    # Generous enough for an office or a mobile network behind one NAT.
    assert settings.LOGIN_ADDRESS_LIMIT >= 200 and settings.LOGIN_RATE_WINDOW_SECONDS == 900


@pytest.mark.django_db
def test_five_failures_delay_that_address_for_that_account_only(demo_region):
    fail("demo-citizen", "10.6.6.6", 5)
    # From that address, even the right password must wait (and is not checked).
    with pytest.raises(TooManyAttempts) as info:
        services.sign_in(request_from("10.6.6.6"), "demo-citizen", PASSWORD)
    assert 55 <= info.value.retry_after <= 60
    assert info.value.message == "登录失败次数过多，请 1 分钟后再试。"
    with pytest.raises(TooManyAttempts):
        services.sign_in(request_from("10.6.6.6"), "DEMO-CITIZEN", PASSWORD)  # the same account
    assert not LoginAttempt.objects.filter(succeeded=True).exists()
    # The owner, elsewhere, is not locked out by someone else's guesses.
    assert services.sign_in(request_from("10.0.0.1"), "demo-citizen", PASSWORD).username == "demo-citizen"
    # Nor is another account at the guessing address.
    assert services.sign_in(request_from("10.6.6.6"), "demo-citizen2", PASSWORD).username == "demo-citizen2"


@pytest.mark.django_db
def test_each_further_failure_doubles_the_wait_up_to_fifteen_minutes(demo_region):
    fail("demo-citizen", "10.6.6.6", 5)
    waits = []
    for _ in range(6):
        let_the_delay_pass("demo-citizen", "10.6.6.6")
        fail("demo-citizen", "10.6.6.6")  # allowed once the wait is over, and wrong again
        with pytest.raises(TooManyAttempts) as info:
            services.sign_in(request_from("10.6.6.6"), "demo-citizen", "wrong")
        waits.append(info.value.retry_after)
    assert [round(w / 60) for w in waits] == [2, 4, 8, 15, 15, 15]
    assert info.value.message == "登录失败次数过多，请 15 分钟后再试。"
    # The refused attempts were not checked, so not recorded.
    assert LoginAttempt.objects.filter(username="demo-citizen").count() == 11


@pytest.mark.django_db
def test_a_right_password_resets_the_pair(demo_region):
    fail("demo-citizen", "10.0.0.1", 4)
    services.sign_in(request_from("10.0.0.1"), "demo-citizen", PASSWORD)
    fail("demo-citizen", "10.0.0.1", 4)
    assert services.sign_in(request_from("10.0.0.1"), "demo-citizen", PASSWORD)


@pytest.mark.django_db
def test_a_day_without_failures_forgets_them(demo_region):
    fail("demo-citizen", "10.0.0.1", 5)
    LoginThrottle.objects.update(
        last_failure_at=timezone.now() - dt.timedelta(days=1, seconds=1),
        blocked_until=timezone.now() - dt.timedelta(days=1),
    )
    assert services.sign_in(request_from("10.0.0.1"), "demo-citizen", PASSWORD)


@pytest.mark.django_db
@override_settings(LOGIN_ADDRESS_LIMIT=6)
def test_one_address_trying_many_accounts_meets_the_ceiling(demo_region):
    for i in range(6):
        fail(f"guess-{i}", "10.6.6.6")
    with pytest.raises(TooManyAttempts) as info:
        services.sign_in(request_from("10.6.6.6"), "demo-citizen", PASSWORD)
    assert info.value.scope == throttle.ADDRESS
    assert info.value.message.startswith("您所在网络的登录失败次数过多")
    assert 890 <= info.value.retry_after <= 900
    # Other addresses are not affected; the window passing lifts it.
    assert services.sign_in(request_from("10.7.7.7"), "demo-citizen", PASSWORD)
    LoginThrottle.objects.filter(key="a:10.6.6.6").update(
        window_start=timezone.now() - dt.timedelta(seconds=901)
    )
    assert services.sign_in(request_from("10.6.6.6"), "demo-citizen", PASSWORD)


@pytest.mark.django_db
@override_settings(LOGIN_ADDRESS_LIMIT=3)
def test_successes_do_not_count_toward_the_ceiling(demo_region):
    for _ in range(10):  # a busy office signing in all day
        services.sign_in(request_from("10.5.5.5"), "demo-citizen", PASSWORD)
    fail("guess", "10.5.5.5", 2)
    assert services.sign_in(request_from("10.5.5.5"), "demo-citizen2", PASSWORD)


@pytest.mark.django_db
def test_ipv6_counts_by_its_64_prefix(demo_region):
    for i in range(5):
        fail("demo-citizen", f"2001:db8:1:2::{i + 1:x}")
    with pytest.raises(TooManyAttempts):
        services.sign_in(request_from("2001:db8:1:2:ffff::9"), "demo-citizen", PASSWORD)
    assert services.sign_in(request_from("2001:db8:1:3::1"), "demo-citizen", PASSWORD)
    assert throttle.network("::ffff:10.1.2.3") == "10.1.2.3"


@pytest.mark.django_db
def test_trusted_proxy_forwards_the_client_address(demo_region, settings):
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    behind = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.9"
    )
    assert services.client_ip(behind) == "10.9.9.9"
    # Not from the proxy: the header is the client's own words, ignored.
    direct = RequestFactory().post("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert services.client_ip(direct) == "10.1.1.1"


@pytest.mark.django_db
def test_second_factor_lock_refuses_whatever_the_password(demo_region):
    from yiwang.accounts.models import User

    user = User.objects.get(username="demo-clerk")
    services.start_totp_setup(user)
    import pyotp

    device = user.totp_device
    services.confirm_totp(user, pyotp.TOTP(device.secret).now())
    for i in range(5):
        with pytest.raises(services.SecondFactorRequired):
            services.sign_in(request_from(f"10.1.1.{i}"), "demo-clerk", PASSWORD)
        with pytest.raises(Exception) as wrong:
            services.verify_totp(request_from(f"10.1.1.{i}"), user, "000000")
        assert not isinstance(wrong.value, TooManyAttempts)
    for password in (PASSWORD, "wrong"):  # the refusal says nothing about the password
        with pytest.raises(TooManyAttempts) as info:
            services.sign_in(request_from("10.1.1.99"), "demo-clerk", password)
        assert info.value.scope == throttle.SECOND_FACTOR


# --- The page and the API answer it ---------------------------------------------------------------
@pytest.mark.django_db
def test_the_page_answers_429_with_how_long(client, demo_region):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "demo-citizen", "password": "wrong"})
        assert response.status_code == 400
    response = client.post("/accounts/login/", {"username": "demo-citizen", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多，请 1 分钟后再试。" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "demo-citizen", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts; try again in 1 minutes." in response.content.decode()


@pytest.mark.django_db
def test_the_token_endpoint_answers_429_with_retry_after(client, demo_region):
    body = {"username": "demo-citizen", "password": "wrong"}
    for _ in range(5):
        response = client.post("/api/v1/auth/tokens", body, content_type="application/json")
        assert response.status_code == 401
    response = client.post(
        "/api/v1/auth/tokens", body | {"password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    assert 55 <= int(response["Retry-After"]) <= 60
    assert response.json() == {
        "code": "too_many_attempts",
        "message": "登录失败次数过多，请 1 分钟后再试。",
        "fields": {},
    }
    english = client.post(
        "/api/v1/auth/tokens",
        body | {"password": PASSWORD},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 429
    assert english.json()["message"] == "Too many failed sign-in attempts; try again in 1 minutes."
    # From another address the owner gets a token.
    response = client.post(
        "/api/v1/auth/tokens",
        body | {"password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 200

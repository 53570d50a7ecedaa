"""Signing in: passwords, the login log, tokens and the TOTP second factor (the limits on
attempts: test_throttling.py)."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from yiwang.accounts import services, throttle
from yiwang.accounts.models import ApiToken, LoginAttempt, TotpDevice
from yiwang.accounts.throttle import TooManyAttempts

pytestmark = pytest.mark.django_db

PASSWORD = "yiwang-demo"


def request_from(ip: str = "10.0.0.1"):
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)


def test_sign_in_records_every_attempt(demo_region):
    with pytest.raises(services.InvalidCredentials):
        services.sign_in(request_from(), "demo-citizen", "wrong")
    with pytest.raises(services.InvalidCredentials):
        services.sign_in(request_from(), "nobody-here", "wrong")
    user = services.sign_in(request_from("10.0.0.2"), "demo-citizen", PASSWORD)
    assert user.username == "demo-citizen"
    attempts = list(
        LoginAttempt.objects.order_by("at", "pk").values_list("username", "ip_address", "succeeded")
    )
    assert attempts == [
        ("demo-citizen", "10.0.0.1", False),
        ("nobody-here", "10.0.0.1", False),
        ("demo-citizen", "10.0.0.2", True),
    ]


def test_inactive_accounts_cannot_sign_in(demo_region):
    from yiwang.accounts.models import User

    User.objects.filter(username="demo-citizen").update(is_active=False)
    with pytest.raises(services.InvalidCredentials):
        services.sign_in(request_from(), "demo-citizen", PASSWORD)


def test_purge_old_attempts(demo_region):
    throttle.record("a", None, succeeded=False)
    LoginAttempt.objects.create(
        username="b", ip_address=None, succeeded=False, at=timezone.now() - dt.timedelta(days=200)
    )
    assert throttle.purge_older_than(180) == 1
    assert list(LoginAttempt.objects.values_list("username", flat=True)) == ["a"]


# --- Tokens ---------------------------------------------------------------------------------------
def test_tokens_are_stored_hashed_and_expire(demo_region):
    from yiwang.accounts.models import User

    user = User.objects.get(username="demo-citizen")
    token = services.issue_api_token(user)
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == services.hash_token(token) and token not in row.key_hash
    assert services.user_for_token(token) == user
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None
    assert services.user_for_token(token + "x") is None
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.user_for_token(token) is None
    token2 = services.issue_api_token(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert services.user_for_token(token2) is None
    services.revoke_api_token(token2)
    assert ApiToken.objects.filter(user=user).count() == 1


# --- TOTP ----------------------------------------------------------------------------------------
@pytest.fixture
def clerk_with_totp(demo_region):
    from yiwang.accounts.models import User

    user = User.objects.get(username="demo-clerk")
    device = services.start_totp_setup(user)
    assert device.confirmed_at is None
    assert "otpauth://totp/" in services.totp_provisioning_uri(device)
    totp = pyotp.TOTP(device.secret)
    totp.confirmation_code = totp.now()  # remembered: the step may change before it is replayed
    services.confirm_totp(user, totp.confirmation_code)
    device.refresh_from_db()
    assert device.confirmed_at is not None
    return user, totp


def code_for_next_step(totp: pyotp.TOTP) -> str:
    return totp.at(timezone.now() + dt.timedelta(seconds=30))


def test_unconfirmed_device_does_not_ask_for_a_code(demo_region):
    from yiwang.accounts.models import User

    services.start_totp_setup(User.objects.get(username="demo-clerk"))
    assert services.sign_in(request_from(), "demo-clerk", PASSWORD).username == "demo-clerk"


def test_confirming_with_a_wrong_code_fails(demo_region):
    from yiwang.accounts.models import User

    user = User.objects.get(username="demo-clerk")
    services.start_totp_setup(user)
    with pytest.raises(ValidationError) as info:
        services.confirm_totp(
            user, "000000" if pyotp.TOTP(user.totp_device.secret).now() != "000000" else "111111"
        )
    assert "code" in info.value.message_dict
    assert TotpDevice.objects.get(user=user).confirmed_at is None


def test_password_then_code(clerk_with_totp):
    user, totp = clerk_with_totp
    with pytest.raises(services.SecondFactorRequired) as info:
        services.sign_in(request_from(), "demo-clerk", PASSWORD)
    assert info.value.user == user
    # The confirmation code was used: replaying it is refused, a later one is accepted once.
    with pytest.raises(ValidationError):
        services.verify_totp(request_from(), user, totp.confirmation_code)
    later = code_for_next_step(totp)
    services.verify_totp(request_from(), user, later)
    with pytest.raises(ValidationError):
        services.verify_totp(request_from(), user, later)


def test_second_factor_guesses_are_rate_limited(clerk_with_totp):
    """Knowing the password must not allow unlimited guesses of the code."""
    user, totp = clerk_with_totp
    wrong = "123456" if code_for_next_step(totp) != "123456" else "654321"
    for i in range(5):
        with pytest.raises(services.SecondFactorRequired):
            services.sign_in(request_from(f"10.1.1.{i}"), "demo-clerk", PASSWORD)
        with pytest.raises(ValidationError):
            services.verify_totp(request_from(f"10.1.1.{i}"), user, wrong)
    with pytest.raises(TooManyAttempts):
        services.sign_in(request_from("10.1.1.99"), "demo-clerk", PASSWORD)


def test_removing_totp(clerk_with_totp):
    user, _totp = clerk_with_totp
    services.remove_totp(user)
    assert services.sign_in(request_from(), "demo-clerk", PASSWORD) == user

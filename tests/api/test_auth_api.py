"""POST /api/v1/auth/tokens, GET /api/v1/me, the rate limit and the second factor."""

from __future__ import annotations

import datetime as dt
import json

import pyotp
import pytest
from django.utils import timezone

from yiwang.accounts import services
from yiwang.accounts.models import ApiToken, LoginAttempt, User

pytestmark = pytest.mark.usefixtures("demo_region")

PASSWORD = "yiwang-demo"
TOKENS = "/api/v1/auth/tokens"


def token_request(client, username, password=PASSWORD, otp=None, **environ):
    body = {"username": username, "password": password}
    if otp is not None:
        body["otp"] = otp
    return client.post(TOKENS, json.dumps(body), content_type="application/json", **environ)


def me(client, token=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get("/api/v1/me", **headers)


def test_token_then_me(client):
    response = token_request(client, "demo-citizen")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_in"} and len(body["token"]) >= 40
    assert body["expires_in"] == 12 * 3600
    response = me(client, body["token"])
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "demo-citizen" and data["kind"] == "person" and data["name"] == "张三"
    assert data["id_number_masked"].count("*") == 10
    assert data["phone_masked"] == "138****8000"
    assert data["acting_for"] == [{"name": "青山市好味道餐饮有限公司", "uscc": data["acting_for"][0]["uscc"]}]
    assert data["staff"] is None
    person = User.objects.get(username="demo-citizen").person
    assert person.id_number not in response.content.decode()


def test_me_for_staff_and_enterprise(client, api_token):
    data = me(client, api_token("demo-supervisor")).json()
    assert data["kind"] == "staff"
    assert data["staff"]["division_code"] == "159900000000" and data["staff"]["roles"] == ["supervisor"]
    assert data["acting_for"] == []
    data = me(client, api_token("demo-enterprise")).json()
    assert data["kind"] == "enterprise" and data["uscc"] and data["acting_for"] == []


def test_me_with_the_session(client):
    client.login(username="demo-citizen", password=PASSWORD)
    response = me(client)
    assert response.status_code == 200 and response.json()["username"] == "demo-citizen"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer not-a-token"},
        {"HTTP_AUTHORIZATION": "Basic ZGVtbzpkZW1v"},
        {"HTTP_AUTHORIZATION": "Bearer"},
    ],
)
def test_me_without_credentials_is_401(client, headers):
    response = client.get("/api/v1/me", **headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated" and body["fields"] == {}


def test_expired_token_is_401(client, api_token):
    token = api_token("demo-citizen")
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert me(client, token).status_code == 401


def test_deleting_the_current_token(client, api_token):
    token = api_token("demo-citizen")
    response = client.delete("/api/v1/auth/tokens/current", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 204
    assert me(client, token).status_code == 401
    assert client.delete("/api/v1/auth/tokens/current").status_code == 401


def test_wrong_password_is_401(client):
    response = token_request(client, "demo-citizen", "wrong")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials" and body["fields"] == {}
    assert "用户名或密码不正确" in body["message"]
    assert token_request(client, "nobody", "wrong").status_code == 401
    assert LoginAttempt.objects.filter(succeeded=False).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "demo-citizen"}, "password"),
        ({"password": "x"}, "username"),
        ({"username": "u" * 151, "password": "x"}, "username"),
    ],
)
def test_incomplete_token_request_is_422(client, body, field):
    response = client.post(TOKENS, json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and field in response.json()["fields"]


def test_five_failures_then_429_even_with_the_right_password(client):
    for _ in range(5):
        assert token_request(client, "demo-citizen", "wrong").status_code == 401
    response = token_request(client, "demo-citizen")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 900
    body = response.json()
    assert body["code"] == "too_many_attempts" and "分钟" in body["message"]
    # The web sign-in shares the limit.
    assert (
        client.post("/accounts/login/", {"username": "demo-citizen", "password": PASSWORD}).status_code == 429
    )
    # Another account is unaffected.
    assert token_request(client, "demo-citizen2").status_code == 200


def test_429_in_english(client):
    for _ in range(5):
        token_request(client, "demo-citizen", "wrong")
    response = client.post(
        TOKENS,
        json.dumps({"username": "demo-citizen", "password": PASSWORD}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    if any("\u4e00" <= c <= "\u9fff" for c in response.json()["message"]):
        pytest.xfail("translations pending")


# --- Second factor ---------------------------------------------------------------------------
@pytest.fixture
def clerk_totp():
    clerk = User.objects.get(username="demo-clerk")
    device = services.start_totp_setup(clerk)
    totp = pyotp.TOTP(device.secret)
    totp.confirmation_code = totp.now()  # remembered: the step may change before it is replayed
    services.confirm_totp(clerk, totp.confirmation_code)
    return totp


def next_code(totp) -> str:
    return totp.at(timezone.now() + dt.timedelta(seconds=30))


def test_staff_with_totp_needs_otp(client, clerk_totp):
    response = token_request(client, "demo-clerk")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["otp"]
    assert not ApiToken.objects.exists()


def test_staff_with_totp_gets_a_token_with_a_fresh_code_once(client, clerk_totp):
    code = next_code(clerk_totp)
    response = token_request(client, "demo-clerk", otp=code)
    assert response.status_code == 200
    assert me(client, response.json()["token"]).json()["username"] == "demo-clerk"
    replay = token_request(client, "demo-clerk", otp=code)
    assert replay.status_code == 422 and list(replay.json()["fields"]) == ["otp"]
    assert ApiToken.objects.count() == 1


def test_the_confirmation_code_cannot_be_replayed(client, clerk_totp):
    response = token_request(client, "demo-clerk", otp=clerk_totp.confirmation_code)
    assert response.status_code == 422 and "otp" in response.json()["fields"]


@pytest.mark.parametrize("otp", ["abcdef", "1234567", ""])
def test_malformed_otp(client, clerk_totp, otp):
    response = token_request(client, "demo-clerk", otp=otp)
    assert response.status_code == 422 and "otp" in response.json()["fields"]


def test_wrong_password_with_totp_is_still_401(client, clerk_totp):
    assert token_request(client, "demo-clerk", "wrong", otp=next_code(clerk_totp)).status_code == 401


def test_guessing_the_code_is_rate_limited(client, clerk_totp):
    """The right password must not reset the count of wrong codes."""
    good = next_code(clerk_totp)
    wrong = "000000" if good != "000000" else "111111"
    for i in range(5):
        response = token_request(client, "demo-clerk", otp=wrong, REMOTE_ADDR=f"10.2.0.{i}")
        assert response.status_code == 422
    response = token_request(client, "demo-clerk", otp=good, REMOTE_ADDR="10.2.0.99")
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_nul_in_the_username_is_422(client):
    response = token_request(client, "demo-\u0000citizen")
    assert response.status_code == 422 and list(response.json()["fields"]) == ["username"]

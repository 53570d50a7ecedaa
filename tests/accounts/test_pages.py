"""Sign-in, registration, agents and workbench pages: field errors, never a 500."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.utils import timezone

from yiwang.accounts import services
from yiwang.accounts.models import AgentAuthorisation, Person, User
from yiwang.core.identifiers import ric_check_digit, uscc_with_check

pytestmark = pytest.mark.django_db

PASSWORD = "yiwang-demo"


def field_errors(response) -> dict:
    return response.context["form"].errors


# --- Sign-in ------------------------------------------------------------------------------------
def test_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_login_and_redirect_home(client, demo_region):
    response = client.post("/accounts/login/", {"username": "demo-citizen", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.get("/my/").status_code == 200
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": "demo-clerk", "password": PASSWORD})
    assert response["Location"] == "/workbench/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, demo_region, target):
    response = client.post(
        f"/accounts/login/?next={target}", {"username": "demo-citizen", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/my/"


def test_login_follows_a_local_next(client, demo_region):
    response = client.post(
        "/accounts/login/", {"username": "demo-citizen", "password": PASSWORD, "next": "/my/?a=1"}
    )
    assert response["Location"] == "/my/?a=1"


def test_wrong_password_shows_an_error(client, demo_region):
    response = client.post("/accounts/login/", {"username": "demo-citizen", "password": "wrong"})
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": ""},
        {"username": "x" * 151, "password": "p"},
        {"username": "demo-citizen"},
        {"password": "p"},
    ],
)
def test_incomplete_login_shows_field_errors(client, demo_region, data):
    response = client.post("/accounts/login/", data)
    assert response.status_code == 400
    assert field_errors(response)


def test_login_locks_after_five_failures(client, demo_region):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "demo-citizen", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "demo-citizen", "password": PASSWORD})
    assert response.status_code == 429
    assert "分钟后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_totp(client, demo_region):
    clerk = User.objects.get(username="demo-clerk")
    device = services.start_totp_setup(clerk)
    totp = pyotp.TOTP(device.secret)
    used = totp.now()
    services.confirm_totp(clerk, used)
    response = client.post("/accounts/login/", {"username": "demo-clerk", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/totp/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/totp/", {"code": "12a"})
    assert response.status_code == 400 and "code" in field_errors(response)
    response = client.post("/accounts/login/totp/", {"code": used})  # already used to confirm
    assert response.status_code == 400 and "code" in field_errors(response)
    response = client.post(
        "/accounts/login/totp/", {"code": totp.at(timezone.now() + dt.timedelta(seconds=30))}
    )
    assert response.status_code == 302 and response["Location"] == "/workbench/"
    assert client.session["_auth_user_id"] == str(clerk.pk)


def test_totp_page_without_a_pending_sign_in_goes_back_to_login(client):
    assert client.get("/accounts/login/totp/")["Location"] == "/accounts/login/"


# --- Registration -------------------------------------------------------------------------------
def person_form(**overrides) -> dict:
    data = {
        "kind": "person",
        "name": "钱七",
        "id_number": "11010519491231002X",
        "phone": "13811112222",
        "username": "qianqi",
        "password": "Qingshan-2026",
    }
    data.update(overrides)
    return data


def test_register_person_page(client):
    response = client.post("/accounts/register/", person_form())
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert User.objects.get(username="qianqi").person.id_number == "11010519491231002X"
    assert client.session["_auth_user_id"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"id_number": "11010519990230001" + ric_check_digit("11010519990230001")}, "id_number"),
        ({"id_number": "1" * 40}, "id_number"),
        ({"phone": "1381111222x"}, "phone"),
        ({"username": "a b"}, "username"),
        ({"password": "aaaaaaaa"}, "password"),
        ({"name": ""}, "name"),
        ({"name": "名" * 60}, "name"),
    ],
)
def test_register_person_page_shows_field_errors(client, overrides, field):
    response = client.post("/accounts/register/", person_form(**overrides))
    assert response.status_code == 400
    assert field in field_errors(response)
    assert 'class="field-error"' in response.content.decode()
    assert not User.objects.filter(username="qianqi").exists()


@pytest.mark.parametrize("kind", ["person", "enterprise"])
def test_an_empty_registration_shows_required_fields(client, kind):
    response = client.post(f"/accounts/register/?kind={kind}", {})
    assert response.status_code == 400
    assert {"name", "phone", "username", "password"} <= set(field_errors(response))


def test_register_enterprise_page_accepts_a_landline(client):
    data = {
        "kind": "enterprise",
        "name": "青山市好味道餐饮有限公司",
        "uscc": uscc_with_check("91159902MA0Q9999X"),
        "legal_representative": "张三",
        "phone": "0471-1234567",
        "username": "haoweidao",
        "password": "Qingshan-2026",
    }
    response = client.post("/accounts/register/", data)
    assert response.status_code == 302, field_errors(response)
    assert User.objects.get(username="haoweidao").enterprise.phone == "0471-1234567"
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/register/", {**data, "username": "other", "uscc": data["uscc"][:-1] + "0"}
    )
    assert response.status_code == 400 and "uscc" in field_errors(response)


def test_register_get_shows_the_right_form(client):
    assert 'name="uscc"' in client.get("/accounts/register/?kind=enterprise").content.decode()
    assert 'name="id_number"' in client.get("/accounts/register/").content.decode()
    assert client.get("/accounts/register/?kind=<script>").status_code == 200


# --- Agents page ----------------------------------------------------------------------------------
@pytest.fixture
def enterprise_client(client, demo_region):
    client.login(username="demo-enterprise", password=PASSWORD)
    return client


def test_agents_page_lists_and_adds(enterprise_client, id_number):
    response = enterprise_client.get("/accounts/agents/")
    assert response.status_code == 200 and "张三" in response.content.decode()
    number = id_number("19900307", "159902", "457")
    response = enterprise_client.post("/accounts/agents/", {"name": "钱七", "id_number": number})
    assert response.status_code == 302
    assert AgentAuthorisation.objects.filter(agent__id_number=number).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "钱七", "id_number": "110105194912310021"},
        {"name": "李四", "id_number": "__citizen__"},
        {"name": "钱七", "id_number": "11010519491231002X", "valid_until": "2000-01-01"},
        {"name": "钱七", "id_number": "11010519491231002X", "valid_until": "2026-02-30"},
        {"name": "", "id_number": ""},
    ],
)
def test_agents_page_shows_field_errors(enterprise_client, data):
    if data["id_number"] == "__citizen__":
        data = {**data, "id_number": Person.objects.get(user__username="demo-citizen").id_number}
    response = enterprise_client.post("/accounts/agents/", data)
    assert response.status_code == 400
    assert field_errors(response)


@pytest.mark.parametrize("value", ["abc", "999999", "1.5", "99999999999999999999999"])
def test_revoking_a_grant_that_is_not_ours_is_404(enterprise_client, value):
    assert enterprise_client.post("/accounts/agents/", {"revoke": value}).status_code == 404
    assert AgentAuthorisation.objects.filter(revoked_at__isnull=True).count() == 1


def test_revoking_our_grant(enterprise_client):
    grant = AgentAuthorisation.objects.get()
    assert enterprise_client.post("/accounts/agents/", {"revoke": str(grant.pk)}).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_agents_page_is_for_enterprises_only(client, demo_region):
    assert client.get("/accounts/agents/")["Location"].startswith("/accounts/login/")
    client.login(username="demo-citizen", password=PASSWORD)
    assert client.get("/accounts/agents/")["Location"] == "/my/"


# --- Workbench --------------------------------------------------------------------------------
def test_workbench_sends_anonymous_users_to_sign_in(client):
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/workbench/"


@pytest.mark.parametrize("username", ["demo-citizen", "demo-enterprise"])
def test_workbench_is_404_for_applicants(client, demo_region, username):
    client.login(username=username, password=PASSWORD)
    assert client.get("/workbench/").status_code == 404


def test_workbench_shows_the_staff_scope(client, demo_region):
    client.login(username="demo-supervisor", password=PASSWORD)
    response = client.get("/workbench/")
    assert response.status_code == 200
    assert response.context["department_count"] == len(demo_region.departments)
    client.login(username="demo-clerk-chengguan", password=PASSWORD)
    response = client.get("/workbench/")
    assert response.context["department_count"] == 3  # two in 城关区, one in its 东城街道


# --- Second-factor set-up and preferences ------------------------------------------------------------
def test_totp_setup_page(client, demo_region):
    from yiwang.accounts.models import TotpDevice

    client.login(username="demo-clerk", password=PASSWORD)
    assert client.get("/accounts/security/totp/").status_code == 200
    response = client.post("/accounts/security/totp/", {"action": "start"})
    assert response.status_code == 200 and "<svg" in response.content.decode()
    device = TotpDevice.objects.get(user__username="demo-clerk")
    assert client.post("/accounts/security/totp/", {"code": "abcdef"}).status_code == 400
    assert client.post("/accounts/security/totp/", {}).status_code == 400
    response = client.post("/accounts/security/totp/", {"code": pyotp.TOTP(device.secret).now()})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed_at is not None
    client.post("/accounts/security/totp/", {"action": "remove"})
    assert not TotpDevice.objects.filter(user__username="demo-clerk").exists()


def test_totp_setup_is_for_staff(client, demo_region):
    assert client.get("/accounts/security/totp/")["Location"].startswith("/accounts/login/")
    client.login(username="demo-citizen", password=PASSWORD)
    assert client.get("/accounts/security/totp/")["Location"] == "/my/"


def test_elderly_mode(client, demo_region):
    response = client.post(
        "/accounts/preferences/elderly/", {"enabled": "1", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["yiwang_elderly"].value == "1"
    client.login(username="demo-citizen", password=PASSWORD)
    client.post("/accounts/preferences/elderly/", {"enabled": "1"})
    assert User.objects.get(username="demo-citizen").elderly_mode
    client.post("/accounts/preferences/elderly/", {"enabled": "0"})
    assert not User.objects.get(username="demo-citizen").elderly_mode


def test_logout_needs_post(client, demo_region):
    client.login(username="demo-citizen", password=PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session

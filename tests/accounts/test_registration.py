"""Registering persons and enterprises through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from yiwang.accounts import services
from yiwang.accounts.models import AccountKind, Enterprise, Person, RealNameLevel, User
from yiwang.core.identifiers import ric_check_digit, uscc_with_check

pytestmark = pytest.mark.django_db

PASSWORD = "Qingshan-2026"
USCC = uscc_with_check("91159902MA0Q9999X")
IMPOSSIBLE_BIRTH = "11010519990230001" + ric_check_digit("11010519990230001")  # 1999-02-30


def register_person(**overrides):
    fields = {
        "username": "zhangsan",
        "password": PASSWORD,
        "name": "张三",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
    }
    fields.update(overrides)
    return services.register_person(**fields)


def register_enterprise(**overrides):
    fields = {
        "username": "haoweidao",
        "password": PASSWORD,
        "name": "青山市好味道餐饮有限公司",
        "uscc": USCC,
        "phone": "0471-1234567",
        "legal_representative": "张三",
    }
    fields.update(overrides)
    return services.register_enterprise(**fields)


def errors_of(call, **overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(**overrides)
    return info.value.message_dict


def test_register_person():
    user = register_person(id_number="11010519491231002x")
    assert user.kind == AccountKind.PERSON and user.check_password(PASSWORD)
    assert user.real_name_level == RealNameLevel.REGISTERED
    assert user.person.id_number == "11010519491231002X" and user.person.name == "张三"
    assert user.display_name == "张三" and user.is_applicant and not user.is_staff_member
    assert user.person.masked_id_number == "1101**********002X"


def test_register_person_attaches_the_person_registered_at_a_window():
    window_person = services.person_for_window(
        name="张三", id_number="11010519491231002X", phone="13900139000"
    )
    assert window_person.user is None
    assert services.person_for_window(name="张三", id_number="11010519491231002X") == window_person
    user = register_person()
    window_person.refresh_from_db()
    assert window_person.user == user and window_person.phone == "13800138000"
    assert Person.objects.count() == 1


def test_person_for_window_checks_the_number():
    with pytest.raises(ValidationError) as info:
        services.person_for_window(name="张三", id_number="110105194912310021")
    assert "id_number" in info.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"id_number": IMPOSSIBLE_BIRTH}, "id_number", "出生日期"),
        ({"id_number": "1101051949"}, "id_number", "18位"),
        ({"name": "  "}, "name", "姓名"),
        ({"name": "张" * 51}, "name", "50"),
        ({"phone": ""}, "phone", "手机"),
        ({"phone": "0471-1234567"}, "phone", "手机"),
        ({"phone": "1380013800"}, "phone", "手机"),
        ({"username": "ab"}, "username", "3至40位"),
        ({"username": "张三"}, "username", "3至40位"),
        ({"password": "12345678"}, "password", ""),
        ({"password": "short1"}, "password", ""),
        ({"password": "zhangsan1"}, "password", ""),  # too similar to the username
    ],
)
def test_register_person_field_errors(overrides, field, words):
    errors = errors_of(register_person, **overrides)
    assert field in errors
    assert words in errors[field][0]
    assert not User.objects.exists() and not Person.objects.exists()


def test_every_bad_field_is_reported_at_once():
    errors = errors_of(register_person, username="x", password="1", name="", id_number="1", phone="2")
    assert set(errors) >= {"username", "password", "name", "id_number", "phone"}


def test_duplicates_are_refused():
    register_person()
    other = "11010119900307123" + ric_check_digit("11010119900307123")
    errors = errors_of(register_person, username="ZhangSan", id_number=other)
    assert list(errors) == ["username"] and "已被注册" in errors["username"][0]
    errors = errors_of(register_person, username="zhangsan2")
    assert "已注册账户" in errors["id_number"][0]
    # Full-width digits are the same number, not a second person.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002X")
    errors = errors_of(register_person, username="zhangsan3", id_number=full_width)
    assert "id_number" in errors
    assert Person.objects.count() == 1


def test_register_enterprise_with_landline():
    user = register_enterprise(uscc=USCC.lower())
    assert user.kind == AccountKind.ENTERPRISE
    assert user.enterprise.uscc == USCC and user.enterprise.legal_representative == "张三"
    assert user.display_name == "青山市好味道餐饮有限公司"


def test_register_enterprise_attaches_an_existing_enterprise_record():
    Enterprise.objects.create(name="旧名称", uscc=USCC)
    user = register_enterprise()
    assert Enterprise.objects.get().user == user
    assert Enterprise.objects.get().name == "青山市好味道餐饮有限公司"
    errors = errors_of(register_enterprise, username="another")
    assert "已注册账户" in errors["uscc"][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "uscc"),
        ({"uscc": "91159902MA0Q9999"}, "uscc"),
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"name": ""}, "name"),
    ],
)
def test_register_enterprise_field_errors(overrides, field):
    assert field in errors_of(register_enterprise, **overrides)
    assert not User.objects.exists()

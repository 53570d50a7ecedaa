"""Agents acting for enterprises, staff roles and division scope: the access helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from yiwang.accounts import access, services
from yiwang.accounts.models import AgentAuthorisation, Enterprise, Person, StaffRole, User
from yiwang.core.models import Department, Division

pytestmark = pytest.mark.django_db


def user(username: str) -> User:
    # A fresh object each time: access caches roles on the instance.
    return User.objects.get(username=username)


# --- Agents ---------------------------------------------------------------------------------------
def test_demo_citizen_acts_for_the_demo_enterprise(demo_region):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    assert access.enterprises_acted_for(user("demo-citizen")) == [enterprise]
    assert access.can_act_for(user("demo-citizen"), enterprise)
    assert access.enterprises_acted_for(user("demo-enterprise")) == [enterprise]
    assert access.enterprises_acted_for(user("demo-citizen2")) == []
    assert access.enterprises_acted_for(user("demo-clerk")) == []
    from django.contrib.auth.models import AnonymousUser

    assert access.enterprises_acted_for(AnonymousUser()) == []


def test_authorise_a_person_without_an_account_then_they_register(demo_region, id_number):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    number = id_number("19900307", "159902", "457")
    grant = services.authorise_agent(enterprise, id_number=number, name="钱七", note="年报")
    assert grant.agent.user is None and grant.agent.name == "钱七"
    new_user = services.register_person(
        username="qianqi", password="Qingshan-2026", name="钱七", id_number=number, phone="13811112222"
    )
    assert access.enterprises_acted_for(new_user) == [enterprise]


def test_authorising_twice_updates_the_grant(demo_region):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    citizen = Person.objects.get(user__username="demo-citizen")
    until = timezone.localdate() + dt.timedelta(days=30)
    grant = services.authorise_agent(enterprise, id_number=citizen.id_number, name="张三", valid_until=until)
    assert AgentAuthorisation.objects.filter(enterprise=enterprise, agent=citizen).count() == 1
    assert grant.valid_until == until


def test_name_must_match_the_registered_person(demo_region):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    citizen = Person.objects.get(user__username="demo-citizen")
    with pytest.raises(ValidationError) as info:
        services.authorise_agent(enterprise, id_number=citizen.id_number, name="李四")
    assert "姓名" in info.value.message_dict["name"][0]


def test_a_new_agent_needs_a_name_and_a_valid_number(demo_region, id_number):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    with pytest.raises(ValidationError) as info:
        services.authorise_agent(enterprise, id_number=id_number("19900307", "159902", "459"), name=" ")
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.authorise_agent(enterprise, id_number="159902199003074590", name="钱七")
    assert "id_number" in info.value.message_dict
    assert not Person.objects.filter(name__in=["", "钱七"]).exists()


def test_valid_until_in_the_past_is_refused(demo_region, id_number):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    with pytest.raises(ValidationError) as info:
        services.authorise_agent(
            enterprise,
            id_number=id_number("19900307", "159902", "461"),
            name="钱七",
            valid_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "valid_until" in info.value.message_dict
    assert not Person.objects.filter(name="钱七").exists()  # nothing half-saved


def test_revoked_and_expired_grants_no_longer_count(demo_region):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    grant = AgentAuthorisation.objects.get(enterprise=enterprise, agent__user__username="demo-citizen")
    AgentAuthorisation.objects.filter(pk=grant.pk).update(valid_until=timezone.localdate())
    assert access.enterprises_acted_for(user("demo-citizen")) == [enterprise]  # valid through today
    AgentAuthorisation.objects.filter(pk=grant.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert access.enterprises_acted_for(user("demo-citizen")) == []
    AgentAuthorisation.objects.filter(pk=grant.pk).update(valid_until=None)
    assert access.can_act_for(user("demo-citizen"), enterprise)
    services.revoke_agent(grant)
    grant.refresh_from_db()
    revoked_at = grant.revoked_at
    assert revoked_at is not None
    assert access.enterprises_acted_for(user("demo-citizen")) == []
    services.revoke_agent(grant)  # revoking twice keeps the first time
    grant.refresh_from_db()
    assert grant.revoked_at == revoked_at
    # A new authorisation after revocation is a new grant.
    citizen = Person.objects.get(user__username="demo-citizen")
    services.authorise_agent(enterprise, id_number=citizen.id_number, name=citizen.name)
    assert AgentAuthorisation.objects.filter(enterprise=enterprise, agent=citizen).count() == 2
    assert access.can_act_for(user("demo-citizen"), enterprise)


# --- Staff ------------------------------------------------------------------------------------------
def test_staff_roles(demo_region):
    assert access.staff_roles(user("demo-clerk")) == {StaffRole.WINDOW_CLERK}
    assert access.staff_roles(user("demo-reviewer-civil")) == {StaffRole.REVIEWER, StaffRole.APPROVER}
    assert access.has_role(user("demo-admin"), StaffRole.SUPERVISOR)
    assert access.is_platform_admin(user("demo-admin")) and user("demo-admin").is_superuser
    assert not access.is_platform_admin(user("demo-supervisor"))
    assert access.staff_roles(user("demo-citizen")) == frozenset()
    assert not access.has_role(user("demo-citizen"), *StaffRole.values)
    assert user("demo-clerk").is_staff_member and not user("demo-clerk").is_applicant


def test_roles_are_cached_per_user_object(demo_region, django_assert_num_queries):
    clerk = user("demo-clerk")
    access.staff_roles(clerk)
    with django_assert_num_queries(0):
        assert access.has_role(clerk, StaffRole.WINDOW_CLERK)


def in_scope(staff_user: User, department: Department) -> bool:
    prefix = access.staff_division_prefix(staff_user)
    return prefix is not None and department.division.code.startswith(prefix)


def test_city_supervisor_sees_a_county_department_but_a_county_clerk_does_not_see_the_city(demo_region):
    county_dept = demo_region.departments["chengguan_service"]
    other_county_dept = demo_region.departments["beihe_service"]
    city_dept = demo_region.departments["city_market"]
    township_dept = demo_region.departments["dongcheng_service"]
    supervisor, clerk = user("demo-supervisor"), user("demo-clerk-chengguan")
    assert access.staff_division_prefix(supervisor) == "1599"
    assert all(in_scope(supervisor, d) for d in (county_dept, other_county_dept, city_dept, township_dept))
    assert access.staff_division_prefix(clerk) == "159902"
    assert in_scope(clerk, county_dept) and in_scope(clerk, township_dept)
    assert not in_scope(clerk, city_dept)
    assert not in_scope(clerk, other_county_dept)
    assert access.staff_division_prefix(user("demo-citizen")) is None


def test_create_staff_with_a_wider_scope(demo_region):
    city = Division.objects.get(code="159900000000")
    county = Division.objects.get(code="159921000000")
    supervisor = services.create_staff(
        username="beihe-supervisor",
        password="Qingshan-2026",
        name="监察员",
        department=demo_region.departments["beihe_service"],
        roles=[StaffRole.SUPERVISOR, StaffRole.SUPERVISOR],
        division=city,
    )
    assert access.staff_division_prefix(supervisor) == "1599"
    assert access.staff_roles(supervisor) == {StaffRole.SUPERVISOR}
    assert supervisor.real_name_level == 3 and not supervisor.is_superuser
    # A scope that does not contain the department's division is refused.
    with pytest.raises(ValidationError) as info:
        services.create_staff(
            username="bad-scope",
            password="Qingshan-2026",
            name="甲",
            department=demo_region.departments["chengguan_service"],
            roles=[StaffRole.WINDOW_CLERK],
            division=county,
        )
    assert "division" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.create_staff(
            username="no-roles",
            password="Qingshan-2026",
            name="乙",
            department=demo_region.departments["chengguan_service"],
            roles=["janitor"],
        )
    assert "janitor" in info.value.message_dict["roles"][0]
    with pytest.raises(ValidationError) as info:
        services.create_staff(
            username="demo-clerk",
            password="Qingshan-2026",
            name="丙",
            department=demo_region.departments["chengguan_service"],
            roles=[],
            phone="0471-1234567",
        )
    assert set(info.value.message_dict) == {"roles", "username"}  # a landline is fine for staff
    assert not User.objects.filter(username__in=["bad-scope", "no-roles"]).exists()


def test_demo_region_is_idempotent(demo_region):
    from yiwang.demo.region import load_region

    counts = (
        Division.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        Person.objects.count(),
    )
    load_region()
    assert (
        Division.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        Person.objects.count(),
    ) == counts
    assert Division.objects.filter(code__startswith="1599").count() == 22
    assert Department.objects.count() >= 20

"""The workbench home warns supervisors of divisions whose published entries no window clerk
serves: an application made online there would wait for acceptance in nobody's 待办."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import User

pytestmark = pytest.mark.django_db


def warning(client) -> str:
    page = client.get("/workbench/").content.decode()
    if 'id="unattended"' not in page:
        return ""
    return page.split('id="unattended"', 1)[1].split("</section>", 1)[0]


def test_a_division_without_a_window_clerk_is_named_until_one_is_active(as_user, make_published):
    make_published(department="nanyuan_service")
    make_published()  # 青山市's own: its hall has window clerks
    supervisor = as_user("demo-supervisor")
    named = warning(supervisor)
    assert "南原市" in named and "（1 个事项）" in named
    assert "青山市市" not in named and "北河县" not in named  # divisions served, or with no entry
    assert warning(as_user("demo-clerk")) == ""  # for those who watch the whole tree only

    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import StaffRole
    from yiwang.core.models import Department

    clerk = accounts.create_staff(
        username="test-clerk-nanyuan",
        password="x-Test-Password-123",
        name="测试窗口",
        department=Department.objects.get(name="南原市政务服务中心"),
        roles=[StaffRole.WINDOW_CLERK],
        enforce_password_rules=False,
    )
    assert warning(supervisor) == ""
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    assert "南原市" in warning(supervisor)  # a disabled account serves nobody

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

    clerk = new_clerk_in_nanyuan()
    assert warning(supervisor) == ""
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    assert "南原市" in warning(supervisor)  # a disabled account serves nobody


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_kept_warning_follows_the_staff_at_once(as_user, make_published):
    """As a server runs it (no transaction around the request, the count kept per process): a
    new window clerk lifts the warning at once, and disabling the account as the admin site does
    (the whole account saved) brings it back; a sign-in changes nothing and keeps the count."""
    from yiwang.core import generations

    generations.forget_seen()
    make_published(department="nanyuan_service")
    supervisor = as_user("demo-supervisor")
    assert "南原市" in warning(supervisor)
    assert counted(supervisor) == (True, False)  # the kept count
    clerk = new_clerk_in_nanyuan()
    assert counted(supervisor) == (False, True)
    as_user("test-clerk-nanyuan")  # signs in: its last_login only
    assert counted(supervisor) == (False, False)
    clerk.refresh_from_db()
    clerk.is_active = False
    clerk.save()
    assert counted(supervisor) == (True, True)


def new_clerk_in_nanyuan() -> User:
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import StaffRole
    from yiwang.core.models import Department

    return accounts.create_staff(
        username="test-clerk-nanyuan",
        password="x-Test-Password-123",
        name="测试窗口",
        department=Department.objects.get(name="南原市政务服务中心"),
        roles=[StaffRole.WINDOW_CLERK],
        enforce_password_rules=False,
    )


def counted(client) -> tuple[bool, bool]:
    """Whether 南原市 is named, and whether the divisions were counted for it (not kept)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        named = "南原市" in warning(client)
    return named, any(
        "core_division" in q["sql"] and "staffrolegrant" in q["sql"] for q in ctx.captured_queries
    )

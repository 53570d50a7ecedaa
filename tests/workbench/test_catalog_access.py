"""Who sees which catalog page: roles open pages, a foreign entry answers 404."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def entry_urls(entry) -> list[tuple[str, str]]:
    base = f"/workbench/catalog/entries/{entry.pk}"
    return [
        ("get", f"{base}/"),
        ("get", f"{base}/edit/"),
        ("post", f"{base}/edit/"),
        ("post", f"{base}/new-draft/"),
        ("get", f"{base}/form/"),
        ("post", f"{base}/form/preview/"),
        ("get", f"{base}/review/"),
        ("post", f"{base}/status/"),
        ("get", f"{base}/versions/1/"),
        ("get", f"{base}/versions/1/diff/"),
    ]


def test_home_links_by_role(as_user, region):
    page = as_user("demo-itemadmin").get("/workbench/").content.decode()
    assert "/workbench/catalog/claim/" in page and "/workbench/catalog/" in page
    assert "/workbench/catalog/quality/" not in page
    page = as_user("demo-reviewer").get("/workbench/").content.decode()
    assert "/workbench/catalog/reviews/" in page and "/workbench/catalog/claim/" not in page
    page = as_user("demo-supervisor").get("/workbench/").content.decode()
    assert "/workbench/catalog/quality/" in page and "/workbench/catalog/reviews/" not in page
    page = as_user("demo-admin").get("/workbench/").content.decode()
    assert all(u in page for u in ("/workbench/catalog/quality/", "/workbench/catalog/reviews/"))
    page = as_user("demo-clerk").get("/workbench/").content.decode()
    assert "/workbench/catalog/" not in page


@pytest.mark.parametrize("username", ["demo-itemadmin-hrss", "demo-reviewer-civil", "demo-clerk-beihe"])
def test_foreign_entry_answers_404_everywhere(as_user, entry, username):
    client = as_user(username)
    for method, url in entry_urls(entry):
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (username, url, response.status_code)
        if username != "demo-clerk-beihe":
            assert response.status_code == 404, (username, url)


def test_applicant_and_anonymous(client, entry, staff):
    response = client.get("/workbench/catalog/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from yiwang.accounts.models import User

    client.force_login(User.objects.get(username="demo-citizen"))
    for method, url in entry_urls(entry):
        assert getattr(client, method)(url).status_code == 404, url
    for url in (
        "/workbench/catalog/",
        "/workbench/catalog/claim/",
        "/workbench/catalog/reviews/",
        "/workbench/catalog/quality/",
    ):
        assert client.get(url).status_code == 404


def test_roles_without_the_function_get_a_readable_403(as_user, entry):
    clerk = as_user("demo-clerk")
    for url in (
        "/workbench/catalog/",
        "/workbench/catalog/claim/",
        "/workbench/catalog/reviews/",
        "/workbench/catalog/quality/",
    ):
        response = clerk.get(url)
        assert response.status_code == 403
        assert "没有权限" in response.content.decode()
    reviewer = as_user("demo-reviewer")
    assert reviewer.get("/workbench/catalog/claim/").status_code == 403
    response = reviewer.get(f"/workbench/catalog/entries/{entry.pk}/edit/")
    assert response.status_code == 403 and "事项管理员" in response.content.decode()
    itemadmin = as_user("demo-itemadmin")
    assert itemadmin.get("/workbench/catalog/reviews/").status_code == 403
    assert itemadmin.get(f"/workbench/catalog/entries/{entry.pk}/review/").status_code == 403
    assert itemadmin.get("/workbench/catalog/quality/").status_code == 403


def test_supervisor_sees_the_division_tree_read_only(as_user, entry):
    supervisor = as_user("demo-supervisor")
    assert supervisor.get(f"/workbench/catalog/entries/{entry.pk}/").status_code == 200
    assert supervisor.get(f"/workbench/catalog/entries/{entry.pk}/edit/").status_code == 403
    listing = supervisor.get("/workbench/catalog/").content.decode()
    assert entry.code in listing


def test_entry_list_shows_state_versions_and_audit_counts(as_user, entry, bare_entry, staff):
    from yiwang.catalog import services

    services.record_audit(entry.versions.get())
    services.record_audit(bare_entry.versions.get())
    response = as_user("demo-itemadmin").get("/workbench/catalog/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "共 2 个事项" in page
    assert entry.code in page and bare_entry.code in page
    assert "v1（编制中）" in page
    # the bare entry has errors (materials, location, phones ...), counted per entry
    from yiwang.catalog.models import AuditFinding

    bare_errors = AuditFinding.objects.filter(version__entry=bare_entry, severity="error").count()
    assert bare_errors > 0
    assert f'<span class="count-error">{bare_errors}</span>' in page
    # filters
    only_errors = as_user("demo-itemadmin").get("/workbench/catalog/?severity=error").content.decode()
    assert bare_entry.code in only_errors and entry.code not in only_errors
    by_rule = as_user("demo-itemadmin").get("/workbench/catalog/?rule=empty_materials").content.decode()
    assert bare_entry.code in by_rule and entry.code not in by_rule and "申请材料为空" in by_rule
    assert "共 0 个事项" in as_user("demo-itemadmin-hrss").get("/workbench/catalog/").content.decode()

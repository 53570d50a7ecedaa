"""指南质量: defect counts by department and by rule, from each entry's latest version."""

from __future__ import annotations

import pytest

from catalog.guide_samples import make_entry

pytestmark = pytest.mark.django_db


def test_counts_by_department_and_rule(as_user, entry, bare_entry, region, staff):
    from yiwang.catalog import services
    from yiwang.catalog.models import AuditFinding

    hrss = region.departments["city_hrss"]
    other = make_entry(
        hrss, basic_code="152000321000", name="失业保险金申领", user=staff["demo-itemadmin-hrss"]
    )
    for e in (entry, bare_entry, other):
        services.record_audit(e.versions.get())
    # an older version's findings do not count: only the latest version of each entry
    services.submit_version(entry.versions.get(), staff["demo-itemadmin"])
    services.publish_version(entry.versions.get(), staff["demo-reviewer"])
    v2 = services.start_new_draft(entry, staff["demo-itemadmin"])
    services.save_draft(v2, {"location": ""}, staff["demo-itemadmin"])

    client = as_user("demo-supervisor")
    response = client.get("/workbench/catalog/quality/")
    page = response.content.decode()
    assert response.status_code == 200
    latest = [entry.versions.get(number=2).pk, bare_entry.versions.get().pk, other.versions.get().pk]
    errors = AuditFinding.objects.filter(version_id__in=latest, severity="error").count()
    warnings = AuditFinding.objects.filter(version_id__in=latest, severity="warning").count()
    assert f'<dd id="total-errors">{errors}</dd>' in page
    assert f'<dd id="total-warnings">{warnings}</dd>' in page
    assert '<dd id="total-entries">3</dd>' in page and '<dd id="total-with-findings">3</dd>' in page
    assert "青山市市场监督管理局" in page and "青山市人力资源和社会保障局" in page
    assert f"/workbench/catalog/?department={hrss.pk}" in page
    assert "/workbench/catalog/?rule=location_irregular" in page
    market_errors = AuditFinding.objects.filter(version_id__in=latest[:2], severity="error").count()
    row = page.split(f"?department={region.departments['city_market'].pk}")[1].split("</tr>")[0]
    assert f'<span class="count-error">{market_errors}</span>' in row
    # severity filter
    page = client.get("/workbench/catalog/quality/?severity=error").content.decode()
    assert '<dd id="total-warnings">0</dd>' in page and "faq_missing" not in page
    # the links lead to the entries (the supervisor sees the whole city)
    listing = client.get(f"/workbench/catalog/?department={hrss.pk}").content.decode()
    assert other.code in listing and entry.code not in listing
    listing = client.get("/workbench/catalog/?rule=location_irregular").content.decode()
    assert entry.code in listing and bare_entry.code in listing and other.code in listing


def test_only_supervisors_and_admins(as_user, entry):
    assert as_user("demo-admin").get("/workbench/catalog/quality/").status_code == 200
    for username in ("demo-itemadmin", "demo-reviewer", "demo-clerk"):
        assert as_user(username).get("/workbench/catalog/quality/").status_code == 403

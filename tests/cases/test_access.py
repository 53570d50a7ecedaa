"""The access matrix: each role against its own and foreign cases. Foreign answers 404."""

from __future__ import annotations

import pytest

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from yiwang.cases import access, changes, drafts, services

# case key → usernames that may see it (everyone else: not found)
VISIBLE = {
    # Staff of the handling department see its cases whatever their role (the item administrator
    # too, read-only); the city's hall clerk sees every city-level case.
    "citizen_market": {
        "demo-citizen",
        "demo-clerk",
        "demo-reviewer",
        "demo-approver",
        "demo-itemadmin",
        "demo-supervisor",
        "demo-admin",
    },
    "enterprise_market": {
        "demo-citizen",  # the enterprise's authorised agent
        "demo-enterprise",
        "demo-clerk",
        "demo-reviewer",
        "demo-approver",
        "demo-itemadmin",
        "demo-supervisor",
        "demo-admin",
    },
    "citizen2_civil": {"demo-citizen2", "demo-clerk", "demo-reviewer-civil", "demo-supervisor", "demo-admin"},
    "district_window": {"demo-clerk-chengguan", "demo-supervisor", "demo-admin"},
}
USERS = [
    "demo-citizen",
    "demo-citizen2",
    "demo-enterprise",
    "demo-clerk",
    "demo-clerk-chengguan",
    "demo-clerk-beihe",
    "demo-reviewer",
    "demo-approver",
    "demo-reviewer-civil",
    "demo-itemadmin",
    "demo-itemadmin-hrss",
    "demo-supervisor",
    "demo-admin",
]


def apply(user, entry, enterprise=None):
    case = drafts.start_application(user, entry, enterprise=enterprise)
    drafts.save_form(user, case, FORM_DATA)
    for item in drafts.checklist(case):
        drafts.attach_material(user, case, item.material.pk, PDF, "a.pdf")
    return drafts.submit(user, case)


@pytest.fixture
def cases(make_published, users, region, id_number):
    from yiwang.accounts.models import Enterprise

    market = make_published()
    civil = make_published(department="city_civil_affairs")
    district = make_published(department="chengguan_market")
    enterprise = Enterprise.objects.get(user=users["demo-enterprise"])
    clerk = users["demo-clerk-chengguan"]
    window = drafts.start_window_intake(clerk, district, id_number=id_number(seq="991"), name="钱七")
    drafts.save_form(clerk, window, FORM_DATA)
    for item in drafts.checklist(window):
        drafts.attach_material(clerk, window, item.material.pk, PDF, "scan.pdf")
    return {
        "citizen_market": apply(users["demo-citizen"], market),
        "enterprise_market": apply(users["demo-citizen"], market, enterprise=enterprise),
        "citizen2_civil": apply(users["demo-citizen2"], civil),
        "district_window": drafts.submit(clerk, window),
    }


def test_each_role_sees_exactly_its_cases(cases, users):
    for key, case in cases.items():
        for username in USERS:
            seen = access.case_for(users[username], case.number) is not None
            assert seen == (username in VISIBLE[key]), f"{username} on {key}"


def test_foreign_cases_answer_404_through_the_api(cases, api_token, client):
    for key, case in cases.items():
        for username in ("demo-citizen2", "demo-reviewer-civil", "demo-clerk-beihe"):
            if username in VISIBLE[key]:
                continue
            token = api_token(username)
            response = client.get(f"/api/v1/cases/{case.number}", HTTP_AUTHORIZATION=f"Bearer {token}")
            assert response.status_code == 404, (username, key)
            response = client.post(
                f"/api/v1/cases/{case.number}/actions",
                {"action": "accept"},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 404, (username, key)


def test_drafts_are_the_applicants_alone(published, users):
    draft = drafts.start_application(users["demo-citizen"], published)
    for username in USERS:
        seen = access.case_for(users[username], str(draft.draft_key)) is not None
        assert seen == (username == "demo-citizen"), username


def test_supervisors_see_but_cannot_act(cases, users):
    case = cases["citizen_market"]
    assert services.available_actions(users["demo-supervisor"], case) == []
    with pytest.raises(changes.NotYourAction):
        services.act(users["demo-supervisor"], case, "accept")


def test_a_revoked_agent_loses_the_enterprise_cases(cases, users):
    from yiwang.accounts import services as accounts

    for authorisation in users["demo-citizen"].person.agent_authorisations.all():
        accounts.revoke_agent(authorisation)
    assert access.case_for(users["demo-citizen"], cases["enterprise_market"].number) is None
    assert access.case_for(users["demo-citizen"], cases["citizen_market"].number) is not None

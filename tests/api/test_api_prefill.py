"""`POST /api/v1/cases` prefills the form from the applicant's profile exactly as the portal's
draft does: a person's name and ID number, an enterprise's name, credit code and legal
representative, for the enterprise's own account and for an agent applying on its behalf."""

from __future__ import annotations

import pytest

from api.test_cases_api import application
from yiwang.accounts.models import Enterprise
from yiwang.cases.models import Case

pytestmark = pytest.mark.django_db

ENTERPRISE_FORM = {
    "fields": [
        {
            "name": "company",
            "label": "单位名称",
            "type": "text",
            "required": True,
            "prefill": "enterprise_name",
        },
        {"name": "uscc", "label": "统一社会信用代码", "type": "uscc", "required": True, "prefill": "uscc"},
        {
            "name": "legal",
            "label": "法定代表人",
            "type": "text",
            "required": True,
            "prefill": "legal_representative",
        },
        {"name": "shop_name", "label": "店铺名称", "type": "text", "required": True},
    ]
}


def _post(client, token, body):
    return client.post(
        "/api/v1/cases", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.fixture
def enterprise_entry(make_published):
    return make_published(form_schema=ENTERPRISE_FORM)


def test_the_enterprise_account_gets_its_fields_prefilled(client, api_token, enterprise_entry):
    body = application(enterprise_entry, form_data={"shop_name": "好味道"}, submit=True)
    response = _post(client, api_token("demo-enterprise"), body)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    assert case.form_data["company"] == enterprise.name
    assert case.form_data["uscc"] == enterprise.uscc
    assert case.form_data["legal"] == enterprise.legal_representative


def test_an_agent_gets_the_enterprise_they_act_for_prefilled(client, api_token, enterprise_entry):
    enterprise = Enterprise.objects.get(user__username="demo-enterprise")
    body = application(
        enterprise_entry, form_data={"shop_name": "好味道"}, enterprise=enterprise.uscc, submit=True
    )
    response = _post(client, api_token("demo-citizen"), body)  # 张三, the enterprise's agent
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert (case.form_data["company"], case.form_data["uscc"]) == (enterprise.name, enterprise.uscc)


def test_a_value_sent_wins_over_the_profile(client, api_token, enterprise_entry):
    body = application(enterprise_entry, form_data={"shop_name": "好味道", "legal": "李四"}, submit=True)
    response = _post(client, api_token("demo-enterprise"), body)
    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()["number"]).form_data["legal"] == "李四"

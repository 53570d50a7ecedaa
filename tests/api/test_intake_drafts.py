"""Window intake drafts (一窗受理) through the API: a clerk's `POST /cases` with `submit: false`
answers a `draft_key`; the clerks of the hall that took it in reach the draft through every draft
endpoint (read, form, delivery, materials, submit); anyone else gets 404."""

from __future__ import annotations

import base64

import pytest

from catalog.guide_samples import PDF

FORM = {"applicant_name": "赵六", "shop_name": "好味道小吃", "area": 45}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def required_materials(entry):
    from yiwang.catalog.models import EntryVersion

    version = EntryVersion.objects.get(pk=entry.published_id)
    return [m for m in version.materials.all() if m.situation_id is None]


@pytest.fixture
def api(client):
    def call(method: str, path: str, token: str | None = None, body=None, **extra):
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        fn = getattr(client, method)
        if body is None:
            return fn(f"/api/v1{path}", **extra)
        if "multipart" in extra:
            extra.pop("multipart")
            return fn(f"/api/v1{path}", body, **extra)
        return fn(f"/api/v1{path}", body, content_type="application/json", **extra)

    return call


@pytest.fixture
def intake(api, api_token, published, id_number):
    """A clerk's intake draft: (clerk token, draft key) — the form half filled, no materials."""
    clerk = api_token("demo-clerk")
    body = {
        "entry": published.code,
        "applicant": {"name": "赵六", "id_number": id_number(seq="771"), "phone": "13812345678"},
        "form_data": {"shop_name": "好味道小吃"},
        "submit": False,
    }
    response = api("post", "/cases", clerk, body)
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["state"] == "draft" and draft["number"] is None and draft["channel"] == "window"
    return clerk, draft["draft_key"]


def test_the_clerk_takes_an_intake_draft_through_the_whole_api_journey(api, intake, published):
    from yiwang.cases.models import Case

    clerk, key = intake
    # read
    response = api("get", f"/cases/{key}", clerk)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "draft" and response.json()["draft_key"] == key
    # the form
    response = api("put", f"/cases/{key}/form", clerk, {"form_data": FORM})
    assert response.status_code == 200, response.content
    assert response.json()["form_data"]["area"] == 45
    # the delivery choice
    response = api("put", f"/cases/{key}/delivery", clerk, {"method": "pickup"})
    assert response.status_code == 200, response.content
    # the materials (multipart), each readable back
    for material in required_materials(published):
        response = api(
            "post",
            f"/cases/{key}/materials",
            clerk,
            {"file": _upload(f"{material.name}.pdf", PDF), "material": material.pk},
            multipart=True,
        )
        assert response.status_code == 201, response.content
        file = api("get", response.json()["url"].removeprefix("/api/v1"), clerk)
        assert file.status_code == 200 and b"".join(file.streaming_content) == PDF
    # submit
    response = api("post", f"/cases/{key}/actions", clerk, {"action": "submit"})
    assert response.status_code == 200, response.content
    case = response.json()
    assert case["state"] == "submitted" and case["number"].startswith(published.code)
    assert case["channel"] == "window" and case["applicant"] == "赵六"
    stored = Case.objects.get(draft_key=key)
    assert stored.number == case["number"] and stored.state == "submitted"
    # the submitted case is the clerk's to handle, by number
    assert api("get", f"/cases/{case['number']}", clerk).json()["state"] == "submitted"


def test_a_json_intake_with_problems_answers_a_draft_key_the_clerk_can_reach(
    api, api_token, published, id_number
):
    clerk = api_token("demo-clerk")
    body = {
        "entry": published.code,
        "applicant": {"name": "钱七", "id_number": id_number(seq="772")},
        "form_data": {"area": "很多"},  # not a number: the draft is kept, the problem named
        "submit": False,
    }
    response = api("post", "/cases", clerk, body)
    assert response.status_code == 422, response.content
    key = response.json()["draft"]
    draft = api("get", f"/cases/{key}", clerk)
    assert draft.status_code == 200 and draft.json()["state"] == "draft"


def test_another_clerk_of_the_same_hall_may_complete_the_draft(api, api_token, intake, region):
    from yiwang.accounts import services as accounts
    from yiwang.accounts.models import StaffRole

    _clerk, key = intake
    accounts.create_staff(
        username="demo-clerk-colleague",
        password="yiwang-demo",
        name="周同事",
        department=region.departments["city_gov_service"],
        roles=[StaffRole.WINDOW_CLERK],
        window="综合窗口 4号",
        enforce_password_rules=False,
    )
    colleague = api_token("demo-clerk-colleague")
    assert api("get", f"/cases/{key}", colleague).status_code == 200
    response = api("put", f"/cases/{key}/form", colleague, {"form_data": FORM})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "who", ["demo-clerk-chengguan", "demo-clerk-beihe", "demo-reviewer", "demo-citizen2", "demo-enterprise"]
)
def test_anyone_else_gets_404_on_every_draft_endpoint(api, api_token, intake, published, who):
    from yiwang.cases.models import Case

    _clerk, key = intake
    other = api_token(who)
    material = required_materials(published)[0]
    answers = [
        api("get", f"/cases/{key}", other),
        api("put", f"/cases/{key}/form", other, {"form_data": FORM}),
        api("put", f"/cases/{key}/delivery", other, {"method": "pickup"}),
        api(
            "post",
            f"/cases/{key}/materials",
            other,
            {"file": _upload("a.pdf", PDF), "material": material.pk},
            multipart=True,
        ),
        api("post", f"/cases/{key}/actions", other, {"action": "submit"}),
    ]
    assert [r.status_code for r in answers] == [404] * len(answers)
    draft = Case.objects.get(draft_key=key)
    assert draft.state == "draft" and draft.form_data.get("area") is None
    assert not draft.materials.exists()


def test_a_malformed_key_answers_404(api, intake):
    clerk, _key = intake
    assert api("get", "/cases/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", clerk).status_code == 404


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")

"""The cases API: applying with an Idempotency-Key, reading, acting, bad input, access."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.guide_samples import PDF, PNG

FORM = {"applicant_name": "张三", "shop_name": "好味道小吃", "area": 45}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def application(entry, **changes):
    from yiwang.catalog.models import EntryVersion

    version = EntryVersion.objects.get(pk=entry.published_id)
    materials = [m for m in version.materials.all() if m.situation_id is None]
    body = {
        "entry": entry.code,
        "form_data": FORM,
        "materials": [
            {"material": m.pk, "filename": f"{m.name}.pdf", "content_base64": b64(PDF)} for m in materials
        ],
    }
    body.update(changes)
    return body


@pytest.fixture
def api(client):
    def call(method: str, path: str, token: str | None = None, body=None, **headers):
        kwargs = {"content_type": "application/json"} if body is not None else {}
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        fn = getattr(client, method)
        return (
            fn(f"/api/v1{path}", body, **kwargs, **headers)
            if body is not None
            else fn(f"/api/v1{path}", **headers)
        )

    return call


def test_the_same_idempotency_key_answers_the_same_case(api, api_token, published):
    from yiwang.cases.models import Case

    token = api_token("demo-citizen")
    first = api("post", "/cases", token, application(published), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    assert first.json()["state"] == "submitted" and number.startswith(published.code)
    again = api("post", "/cases", token, application(published), HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json()["number"] == number
    # The 201 (written from memory by `direct_json`) and the 200 (read back, validated by
    # django-ninja) are the same answer.
    assert again.json() == first.json()
    # The decision limit with its unit, as snapshotted on the case.
    case = Case.objects.get(number=number)
    assert (first.json()["limit_workdays"], first.json()["limit_unit"]) == (
        case.limit_workdays,
        case.limit_unit,
    )
    assert case.limit_unit == "workday" and case.limit_workdays > 0
    assert Case.objects.filter(entry=published).count() == 1
    other = api("post", "/cases", token, application(published), HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201 and other.json()["number"] != number


def test_missing_fields_and_materials_are_named_and_the_draft_kept(api, api_token, published):
    token = api_token("demo-citizen")
    response = api(
        "post", "/cases", token, application(published, form_data={"shop_name": "好味道"}, materials=[])
    )
    assert response.status_code == 422
    body = response.json()
    assert {"area"} <= set(body["fields"]) and any(k.startswith("material.") for k in body["fields"])
    draft = api("get", f"/cases/{body['draft']}", token).json()
    assert draft["state"] == "draft" and draft["form_data"]["shop_name"] == "好味道"
    assert set(draft["missing"]) == set(body["fields"])


def test_wrong_file_type_is_refused_and_too_large_is_413(api, api_token, published, settings, client):
    token = api_token("demo-citizen")
    bad = application(published, submit=False)
    bad["materials"][0]["content_base64"] = b64(b"MZ\x90\x00 not a document")
    response = api("post", "/cases", token, bad)
    assert response.status_code == 422 and "file" in response.json()["fields"]
    draft_key = response.json()["draft"]
    from yiwang.core import uploads

    big = PDF + b"0" * (uploads.DEFAULT_MAX_BYTES + 1)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/api/v1/cases/{draft_key}/materials",
        {"file": SimpleUploadedFile("big.pdf", big, "application/pdf")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    ok = client.post(
        f"/api/v1/cases/{draft_key}/materials",
        {"file": SimpleUploadedFile("photo.png", PNG, "image/png")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/png"


def test_actions_follow_the_table_and_name_what_is_allowed(api, api_token, published):
    citizen, clerk = api_token("demo-citizen"), api_token("demo-clerk")
    reviewer, approver = api_token("demo-reviewer"), api_token("demo-approver")
    number = api("post", "/cases", citizen, application(published)).json()["number"]
    response = api("post", f"/cases/{number}/actions", approver, {"action": "approve"})
    assert response.status_code == 409 and response.json()["code"] == "illegal_action"
    assert "terminate" in response.json()["allowed"]
    response = api("post", f"/cases/{number}/actions", clerk, {"action": "not_accept", "reason": "不符合"})
    assert response.status_code == 422 and set(response.json()["fields"]) == {"remedy"}
    # The body is a union of the table's actions: an unknown one, or a field an action does not
    # have, is named before anything runs.
    response = api("post", f"/cases/{number}/actions", clerk, {"action": "fly"})
    assert response.status_code == 422 and "action" in response.json()["fields"]
    assert "accept" in response.json()["fields"]["action"][0]
    response = api("post", f"/cases/{number}/actions", clerk, {"action": "accept", "dayz": 3})
    assert response.status_code == 422 and set(response.json()["fields"]) == {"dayz"}
    assert api("post", f"/cases/{number}/actions", clerk, {"action": "accept"}).json()["state"] == "accepted"
    response = api("post", f"/cases/{number}/actions", approver, {"action": "pass_step"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden_action"
    assert (
        api("post", f"/cases/{number}/actions", reviewer, {"action": "pass_step"}).json()["review_step"]
        == "决定"
    )
    response = api(
        "post", f"/cases/{number}/actions", approver, {"action": "extend", "days": 11, "reason": "复杂"}
    )
    assert response.status_code == 422 and "days" in response.json()["fields"]
    extended = api(
        "post", f"/cases/{number}/actions", approver, {"action": "extend", "days": 5, "reason": "复杂"}
    )
    assert extended.json()["extension_workdays"] == 5
    done = api("post", f"/cases/{number}/actions", approver, {"action": "approve"}).json()
    assert done["state"] == "approved" and done["delivery_due"]
    mine = api("get", f"/cases/{number}", citizen).json()
    assert [e["action"] for e in mine["events"]][-1] == "approve"
    assert all("（" in e["actor"] or e["actor"] in ("申请人", "系统") for e in mine["events"])


def test_foreign_and_forged_numbers_answer_404(api, api_token, published):
    number = api("post", "/cases", api_token("demo-citizen"), application(published)).json()["number"]
    other = api_token("demo-citizen2")
    assert api("get", f"/cases/{number}", other).status_code == 404
    assert api("post", f"/cases/{number}/actions", other, {"action": "withdraw"}).status_code == 404
    assert api("get", f"/cases/{number[:-1]}9", api_token("demo-citizen")).status_code == 404
    assert api("get", f"/cases/{number}", api_token("demo-reviewer-civil")).status_code == 404
    assert api("get", f"/cases/{number}", api_token("demo-supervisor")).status_code == 200


def test_lists_show_own_cases_to_applicants_and_the_queue_to_staff(api, api_token, published):
    api("post", "/cases", api_token("demo-citizen"), application(published))
    api(
        "post",
        "/cases",
        api_token("demo-citizen2"),
        application(published, form_data={**FORM, "applicant_name": "李秀英"}),
    )
    mine = api("get", "/cases", api_token("demo-citizen")).json()
    assert mine["count"] == 1 and mine["results"][0]["applicant"] == "张三"
    # Submitted: they wait for acceptance at the window, not at the reviewer's step.
    assert api("get", "/cases?tab=todo", api_token("demo-clerk")).json()["count"] == 2
    assert api("get", "/cases?tab=todo", api_token("demo-reviewer")).json()["count"] == 0
    assert api("get", "/cases?tab=all", api_token("demo-reviewer")).json()["count"] == 2
    assert api("get", "/cases", api_token("demo-reviewer-civil")).json()["count"] == 0


def test_window_intake_through_the_api(api, api_token, published, id_number):
    clerk = api_token("demo-clerk")
    body = application(
        published, applicant={"name": "赵六", "id_number": id_number(seq="771"), "phone": "13812345678"}
    )
    response = api("post", "/cases", clerk, body)
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["channel"] == "window" and case["applicant"] == "赵六"
    bad = api("post", "/cases", clerk, application(published, applicant={"name": "赵六", "id_number": "123"}))
    assert bad.status_code == 422 and "id_number" in bad.json()["fields"]


def test_english_errors(api, api_token, published):
    token = api_token("demo-citizen")
    number = api("post", "/cases", token, application(published)).json()["number"]
    response = api(
        "post", f"/cases/{number}/actions", token, {"action": "approve"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    message = response.json()["message"]
    assert "Approved" in message and not any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_the_guide_in_the_api_names_the_ids_applying_takes(api, api_token, published):
    """An integrator reads the guide and applies with the ids it names (issue 13): no database id
    is learnt from a 422."""
    guide = api("get", f"/items/{published.code}").json()
    listed = [m for m in guide["materials"] if m["situation"] is None]
    assert listed and all(isinstance(m["id"], int) for m in listed)
    body = {
        "entry": guide["code"],
        "form_data": FORM,
        "materials": [
            {"material": m["id"], "filename": f"{m['name']}.pdf", "content_base64": b64(PDF)} for m in listed
        ],
    }
    token = api_token("demo-citizen")
    created = api("post", "/cases", token, body)
    assert created.status_code == 201, created.content


def test_a_schema_that_changes_values_while_validating_cannot_be_written_directly():
    from ninja import Schema
    from pydantic import field_validator

    from yiwang.api import direct_json

    class Resolved(Schema):
        name: str

        @staticmethod
        def resolve_name(obj) -> str:
            return "resolved"

    class Validated(Schema):
        name: str

        @field_validator("name")
        @classmethod
        def upper(cls, value: str) -> str:
            return value.upper()

    class Plain(Schema):
        name: str
        tags: list[str] = []

    for schema in (Resolved, Validated, Plain):
        with pytest.raises(TypeError):
            direct_json.project(schema, {"name": "x"})


_json_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | _json_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_json_text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_plain_rendering_writes_the_values_the_renderer_writes(value):
    """`rendered(plain=True)` (pydantic-core's serializer, for answers of JSON's own types) reads
    back as the same values as the renderer's own encoder writes, with the same content type."""
    import json

    from yiwang.api import direct_json

    plain, usual = direct_json.rendered(value, plain=True), direct_json.rendered(value)
    assert plain["Content-Type"] == usual["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(plain.content) == json.loads(usual.content)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(timezones=st.just(dt.UTC)) | st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.dates(),
)
def test_answer_writes_times_as_the_renderer_does(moment, clock_time, duration, day):
    """`direct_json.answer` (pydantic-core's serializer) writes datetimes, times and durations
    exactly as the renderer's encoder does, in typed fields and deep in free-form dicts."""
    import json
    from typing import Any

    from ninja import Schema

    from yiwang.api import direct_json

    class Timed(Schema):
        at: dt.datetime
        on: dt.date | None
        free: dict[str, Any]

    data = {"at": moment, "on": day, "free": {"a": [moment, {"t": clock_time, "d": duration}], "b": day}}
    direct = direct_json.answer(Timed, data)
    usual = direct_json.rendered(data)  # the renderer's own encoder
    assert json.loads(direct.content) == json.loads(usual.content)

"""一件事一次办 through the API: one application creates one case per selected entry in one
transaction (all or nothing, idempotent), each distinct material uploaded once; the chain starts a
waiting case by itself when its upstream completes, with the upstream licence as its material; an
upstream refusal stops the cases waiting on it and the applicant is told once."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from catalog.guide_samples import PDF
from yiwang.bundles.models import BundleApplication, BundleMember, MemberState
from yiwang.cases import services as case_services
from yiwang.cases import submission
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.rules import State
from yiwang.core.models import StoredFile
from yiwang.notices.models import Notice

ANSWERS = {"seats": 80, "signboard": "yes", "prepacked_only": "no"}
FORM = {
    "shop_name": "张三小吃店",
    "shop_address": "青山市人民路 8 号",
    "area": 60,
    "sign_text": "张三小吃",
    "seats": 80,
}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def materials(client, code: str, answers=ANSWERS) -> list[dict]:
    text = ",".join(f"{k}={v}" for k, v in answers.items())[:2000]
    guide = client.get(f"/api/v1/bundles/{code}", {"answers": text}).json()
    return [
        {"material": m["key"], "filename": f"{m['name']}.pdf", "content_base64": b64(PDF)}
        for m in guide["materials"]
        if m["required"] and not m["from_upstream"]
    ]


def apply(client, token, code="open-restaurant", key="", **body):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    headers.update({k: body.pop(k) for k in list(body) if k.startswith("HTTP_")})
    answers = body.get("answers", ANSWERS)
    listed = materials(client, code, answers) if isinstance(answers, dict) else []
    payload = {"answers": ANSWERS, "form_data": FORM, "materials": listed, **body}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        f"/api/v1/bundles/{code}/applications", payload, content_type="application/json", **headers
    )


@pytest.fixture
def token(api_token, restaurant):
    return api_token("demo-citizen")


def test_the_guide_merges_materials_and_names_the_critical_path(client, restaurant):
    guide = client.get(
        "/api/v1/bundles/open-restaurant", {"answers": "seats=80,signboard=yes,prepacked_only=no"}
    )
    assert guide.status_code == 200
    body = guide.json()
    assert [i["name"] for i in body["items"]] == [
        "个体工商户设立登记",
        "食品经营许可",
        "户外招牌设置审批",
        "公众聚集场所投入使用、营业前消防安全检查",
    ]
    names = [m["name"] for m in body["materials"]]
    # 居民身份证 is one document for registration and the food permit; 营业执照 comes from the chain.
    assert names.count("居民身份证") == 1 and "居民身份证（经营者）" not in names
    licence = next(m for m in body["materials"] if m["licence_type"] == "营业执照")
    assert licence["from_upstream"] == "个体工商户设立登记"
    # Registration (on the spot) then the food permit (5) beside the fire check (10): 10, not 18.
    assert body["promised_workdays"] == 10
    s = body["savings"]
    assert (s["forms_separate"], s["forms_bundle"]) == (4, 1)
    # The 营业执照 is fetched from the licence library either way; 居民身份证 is asked once.
    assert s["materials_separate"] == 6 and s["materials_bundle"] == 5
    assert s["days_separate"] == 18 and s["days_bundle"] == 10


def test_one_application_creates_each_case_and_uploads_each_material_once(client, token, restaurant, users):
    files_before = StoredFile.objects.count()
    response = apply(client, token, key="k-1")
    assert response.status_code == 201, response.content
    body = response.json()
    states = {c["title"]: (c["member_state"], c["number"] != "") for c in body["cases"]}
    assert states == {
        "个体工商户设立登记": ("started", True),
        "食品经营许可": ("waiting", False),
        "户外招牌设置审批": ("waiting", False),
        "公众聚集场所投入使用、营业前消防安全检查": ("started", True),
    }
    application = BundleApplication.objects.get(number=body["number"])
    cases = Case.objects.filter(bundle_member__application=application)
    assert {c.department.name for c in cases} == {"青山市市场监督管理局", "青山市消防救援支队"}
    # Five distinct uploads, one row each, however many cases use them.
    assert StoredFile.objects.count() - files_before == 5
    ids = CaseMaterial.objects.filter(case__in=cases, name__startswith="居民身份证").values_list(
        "file_id", flat=True
    )
    assert len(ids) == 2 and len(set(ids)) == 1
    # The same key answers the same application; nothing new is created.
    again = apply(client, token, key="k-1")
    assert again.status_code == 200 and again.json()["number"] == body["number"]
    assert BundleApplication.objects.count() == 1
    # The waiting drafts are held: the applicant cannot edit them.
    waiting = cases.get(title="食品经营许可")
    assert waiting.state == State.DRAFT and waiting.held_reason.startswith("等待前置事项办结")
    edit = client.put(
        f"/api/v1/cases/{waiting.draft_key}/form",
        {"form_data": {"area": 5}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert edit.status_code in (403, 404, 409)


def test_the_applicant_is_told_once_of_the_submission(client, token, deliver_outbox, users):
    assert apply(client, token).status_code == 201
    deliver_outbox()
    notices = Notice.objects.filter(user=users["demo-citizen"])
    assert notices.filter(key="bundle_submitted").count() == 1
    assert notices.filter(key="case_submitted").count() == 0


def test_nothing_is_created_when_the_fourth_case_fails(client, token, monkeypatch):
    real, calls = submission.write, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("injected after the third case")
        return real(*args, **kwargs)

    monkeypatch.setattr(submission, "write", failing)
    cases, files = Case.objects.count(), StoredFile.objects.count()
    client.raise_request_exception = False
    response = apply(client, token)
    assert response.status_code == 500
    assert len(calls) == 4
    assert Case.objects.count() == cases and StoredFile.objects.count() == files
    assert BundleApplication.objects.count() == 0 and BundleMember.objects.count() == 0


def test_answers_that_select_nothing_and_missing_materials_are_named(client, token, restaurant_entries):
    from yiwang.bundles import services

    bundle = services.start_new_draft  # noqa: F841 (the published bundle is used as is)
    response = apply(
        client, token, answers={"seats": 10, "signboard": "no", "prepacked_only": "no"}, materials=[]
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert any(k.startswith("material.") for k in fields)
    assert "answers.signboard" not in fields
    bad = apply(client, token, answers={"seats": "many", "signboard": "maybe"})
    assert bad.status_code == 422
    assert {"answers.seats", "answers.signboard", "answers.prepacked_only"} <= set(bad.json()["fields"])
    assert BundleApplication.objects.count() == 0


def _walk_registration(users, application):
    register = Case.objects.get(bundle_member__application=application, title="个体工商户设立登记")
    case_services.act(users["demo-clerk"], register, "accept")
    return register


def test_the_food_permit_starts_by_itself_with_the_business_licence(client, token, users, deliver_outbox):
    from yiwang.licences.models import Licence

    number = apply(client, token).json()["number"]
    application = BundleApplication.objects.get(number=number)
    register = Case.objects.get(bundle_member__application=application, title="个体工商户设立登记")
    case_services.act(users["demo-approver"], register, "decide_on_the_spot")
    deliver_outbox()
    licence = Licence.objects.get(case=register)
    assert licence.data["uscc"][:2] == "92" and len(licence.data["uscc"]) == 18
    food = Case.objects.get(bundle_member__application=application, title="食品经营许可")
    assert food.state == State.SUBMITTED and food.number and food.held_reason == ""
    assert food.form_data["uscc"] == licence.data["uscc"]
    provided = food.materials.get(material__name="营业执照")
    assert provided.licence_identifier == licence.identifier
    assert food.events.filter(action="submit", actor_role="system").exists()
    progress = client.get(
        f"/api/v1/bundles/applications/{application.key}", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert {c["title"]: c["member_state"] for c in progress["cases"]}["食品经营许可"] == "started"
    notices = Notice.objects.filter(user=users["demo-citizen"], key="bundle_case_started")
    assert notices.count() == 2  # the food permit and the signboard
    # Delivered again (a worker killed mid-delivery): nothing starts twice.
    from yiwang.bundles import chain

    assert chain.advance(application) == []


def test_a_refusal_upstream_stops_the_waiting_cases_and_tells_once(client, token, users, deliver_outbox):
    number = apply(client, token).json()["number"]
    application = BundleApplication.objects.get(number=number)
    register = Case.objects.get(bundle_member__application=application, title="个体工商户设立登记")
    case_services.act(
        users["demo-clerk"],
        register,
        "not_accept",
        {"reason": "经营范围属于禁止类项目", "remedy": "可自收到决定之日起六十日内申请行政复议。"},
    )
    deliver_outbox()
    members = {
        m.case.title: m for m in BundleMember.objects.filter(application=application).select_related("case")
    }
    assert members["食品经营许可"].state == MemberState.STOPPED
    assert "经营范围属于禁止类项目" in members["食品经营许可"].stop_reason
    assert members["户外招牌设置审批"].state == MemberState.STOPPED
    assert members["公众聚集场所投入使用、营业前消防安全检查"].state == MemberState.STARTED
    assert Notice.objects.filter(user=users["demo-citizen"], key="bundle_stopped").count() == 1


def test_a_foreign_application_answers_404(client, token, api_token, users):
    number = apply(client, token).json()["number"]
    key = BundleApplication.objects.get(number=number).key
    other = api_token("demo-citizen2")
    response = client.get(f"/api/v1/bundles/applications/{key}", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert response.status_code == 404


def test_the_bundle_is_rated_once_when_every_case_is_closed(client, token, users, deliver_outbox):
    only_registration = {"seats": 10, "signboard": "no", "prepacked_only": "yes"}
    body = apply(client, token, answers=only_registration).json()
    assert [c["title"] for c in body["cases"]] == ["个体工商户设立登记"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/bundles/applications/{body['id']}/rating"
    early = client.post(url, {"level": 5}, content_type="application/json", **auth)
    assert early.status_code == 409
    register = Case.objects.get(number=body["cases"][0]["number"])
    case_services.act(users["demo-approver"], register, "decide_on_the_spot")
    deliver_outbox()
    register.refresh_from_db()
    if register.state == State.APPROVED:  # electronic delivery may already have completed it
        case_services.act(users["demo-approver"], register, "complete")
        deliver_outbox()
    progress = client.get(f"/api/v1/bundles/applications/{body['id']}", **auth).json()
    assert progress["state"] == "done" and progress["closed"]
    bad_tag = client.post(url, {"level": 5, "tags": ["态度差"]}, content_type="application/json", **auth)
    assert bad_tag.status_code == 422
    assert (
        client.post(
            url, {"level": 4, "comment": "一次办好"}, content_type="application/json", **auth
        ).status_code
        == 201
    )
    again = client.post(url, {"level": 1}, content_type="application/json", **auth)
    assert again.status_code == 409


def test_a_refusal_completed_before_the_chain_hears_of_it_still_stops(client, token, users):
    """办结 follows a refusal too: the chain must not read a completed case as granted."""
    from yiwang.bundles import chain

    number = apply(client, token).json()["number"]
    application = BundleApplication.objects.get(number=number)
    fire = Case.objects.get(bundle_member__application=application, title__contains="消防")
    register = Case.objects.get(bundle_member__application=application, title="个体工商户设立登记")
    assert fire.state == State.SUBMITTED
    # The registration is reviewed, refused and completed, and no event is delivered in between.
    case_services.act(users["demo-clerk"], register, "accept")
    case_services.act(users["demo-reviewer"], register, "pass_step")
    case_services.act(
        users["demo-approver"], register, "refuse", {"reason": "场所不符合要求", "remedy": "可申请行政复议"}
    )
    case_services.act(users["demo-approver"], register, "complete")
    assert register.state == State.COMPLETED
    chain.advance(application)
    members = {
        m.case.title: m for m in BundleMember.objects.filter(application=application).select_related("case")
    }
    assert members["食品经营许可"].state == MemberState.STOPPED
    assert "场所不符合要求" in members["食品经营许可"].stop_reason
    assert not Case.objects.get(pk=members["食品经营许可"].case_id).number


def restaurant_entries_bundle():
    from yiwang.bundles.models import Bundle

    return Bundle.objects.get(code="open-restaurant")


def test_a_licence_in_the_wallet_is_used_with_one_tick(token, users, restaurant_entries, as_user):
    """三个凡是: a citizen who already holds a 营业执照 and only wants the signboard permit uses it."""
    import re

    from yiwang.licences import issuing
    from yiwang.licences.models import Licence, LicenceType, LicenceUse

    business = LicenceType.objects.get(name="营业执照")
    held = issuing.issue(
        licence_type=business,
        issuer=restaurant_entries["register"].department,
        holder=issuing.person_holder(users["demo-citizen"].person),
        data={"name": "张三小吃店"},
        issued_on=dt.date(2026, 1, 5),
    )
    from bundles.bundle_fixtures import definition
    from yiwang.bundles import services as bundle_services

    doc = definition(restaurant_entries)
    doc["questions"].append({"code": "licensed", "text": "是否已有营业执照？", "kind": "yes_no"})
    doc["members"][0]["when"] = [{"question": "licensed", "equals": "no"}]
    version = bundle_services.start_new_draft(
        BundleApplication._meta.apps.get_model("bundles", "Bundle").objects.get(), users["demo-itemadmin"]
    )
    assert bundle_services.save_draft(version, users["demo-itemadmin"], definition=doc) == []
    bundle_services.submit_version(version, users["demo-itemadmin"])
    bundle_services.publish_version(version, users["demo-admin"])
    citizen = as_user("demo-citizen")
    answers = {"a-seats": "10", "a-signboard": "yes", "a-prepacked_only": "yes", "a-licensed": "yes"}
    page = citizen.get("/bundles/open-restaurant/apply/", answers).content.decode()
    assert f'value="{held.identifier}" checked' in page
    tick = re.search(r'name="(lic-\d+)"', page).group(1)
    files = re.findall(r'name="(m-\d+)"', page)
    from django.core.files.uploadedfile import SimpleUploadedFile

    post = {
        **answers,
        tick: held.identifier,
        "f-shop_name": "张三小吃",
        "f-sign_text": "张三小吃",
        "delivery-method": "electronic",
    }
    post.update({"f-applicant_name": "张三", "f-applicant_phone": "13800138000", "idempotency_key": "w-1"})
    post.update({n: SimpleUploadedFile(f"{n}.pdf", PDF, content_type="application/pdf") for n in files})
    done = citizen.post("/bundles/open-restaurant/apply/", post)
    assert done.status_code == 302, done.content.decode()[:3000]
    sign = Case.objects.get(title="户外招牌设置审批")
    assert sign.state == State.SUBMITTED  # no upstream in this bundle: it starts at once
    used = sign.materials.get(material__name="营业执照")
    held.refresh_from_db()
    assert used.licence_identifier == held.identifier and used.file_id == held.document_id
    assert sign.events.filter(action="use_licence").exists()
    assert LicenceUse.objects.filter(licence=held, case=sign).count() == 1
    assert Licence.objects.count() == 1


def test_the_uscc_category_follows_what_was_registered_not_who_holds_it(client, token, users):
    """A company founded by a person is an enterprise (91…); an individual business is 92…."""
    from yiwang.licences import issuing
    from yiwang.licences.models import LicenceType

    number = apply(client, token).json()["number"]
    cases = {c.title: c for c in Case.objects.filter(bundle_member__application__number=number)}
    business = LicenceType.objects.get(name="营业执照")
    holder = issuing.person_holder(users["demo-citizen"].person)
    department = cases["个体工商户设立登记"].department
    shop = issuing._assigned(business, department, 7, holder, {}, cases["个体工商户设立登记"])
    company = issuing._assigned(business, department, 8, holder, {}, cases["食品经营许可"])
    assert shop["uscc"][:2] == "92" and company["uscc"][:2] == "91"
    assert issuing._assigned(business, department, 9, holder, {})["uscc"][:2] == "92"  # no case: a person's

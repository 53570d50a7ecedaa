"""Licences issued from approved cases through the outbox, verified online, changed in status,
rotated seals and withdrawn seals, new versions: through the services and the public API."""

from __future__ import annotations

import pytest

from case_fixtures import FORM_DATA
from yiwang.cases import services
from yiwang.core import outbox
from yiwang.core.models import OutboxDelivery, OutboxMessage
from yiwang.licences import identifiers, keys, qr_payload, seal, status_list
from yiwang.licences.models import Licence, LicenceEvent, Status


def issued(case) -> Licence:
    return Licence.objects.select_related("licence_type", "issuer", "seal_key").get(case=case, version=1)


def test_approval_issues_a_signed_licence_with_its_pdf(
    submitted, approve, food_type, seal_key, deliver_outbox
):
    case = approve(submitted())
    assert not Licence.objects.filter(case=case).exists()  # nothing inside the approving transaction
    deliver_outbox()
    licence = issued(case)
    parts = identifiers.parse(licence.identifier)
    assert parts.type_code == food_type.code and parts.issuer_code == case.department.uscc
    assert parts.version == 1 and licence.identifier.startswith("1.2.156.3005.2.")
    assert licence.holder_name == "张三" and licence.status == Status.VALID
    assert licence.data["shop_name"] == FORM_DATA["shop_name"] and licence.data["operator"] == "张三"
    assert licence.valid_until.year == licence.valid_from.year + 5
    decoded = qr_payload.decode(licence.payload)
    assert decoded.kid.hex() == seal_key.kid and decoded.claims["id"] == licence.identifier
    assert decoded.claims["hi"].count("*") >= 8  # the QR carries the ID number masked
    assert seal.verify(bytes(seal_key.public_key), decoded.signed_bytes, decoded.signature)
    assert licence.document is not None and licence.document.kind == "pdf"
    assert case.documents.filter(kind="licence").exists()
    assert LicenceEvent.objects.filter(licence=licence, action="issue").count() == 1
    # At least once: a repeated delivery issues nothing more.
    from yiwang.licences.subscribers import on_approval

    on_approval(OutboxMessage.objects.get(topic="case.approve", payload__case=case.pk))
    assert Licence.objects.filter(case=case).count() == 1


def test_without_a_seal_the_licence_waits_and_an_administrator_sees_why(
    submitted, approve, food_type, users, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    assert not Licence.objects.filter(case=case).exists()
    failed = OutboxDelivery.objects.get(subscriber="licences.issue", message__payload__case=case.pk)
    assert "电子印章" in failed.last_error and failed.state != OutboxDelivery.State.DELIVERED
    keys.create_key(case.department, users["demo-admin"])
    outbox.retry([failed.pk])  # as the administrator does from the outbox admin
    deliver_outbox()
    assert issued(case).status == Status.VALID


def test_public_verification_by_identifier_and_payload(
    client, submitted, approve, food_type, seal_key, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    answer = client.get(f"/api/v1/licences/{licence.identifier}/verification").json()
    assert answer["code"] == "valid" and answer["genuine"] and answer["unchanged"]
    assert answer["licence"]["holder"] == "张*" and "*" in answer["licence"]["holder_id"]
    assert "张三" not in str(answer)
    scanned = client.post(
        "/api/v1/licences/verification", {"payload": licence.payload}, content_type="application/json"
    ).json()
    assert scanned["code"] == "valid"
    # A wrong check character, an unknown identifier, garbage: each its own answer, never a 500.
    body = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    assert client.get(f"/api/v1/licences/{body}/verification").json()["code"] == "bad_identifier"
    other = identifiers.make(food_type.code, case.department.uscc, 9999999, 1)
    assert client.get(f"/api/v1/licences/{other}/verification").json()["code"] == "not_found"
    for junk in ["x", "YWL1:%%%", "\u2603" * 50]:
        response = client.post(
            "/api/v1/licences/verification", {"payload": junk}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["code"] == "malformed"


def test_every_verification_answer_is_exactly_the_documented_schema(
    client, submitted, approve, food_type, seal_key, deliver_outbox
):
    # The views write the answer's JSON themselves (no django-ninja response validation): each
    # kind of answer must still be VerificationOut, field for field, in UTF-8 JSON.
    from dataclasses import fields

    from yiwang.api.licences import VerificationOut
    from yiwang.licences.verification import Answer

    assert {f.name for f in fields(Answer)} == set(VerificationOut.model_fields)
    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    other = identifiers.make(food_type.code, case.department.uscc, 9999999, 1)
    responses = {
        "valid": client.get(f"/api/v1/licences/{licence.identifier}/verification"),
        "bad_identifier": client.get(f"/api/v1/licences/{licence.identifier[:-1]}/verification"),
        "not_found": client.get(f"/api/v1/licences/{other}/verification"),
        "malformed": client.post(
            "/api/v1/licences/verification", {"payload": "x"}, content_type="application/json"
        ),
    }
    for code, response in responses.items():
        assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        assert body["code"] == code and set(body) == set(VerificationOut.model_fields)
        assert VerificationOut.model_validate(body).model_dump() == body
        assert "\\u" not in response.content.decode()  # Chinese as UTF-8, not escapes
    invalid = client.post("/api/v1/licences/verification", {"payload": 5}, content_type="application/json")
    assert invalid.status_code == 422  # the request is still validated
    # ... and the field is named: it is `payload`, as is the body parameter that holds it.
    assert set(invalid.json()["fields"]) == {"payload"}


def test_a_verification_is_one_statement_that_reads_no_private_key_or_personal_data(
    client, submitted, approve, food_type, seal_key, deliver_outbox
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    client.get(f"/api/v1/licences/{licence.identifier}/verification")  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/licences/{licence.identifier}/verification").json()["code"] == "valid"
        scanned = client.post(
            "/api/v1/licences/verification", {"payload": licence.payload}, content_type="application/json"
        )
        assert scanned.json()["code"] == "valid"
    reads = [q["sql"] for q in queries.captured_queries if "licences_licence" in q["sql"]]
    assert len(reads) == 2, queries.captured_queries  # one each: no deferred field loaded later
    for sql in reads:
        assert "private_sealed" not in sql and '"data"' not in sql


def test_altered_record_and_forged_signature_are_told_apart(
    client, submitted, approve, food_type, seal_key, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    # A record changed behind the platform's back: the signature no longer matches it.
    face = dict(licence.shown)
    face[next(iter(face))] = "别的店"
    Licence.objects.filter(pk=licence.pk).update(shown=face)
    assert client.get(f"/api/v1/licences/{licence.identifier}/verification").json()["code"] == "altered"
    Licence.objects.filter(pk=licence.pk).update(shown=licence.shown, holder_name="别人")
    assert client.get(f"/api/v1/licences/{licence.identifier}/verification").json()["code"] == "altered"
    Licence.objects.filter(pk=licence.pk).update(holder_name=licence.holder_name)
    assert client.get(f"/api/v1/licences/{licence.identifier}/verification").json()["code"] == "valid"
    # The same claims signed by another key under this key's id: forged.
    decoded = qr_payload.decode(licence.payload)
    forger = seal.generate()
    forged = qr_payload.encode(decoded.claims, decoded.kid, lambda data: seal.sign(forger.private, data))
    answer = client.post(
        "/api/v1/licences/verification", {"payload": forged}, content_type="application/json"
    )
    assert answer.json()["code"] == "bad_signature" and not answer.json()["genuine"]
    unknown = qr_payload.encode(decoded.claims, b"\x00" * 8, lambda data: seal.sign(forger.private, data))
    answer = client.post(
        "/api/v1/licences/verification", {"payload": unknown}, content_type="application/json"
    )
    assert answer.json()["code"] == "unknown_key"


def test_status_changes_show_at_once_in_verification_and_the_status_list(
    client, api_token, submitted, approve, food_type, seal_key, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    url = f"/api/v1/licences/{licence.identifier}"
    approver = {"HTTP_AUTHORIZATION": f"Bearer {api_token('demo-approver')}"}
    reviewer = {"HTTP_AUTHORIZATION": f"Bearer {api_token('demo-reviewer')}"}
    suspend = {"action": "suspend", "reason": "食品安全检查不合格，责令整改"}
    assert (
        client.post(f"{url}/status", suspend, content_type="application/json", **reviewer).status_code == 403
    )
    response = client.post(f"{url}/status", suspend, content_type="application/json", **approver)
    assert response.status_code == 200 and response.json()["status"] == "02"
    answer = client.get(f"{url}/verification").json()
    assert answer["code"] == "suspended" and answer["status_reason"] == suspend["reason"]
    listed = client.get(f"/api/v1/licences/status-lists/{case.department.uscc}").json()
    bits = status_list.decode(listed["encoded_list"])
    assert status_list.get_status(bits, licence.status_index) == status_list.SUSPENDED
    # Restoring is allowed from 暂扣; suspending twice is not.
    again = client.post(f"{url}/status", suspend, content_type="application/json", **approver)
    assert again.status_code == 422
    restore = {"action": "restore", "reason": "整改完成"}
    assert (
        client.post(f"{url}/status", restore, content_type="application/json", **approver).json()["status"]
        == "01"
    )
    revoke = {"action": "revoke", "reason": "以欺骗手段取得许可"}
    client.post(f"{url}/status", revoke, content_type="application/json", **approver)
    assert client.get(f"{url}/verification").json()["code"] == "revoked"
    listed = client.get(f"/api/v1/licences/status-lists/{case.department.uscc}").json()
    assert status_list.get_status(status_list.decode(listed["encoded_list"]), licence.status_index) == 2


def test_rotation_keeps_old_licences_verifiable_and_withdrawal_does_not(
    client, submitted, approve, food_type, seal_key, users, deliver_outbox
):
    first = approve(submitted())
    deliver_outbox()
    old = issued(first)
    rotated = keys.rotate_key(first.department, users["demo-admin"])
    seal_key.refresh_from_db()
    assert seal_key.valid_until is not None and rotated.in_use
    second = approve(submitted())
    deliver_outbox()
    assert issued(second).seal_key_id == rotated.pk
    assert client.get(f"/api/v1/licences/{old.identifier}/verification").json()["code"] == "valid"
    trust = client.get("/api/v1/licences/trust-list").json()
    assert {k["kid"] for k in trust["keys"]} >= {seal_key.kid, rotated.kid}
    assert all("private" not in str(k).lower() or "private_sealed" not in k for k in trust["keys"])
    keys.withdraw_key(seal_key, users["demo-admin"], "密钥介质遗失")
    assert client.get(f"/api/v1/licences/{old.identifier}/verification").json()["code"] == "seal_withdrawn"
    assert client.get(f"/api/v1/licences/{issued(second).identifier}/verification").json()["code"] == "valid"


def test_a_new_version_keeps_the_serial_and_retires_the_old(
    client, api_token, submitted, approve, food_type, seal_key, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    approver = {"HTTP_AUTHORIZATION": f"Bearer {api_token('demo-approver')}"}
    response = client.post(
        f"/api/v1/licences/{licence.identifier}/versions",
        {"data": {"shop_name": "好味道小吃（新店名）"}, "reason": "变更店铺名称"},
        content_type="application/json",
        **approver,
    )
    assert response.status_code == 201, response.content
    fresh = response.json()
    assert fresh["version"] == 2 and fresh["data"]["店铺名称"] == "好味道小吃（新店名）"
    assert identifiers.parse(fresh["identifier"]).serial == licence.serial
    assert client.get(f"/api/v1/licences/{licence.identifier}/verification").json()["code"] == "expired"
    assert client.get(f"/api/v1/licences/{fresh['identifier']}/verification").json()["code"] == "valid"


def test_the_wallet_is_the_holders_and_foreign_licences_answer_404(
    client, api_token, submitted, approve, food_type, seal_key, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    mine = {"HTTP_AUTHORIZATION": f"Bearer {api_token('demo-citizen')}"}
    other = {"HTTP_AUTHORIZATION": f"Bearer {api_token('demo-citizen2')}"}
    wallet = client.get("/api/v1/licences", **mine).json()
    assert wallet["count"] == 1 and wallet["results"][0]["holder_id"].isalnum()  # in full to the holder
    assert client.get("/api/v1/licences", **other).json()["count"] == 0
    for path in ("", "/document", "/uses"):
        assert client.get(f"/api/v1/licences/{licence.identifier}{path}", **other).status_code == 404
    document = client.get(f"/api/v1/licences/{licence.identifier}/document", **mine)
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    uses = client.get(f"/api/v1/licences/{licence.identifier}/uses", **mine).json()
    assert [u["kind"] for u in uses] == ["download"]
    share = client.post(
        f"/api/v1/licences/{licence.identifier}/shares", {"days": 3}, content_type="application/json", **mine
    )
    assert share.status_code == 201 and "/licences/shared/" in share.json()["url"]


def test_expiry_by_date_in_the_worker(submitted, approve, food_type, seal_key, deliver_outbox):
    import datetime as dt

    from yiwang.licences.statuses import expire_due

    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    assert expire_due(licence.valid_until) == 0
    assert expire_due(licence.valid_until + dt.timedelta(days=1)) == 1
    licence.refresh_from_db()
    assert licence.status == Status.EXPIRED and licence.events.filter(action="expire").exists()


@pytest.mark.parametrize("action", ["decide_on_the_spot"])
def test_on_the_spot_approval_issues_too(make_published, submitted, users, action, deliver_outbox):
    from licences.licence_fixtures import FOOD_SCHEMA, licence_type

    entry = make_published(case_kind="instant", promised_limit=0)
    licence_type(
        entry.department, code_suffix="002", name="小餐饮登记证", schema=FOOD_SCHEMA, entries=[entry]
    )
    keys.create_key(entry.department, users["demo-admin"])
    case = submitted(entry=entry)
    services.act(users["demo-clerk"], case, action)
    deliver_outbox()
    assert issued(case).licence_type.name == "小餐饮登记证"


def test_renaming_the_type_or_the_department_leaves_issued_licences_as_they_were(
    client, submitted, approve, food_type, seal_key, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    licence = issued(case)
    food_type.name = "改名后的许可证"
    food_type.save(update_fields=["name"])
    case.department.name = "改名后的部门"
    case.department.save(update_fields=["name"])
    answer = client.get(f"/api/v1/licences/{licence.identifier}/verification").json()
    assert answer["code"] == "valid"
    assert answer["licence"]["type"] == licence.type_name != "改名后的许可证"
    assert answer["licence"]["issuer"] == licence.issuer_name != "改名后的部门"

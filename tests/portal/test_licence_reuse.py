"""三个凡是 on the portal, through the pages: a material that is a licence the platform holds for the
applicant is offered from the wallet, one tick of consent attaches it (shown on the receipt), a
revoked or expired licence is refused with the reason, without one the applicant uploads; the
wallet (我的证照) with its use log and shared links, the case page once a licence is issued, and
public verification that answers every input without a 500."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from licences.licence_fixtures import BUSINESS_SCHEMA, licence_type
from yiwang.cases import drafts
from yiwang.cases.models import Case, CaseMaterial
from yiwang.catalog.models import Material
from yiwang.licences import documents, identifiers, issuing, keys, statuses
from yiwang.licences.models import Licence, LicenceUse, ShareLink, UseKind
from yiwang.portal import receipt_pdf

# --- Fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
def entry(make_published):
    """A published entry whose second material (营业执照) is filled from the licence library."""
    return make_published(shared_licence=True)


@pytest.fixture
def business_type(entry):
    """The business licence type the entry's 营业执照 names (by its code)."""
    lic_type = licence_type(
        entry.department, code_suffix="002", name="营业执照", schema=BUSINESS_SCHEMA, holder_kind="person"
    )
    Material.objects.filter(version=entry.published, licence_type_code="LIC-BUSINESS").update(
        licence_type_code=lic_type.code
    )
    return lic_type


@pytest.fixture
def give_licence(entry, business_type, users):
    """give_licence(user, issued_on=today) → a business licence held by the user's person, signed
    with the market regulator's seal and rendered to its PDF."""

    def give(user, *, issued_on: dt.date | None = None) -> Licence:
        department = entry.department
        if keys.current_key(department) is None:
            keys.create_key(department, users["demo-admin"])
        person = user.person
        licence = issuing.issue(
            licence_type=business_type,
            issuer=department,
            holder=issuing.person_holder(person),
            data={"name": person.name, "kind": "个体工商户", "address": "青山市青山区人民路1号"},
            issued_on=issued_on or timezone.localdate(),
        )
        return documents.attach(licence)

    return give


@pytest.fixture
def citizen(client, users):
    client.force_login(users["demo-citizen"])
    return users["demo-citizen"]


def start(client, entry) -> Case:
    response = client.post(reverse("portal:case-start", args=[entry.code]), {"applicant": "self"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(draft_key=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def fill(client, case) -> None:
    response = client.post(
        reverse("portal:case-save", args=[case.draft_key]),
        {
            "has_form": "1",
            **{f"f-{k}": v for k, v in FORM_DATA.items()},
            "contact_phone": "13800138000",
            "delivery_method": "pickup",
            "do": "save",
        },
    )
    assert response.status_code == 302


def materials(case) -> tuple[Material, Material]:
    form, business = (item.material for item in drafts.checklist(case))
    return form, business


def upload(client, case, material_id, name="file.pdf"):
    return client.post(
        reverse("portal:case-upload", args=[case.number or str(case.draft_key)]),
        {"material": material_id, "file": SimpleUploadedFile(name, PDF)},
    )


def use(client, case, material_id, identifier, *, consent=True):
    data = {"material": material_id, "identifier": identifier}
    if consent:
        data["consent"] = "1"
    return client.post(reverse("portal:case-use-licence", args=[case.number or str(case.draft_key)]), data)


def page(client, case):
    response = client.get(reverse("portal:case", args=[case.number or str(case.draft_key)]))
    assert response.status_code == 200
    return response


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def material_block(response, material_id) -> str:
    """The text of one material's item on the application page."""
    html = response.content.decode()
    block = html.split(f'id="material-{material_id}"', 1)[1].split('class="case-material', 1)[0]
    block = block.split('id="extra-materials"', 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))


# --- The application page ---------------------------------------------------------------------------


def test_consent_fills_the_material_and_the_receipt_names_the_licence(
    client, citizen, entry, give_licence, monkeypatch
):
    licence = give_licence(citizen)
    case = start(client, entry)
    fill(client, case)
    form, business = materials(case)
    response = page(client, case)
    block = material_block(response, business.pk)
    until = licence.valid_until.strftime("%Y-%m-%d")
    assert f"可使用您的电子证照： 营业执照 {licence.number} （有效期至 {until}）" in block
    assert "同意调取并使用该电子证照作为本项材料" in block and "使用电子证照" in block
    html = response.content.decode()
    assert f'action="{reverse("portal:case-use-licence", args=[case.draft_key])}"' in html
    assert f'id="consent-{business.pk}"' in html and "data-upload" in html
    assert "可使用您的电子证照" not in material_block(response, form.pk)

    # Without the tick nothing is used, and the page says why, next to the material.
    refused = use(client, case, business.pk, licence.identifier, consent=False)
    assert refused.status_code == 400 and "请勾选“同意调取并使用该电子证照作为本项材料”" in text(refused)
    html = refused.content.decode()
    assert (
        f'id="consent-{business.pk}-error"' in html
        and f'aria-describedby="consent-{business.pk}-error"' in html
    )
    assert f'id="upload-{business.pk}-error"' not in html  # the error is the consent's, not the upload's
    assert f'href="#material-{business.pk}"' in html.split('id="error-summary"', 1)[1]
    assert not CaseMaterial.objects.filter(case=case).exists()

    used = use(client, case, business.pk, licence.identifier)
    assert used.status_code == 302
    assert used["Location"] == reverse("portal:case", args=[case.draft_key]) + f"#material-{business.pk}"
    item = next(i for i in drafts.checklist(case) if i.material == business)
    assert item.provided and item.files[0].licence_identifier == licence.identifier
    assert item.files[0].file_id == licence.document_id
    after = page(client, case)
    assert f"已使用电子证照“营业执照 {licence.number}”作为材料：营业执照" in text(after)
    block = material_block(after, business.pk)
    assert f"电子证照 {licence.number}" in block and "已使用电子证照" in block and "经您同意调取" in block
    assert "同意调取并使用该电子证照作为本项材料" not in block and "未上传" not in block
    received = item.files[0]
    assert reverse("portal:case-remove-file", args=[case.draft_key, received.pk]) in after.content.decode()
    file = client.get(reverse("portal:case-file", args=[case.draft_key, received.pk]))
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"%PDF")
    use_log = LicenceUse.objects.get(licence=licence, case=case)
    assert use_log.kind == UseKind.MATERIAL and use_log.by == citizen

    # Only the application form is uploaded; the licence counts as provided.
    assert upload(client, case, form.pk, "申请书.pdf").status_code == 302
    review = text(page(client, case)).split("核对并提交", 1)[1]
    assert f"营业执照：使用电子证照 {licence.number}（已经您同意调取）" in review
    submitted = client.post(reverse("portal:case-save", args=[case.draft_key]), {"do": "submit"})
    assert submitted.status_code == 302, text(submitted)[:2000]
    case.refresh_from_db()
    assert case.state == "submitted"
    assert CaseMaterial.objects.filter(case=case, material=business).count() == 1

    expected = f"使用电子证照：营业执照 ← 营业执照（{licence.number}），已经申请人同意调取"
    receipt = client.get(reverse("portal:case-receipt", args=[case.number]))
    assert receipt.status_code == 200 and expected in text(receipt)
    assert f"营业执照（电子证照 {licence.number}）" in text(receipt)
    rendered: list[str] = []
    original = receipt_pdf.render_html

    def spy(context):
        rendered.append(original(context))
        return rendered[-1]

    monkeypatch.setattr(receipt_pdf, "render_html", spy)
    pdf = client.get(reverse("portal:case-receipt-pdf", args=[case.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert expected in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rendered[0]))

    # The case page lists it as the licence, and the holder's use log names the case.
    case_page = text(page(client, case))
    assert f"营业执照： 电子证照 {licence.number}" in case_page
    detail = client.get(reverse("portal:licence", args=[licence.identifier]))
    assert detail.status_code == 200
    uses = detail.content.decode().split('id="uses-h"', 1)[1]
    assert case.number in uses and "作为申请材料" in uses
    assert reverse("portal:case", args=[case.number]) in uses


def test_a_licence_used_can_be_removed_like_an_upload(client, citizen, entry, give_licence):
    licence = give_licence(citizen)
    case = start(client, entry)
    _form, business = materials(case)
    assert use(client, case, business.pk, licence.identifier).status_code == 302
    received = CaseMaterial.objects.get(case=case, material=business)
    response = client.post(reverse("portal:case-remove-file", args=[case.draft_key, received.pk]))
    assert response.status_code == 302
    assert not CaseMaterial.objects.filter(case=case).exists()
    assert "同意调取并使用该电子证照作为本项材料" in material_block(page(client, case), business.pk)
    # A second consent replaces the first rather than adding another copy.
    assert use(client, case, business.pk, licence.identifier).status_code == 302
    assert use(client, case, business.pk, licence.identifier).status_code == 302
    assert CaseMaterial.objects.filter(case=case, material=business).count() == 1


def test_a_revoked_or_expired_licence_is_not_offered_and_the_page_says_why(
    client, citizen, entry, give_licence, users
):
    licence = give_licence(citizen)
    case = start(client, entry)
    _form, business = materials(case)
    statuses.change(licence, "revoke", "以欺骗手段取得", users["demo-approver"])
    block = material_block(page(client, case), business.pk)
    assert f"您的营业执照（{licence.number}）当前状态为“撤销”，不能使用" in block
    assert "同意调取并使用该电子证照作为本项材料" not in block
    assert f'id="upload-{business.pk}"' in page(client, case).content.decode()  # upload instead
    response = use(client, case, business.pk, licence.identifier)
    assert response.status_code == 400 and "当前状态为“撤销”，不能作为申请材料" in text(response)
    assert not CaseMaterial.objects.filter(case=case).exists()
    assert not LicenceUse.objects.filter(case=case).exists()
    assert upload(client, case, business.pk, "营业执照.pdf").status_code == 302

    # A licence past its date is refused the same way (5 years' validity, issued 6 years ago).
    old = give_licence(users["demo-citizen"], issued_on=timezone.localdate() - dt.timedelta(days=6 * 366))
    assert old.valid_until < timezone.localdate()
    response = use(client, case, business.pk, old.identifier)
    assert response.status_code == 400 and "当前状态为“失效”" in text(response)


def test_a_licence_revoked_after_it_was_used_is_flagged_on_the_page(
    client, citizen, entry, give_licence, users
):
    licence = give_licence(citizen)
    case = start(client, entry)
    _form, business = materials(case)
    assert use(client, case, business.pk, licence.identifier).status_code == 302
    statuses.change(licence, "suspend", "整改期间暂扣", users["demo-approver"])
    block = material_block(page(client, case), business.pk)
    assert "这张证照当前状态为“暂扣”，不能作为申请材料。请删除后上传其他证明材料。" in block


def test_without_a_licence_the_applicant_is_told_and_uploads(client, users, entry, business_type):
    client.force_login(users["demo-citizen2"])
    case = start(client, entry)
    _form, business = materials(case)
    response = page(client, case)
    block = material_block(response, business.pk)
    assert "未在电子证照库中找到申请人名下的营业执照。无需提交，工作人员将向发证机关核实" in block
    assert "无需提交：工作人员调取电子证照" in block and "未上传" not in block
    assert "同意调取" not in block
    # The summary before submitting says the same.
    assert "营业执照：无需提交：工作人员调取电子证照" in text(response)
    assert upload(client, case, business.pk, "营业执照.pdf").status_code == 302
    item = next(i for i in drafts.checklist(case) if i.material == business)
    assert item.provided and not item.files[0].licence_identifier
    assert "已上传 1 个文件" in material_block(page(client, case), business.pk)


def test_nobody_uses_another_holders_licence(client, users, entry, give_licence):
    theirs = give_licence(users["demo-citizen"])
    client.force_login(users["demo-citizen2"])
    case = start(client, entry)
    _form, business = materials(case)
    response = use(client, case, business.pk, theirs.identifier)
    assert response.status_code == 400 and "未找到申请人名下的这张电子证照" in text(response)
    for junk in ("", "x" * 5000, "1.2.156.3005.2.", "证照"):
        response = use(client, case, business.pk, junk)
        assert response.status_code == 400 and "未找到申请人名下的这张电子证照" in text(response)
    response = use(client, case, business.pk, theirs.identifier + "\x00")  # the request guard's answer
    assert response.status_code == 400 and "无法保存的字符" in text(response)
    response = use(client, case, 999999, theirs.identifier)
    assert response.status_code == 400 and "该材料不能用电子证照提供" in text(response)
    for bad in ("abc", "", "1" * 40, "²", "-1"):
        assert use(client, case, bad, theirs.identifier).status_code == 404
    assert not CaseMaterial.objects.filter(case=case).exists()
    assert not LicenceUse.objects.exists()
    # Someone else's draft answers 404, whatever the licence.
    other = Client()
    other.force_login(users["demo-citizen"])
    assert use(other, case, business.pk, theirs.identifier).status_code == 404
    assert not CaseMaterial.objects.filter(case=case).exists()
    # Staff have the workbench: the applicant's consent is not theirs to give.
    staff = Client()
    staff.force_login(users["demo-clerk"])
    assert use(staff, case, business.pk, theirs.identifier).status_code == 404


def test_a_submitted_case_takes_no_licence(client, citizen, entry, give_licence):
    licence = give_licence(citizen)
    case = start(client, entry)
    fill(client, case)
    form, business = materials(case)
    assert upload(client, case, form.pk).status_code == 302
    assert upload(client, case, business.pk).status_code == 302
    assert (
        client.post(reverse("portal:case-save", args=[case.draft_key]), {"do": "submit"}).status_code == 302
    )
    case.refresh_from_db()
    response = use(client, case, business.pk, licence.identifier)
    assert response.status_code == 302 and response["Location"] == reverse("portal:case", args=[case.number])
    assert not CaseMaterial.objects.filter(case=case).exclude(licence_identifier="").exists()
    assert "办件已提交" in text(client.get(response["Location"]))


# --- The wallet, the case page, 我的空间 ------------------------------------------------------------


def test_the_wallet_lists_the_licence_and_my_space_counts_it(client, citizen, give_licence, users):
    licence = give_licence(citizen)
    wallet = client.get(reverse("portal:licences"))
    assert wallet.status_code == 200
    assert licence.number in text(wallet) and "营业执照" in text(wallet)
    assert reverse("portal:licence", args=[licence.identifier]) in wallet.content.decode()
    detail = client.get(reverse("portal:licence", args=[licence.identifier]))
    assert detail.status_code == 200 and "还没有使用记录" in text(detail)
    pdf = client.get(reverse("portal:licence-pdf", args=[licence.identifier]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    space = client.get(reverse("portal:my-space"))
    assert reverse("portal:licences") in space.content.decode()
    assert "本人 1 张" in text(space) and space.content.decode().count('id="licence-count"') == 1
    assert "<title>我的空间 ·" in space.content.decode()
    # Navigation: the wallet for a signed-in applicant, verification for everyone.
    assert f'href="{reverse("portal:licences")}"' in space.content.decode()
    anonymous = Client().get(reverse("portal:home"))
    assert f'href="{reverse("portal:licence-verify")}"' in anonymous.content.decode()
    assert f'href="{reverse("portal:licences")}"' not in anonymous.content.decode()
    # Another applicant sees none of it.
    other = Client()
    other.force_login(users["demo-citizen2"])
    assert licence.number not in text(other.get(reverse("portal:licences")))
    assert other.get(reverse("portal:licence", args=[licence.identifier])).status_code == 404
    assert other.get(reverse("portal:licence-pdf", args=[licence.identifier])).status_code == 404
    assert "本人 0 张" in text(other.get(reverse("portal:my-space")))


def test_the_case_page_shows_the_licence_issued_on_approval(
    client, citizen, submitted, approve, food_type, seal_key, deliver_outbox, users
):
    case = approve(submitted())
    assert "电子证照已签发" not in text(page(client, case))
    deliver_outbox()
    licence = Licence.objects.get(case=case)
    response = page(client, case)
    body = text(response)
    assert f"电子证照已签发：食品经营许可证 {licence.number}" in body
    html = response.content.decode()
    assert reverse("portal:licence", args=[licence.identifier]) in html
    assert reverse("portal:licence-pdf", args=[licence.identifier]) in html
    assert client.get(reverse("portal:licence", args=[licence.identifier])).status_code == 200
    assert "本人 1 张" in text(client.get(reverse("portal:my-space")))


# --- Sharing and verification ---------------------------------------------------------------------


def test_a_shared_link_opens_the_licence_until_it_expires(client, citizen, give_licence):
    licence = give_licence(citizen)
    response = client.post(reverse("portal:licence-share", args=[licence.identifier]), {"days": "7"})
    assert response.status_code == 302
    detail = client.get(reverse("portal:licence", args=[licence.identifier])).content.decode()
    path = urlsplit(re.search(r'value="([^"]+/licences/shared/[^"/]+/)"', detail).group(1)).path
    visitor = Client()
    opened = visitor.get(path)
    assert opened.status_code == 200
    assert "真实有效" in text(opened) and licence.number in text(opened)
    assert citizen.person.name not in text(opened)  # the holder masked for a verifier
    assert LicenceUse.objects.filter(licence=licence, kind=UseKind.SHARED_VIEW).count() == 1
    # Only once: a reload of the wallet page no longer shows the link.
    assert path not in client.get(reverse("portal:licence", args=[licence.identifier])).content.decode()
    ShareLink.objects.filter(licence=licence).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    gone = visitor.get(path)
    assert gone.status_code == 404 and "分享链接已失效" in text(gone)
    for token in ("nonsense", "x" * 200, "%00"):
        assert visitor.get(f"/licences/shared/{token}/").status_code == 404
    # Bad days: refused with the reason, no link made.
    response = client.post(
        reverse("portal:licence-share", args=[licence.identifier]), {"days": "999"}, follow=True
    )
    assert "分享有效期应为 1 至 30 天" in text(response)
    assert ShareLink.objects.filter(licence=licence).count() == 1


def test_a_stopped_link_answers_404(client, citizen, give_licence):
    licence = give_licence(citizen)
    client.post(reverse("portal:licence-share", args=[licence.identifier]), {"days": "1"})
    detail = client.get(reverse("portal:licence", args=[licence.identifier])).content.decode()
    path = urlsplit(re.search(r'value="([^"]+/licences/shared/[^"/]+/)"', detail).group(1)).path
    link = ShareLink.objects.get(licence=licence)
    assert (
        client.post(reverse("portal:licence-unshare", args=[licence.identifier, link.pk])).status_code == 302
    )
    assert Client().get(path).status_code == 404


def test_verification_answers_every_input_with_its_message(client, give_licence, users):
    licence = give_licence(users["demo-citizen"])
    url = reverse("portal:licence-verify")
    anonymous = Client()
    blank = anonymous.get(url)
    assert blank.status_code == 200 and "二维码内容或证照标识" in text(blank)
    by_id = anonymous.get(url, {"id": licence.identifier})
    assert by_id.status_code == 200 and "真实有效" in text(by_id) and "verdict-ok" in by_id.content.decode()
    scanned = anonymous.post(url, {"payload": licence.payload})
    assert scanned.status_code == 200 and "证照真实有效" in text(scanned) and licence.number in text(scanned)
    typed = anonymous.post(url, {"payload": licence.identifier})
    assert typed.status_code == 200 and "真实有效" in text(typed)
    wrong = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    bad = anonymous.get(url, {"id": wrong})
    assert bad.status_code == 200 and "证照标识不正确" in text(bad) and "verdict-bad" in bad.content.decode()
    unknown = identifiers.make(licence.licence_type.code, licence.issuer_code, 9999999, 1)
    assert "本平台没有签发过该证照" in text(anonymous.get(url, {"id": unknown}))
    malformed = anonymous.post(url, {"payload": "YWL1:%%%"})
    assert malformed.status_code == 200 and "无法识别二维码内容" in text(malformed)
    statuses.change(licence, "revoke", "以欺骗手段取得", users["demo-approver"])
    revoked = anonymous.get(url, {"id": licence.identifier})
    assert "证照真实，但不能使用" in text(revoked) and "以欺骗手段取得" in text(revoked)


@pytest.mark.parametrize(
    "body",
    [
        b"payload=%00",
        b"payload=YWL1%3A%00%00",
        b"payload=1.2.156.3005.2.%00",
        b"payload=" + b"A" * 200_000,
        b"payload=%ED%A0%80",  # a lone surrogate, percent-encoded
        b"payload=\xed\xa0\x80\xff\xfe",  # and as raw bytes that are not UTF-8
        b"payload=YWL1:\xed\xb0\x80",
        b"payload=%F0%9F%98%80" * 3000,
        b"\x00\x01=\x02",
        b"payload=%",
    ],
)
def test_verification_never_fails_on_junk(db, body):
    """Junk gets the page with its answer; a NUL is refused by the request guard with its reason."""
    response = Client().post(
        reverse("portal:licence-verify"), data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert b"%00" in body or b"\x00" in body
        assert "提交的内容含有无法保存的字符" in text(response)
    else:
        assert "电子证照核验" in text(response)


@pytest.mark.parametrize(
    "query", ["id=%00", "id=" + "9" * 5000, "id=%ED%A0%80", "id=1.2.156.3005.2.%00", "id=x&id=y"]
)
def test_verification_by_identifier_never_fails_on_junk(db, query):
    response = Client().get(reverse("portal:licence-verify") + "?" + query)
    assert response.status_code == (400 if "%00" in query else 200)
    if "%00" not in query:
        assert "证照标识不正确" in text(response)

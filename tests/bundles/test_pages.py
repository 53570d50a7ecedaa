"""一件事 in the portal: the one guide (filtered by the answers, printable, PDF), found by everyday
words, the two-step application through the pages, and the applicant's one view."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.guide_samples import PDF
from yiwang.bundles.models import BundleApplication

ANSWERS = {"a-seats": "80", "a-signboard": "no", "a-prepacked_only": "no"}


def test_the_guide_lists_everything_once_and_filters_by_the_answers(client, restaurant):
    page = client.get("/bundles/open-restaurant/").content.decode()
    assert "户外招牌设置审批" in page and "公众聚集场所投入使用、营业前消防安全检查" in page
    assert "由“个体工商户设立登记”核发后自动调用" in page
    fitted = client.get(
        "/bundles/open-restaurant/", {"a-seats": "20", "a-signboard": "no", "a-prepacked_only": "no"}
    )
    text = fitted.content.decode()
    assert "户外招牌设置审批" not in text and "消防安全检查" not in text and "食品经营许可" in text
    pdf = client.get("/bundles/open-restaurant/guide.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_everyday_words_find_the_bundle_first(client, restaurant):
    page = client.get("/items/", {"q": "开饭店"}).content.decode()
    assert 'class="result-list"' in page  # the single services are listed too, after the bundle
    assert page.index("/bundles/open-restaurant/") < page.index('class="result-list"')


def test_a_citizen_applies_once_through_the_pages(as_user, restaurant):
    client = as_user("demo-citizen")
    first = client.get("/bundles/open-restaurant/apply/", ANSWERS)
    assert first.status_code == 200
    text = first.content.decode()
    assert "第 2 步" in text and "户外招牌设置审批" not in text
    files = re.findall(r'name="(m-\d+)"', text)
    assert files  # one input per distinct material the applicant provides
    post = {
        **ANSWERS,
        "f-shop_name": "张三小吃店",
        "f-shop_address": "人民路 8 号",
        "f-area": "60",
        "f-seats": "80",
    }
    post.update(
        {"f-applicant_name": "张三", "f-applicant_phone": "13800138000", "delivery-method": "electronic"}
    )
    post["idempotency_key"] = "page-1"
    missing = client.post("/bundles/open-restaurant/apply/", post)
    assert missing.status_code == 422 and "请上传材料" in missing.content.decode()
    for name in files:
        post[name] = SimpleUploadedFile(f"{name}.pdf", PDF, content_type="application/pdf")
    done = client.post("/bundles/open-restaurant/apply/", post)
    assert done.status_code == 302, done.content.decode()[:2000]
    application = BundleApplication.objects.get()
    assert done["Location"] == f"/my/bundles/{application.key}/"
    view = client.get(done["Location"]).content.decode()
    assert "个体工商户设立登记" in view and "等待前置事项办结" in view
    assert as_user("demo-citizen2").get(done["Location"]).status_code == 404


def test_everyday_questions_find_the_bundle_through_the_api(client, restaurant):
    for q in ("开饭店", "我想开一家饭店", "开餐馆要办什么手续"):
        found = client.get("/api/v1/bundles", {"q": q}).json()
        assert [b["code"] for b in found] == ["open-restaurant"], q
    assert client.get("/api/v1/bundles", {"q": "我要怎么办理"}).json() == []

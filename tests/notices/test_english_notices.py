"""Messages in the reader's language (issue 13): an account that uses the English pages gets its
notices, e-mails and SMS in English, the item by its English name, counts inflected."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.core.models import OutboxMessage
from yiwang.notices import services
from yiwang.notices.models import MessageTemplate, Notice, SmsMessage
from yiwang.notices.templates_default import DEFAULTS, ENGLISH

pytestmark = pytest.mark.django_db


def placeholders(text: str) -> set[str]:
    import string

    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_message_has_english_texts_with_the_same_placeholders(db):
    assert set(ENGLISH) == set(DEFAULTS)
    for key, chinese in DEFAULTS.items():
        english = ENGLISH[key]
        for part in ("title", "body", "sms"):
            # English may leave out words given only in Chinese, and says counts its own way.
            extra = placeholders(english[part]) - placeholders(chinese[part]) - {"days_text"}
            assert not extra, (key, part, extra)
            assert bool(english[part]) == bool(chinese[part]), (key, part)  # SMS or none, alike
    # and the editable rows have them (the migration fills them in)
    row = MessageTemplate.objects.get(key="case_accepted")
    assert row.title_en == ENGLISH["case_accepted"]["title"]


def test_the_account_remembers_the_language_of_its_pages(users):
    citizen = users["demo-citizen"]
    assert citizen.language == "zh-hans"
    client = Client()
    client.force_login(citizen)
    client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    citizen.refresh_from_db()
    assert citizen.language == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    client.get("/")
    citizen.refresh_from_db()
    assert citizen.language == "zh-hans"


def test_an_english_reader_is_told_in_english(users, region):
    citizen = users["demo-citizen"]
    citizen.language, citizen.email, citizen.phone = "en", "zhangsan@example.cn", "13800000000"
    citizen.save(update_fields=["language", "email", "phone"])
    services.notify(citizen, "case_accepted", {"number": "N1", "title": "Food licence", "due": "2026-12-01"})
    notice = Notice.objects.get(user=citizen)
    assert notice.title == "Accepted: Food licence"
    assert (
        notice.body
        == "Your application “Food licence” (N1) has been accepted. It will be decided by 2026-12-01."
    )
    mail_message = OutboxMessage.objects.get(topic="mail.send")  # sent by the mail subscriber
    assert mail_message.payload["subject"] == "Accepted: Food licence"
    assert (
        SmsMessage.objects.get().text
        == "[Yiwang] Case N1 has been accepted and will be decided by 2026-12-01."
    )
    # A Chinese reader, the same message: Chinese.
    li = users["demo-citizen2"]
    services.notify(li, "case_accepted", {"number": "N2", "title": "食品经营许可", "due": "2026-12-01"})
    assert Notice.objects.get(user=li).title == "已受理：食品经营许可"


@pytest.mark.parametrize(
    ("days", "words"), [(1, "extended by 1 working day;"), (5, "extended by 5 working days;")]
)
def test_counts_agree_with_their_number(users, region, days, words):
    citizen = users["demo-citizen"]
    citizen.language = "en"
    services.notify(
        citizen, "case_extended", {"number": "N1", "title": "Food licence", "days": days, "due": "x"}
    )
    assert words in Notice.objects.get(user=citizen).body
    # The Chinese text keeps its own words.
    citizen.language = "zh-hans"
    services.notify(citizen, "case_extended", {"number": "N2", "title": "食品", "days": days, "due": "x"})
    assert f"延长 {days} 个工作日" in Notice.objects.get(user=citizen, title__contains="食品").body


def test_an_administrators_english_text_is_what_is_sent_and_blank_falls_back(users, region):
    citizen = users["demo-citizen"]
    citizen.language = "en"
    MessageTemplate.objects.filter(key="case_approved").update(
        title_en="Good news: {title}", body_en="Approved."
    )
    services.notify(citizen, "case_approved", {"number": "N1", "title": "Food licence"})
    assert Notice.objects.get(user=citizen).title == "Good news: Food licence"
    MessageTemplate.objects.filter(key="case_approved").update(title_en="", body_en="")
    services.notify(citizen, "case_approved", {"number": "N2", "title": "Food licence"})
    assert Notice.objects.filter(user=citizen, title="Approved: Food licence").exists()  # the default
    # An SMS switched off (no Chinese SMS text) stays off in English.
    MessageTemplate.objects.filter(key="case_approved").update(sms="")
    SmsMessage.objects.all().delete()
    services.notify(citizen, "case_approved", {"number": "N3", "title": "x"}, phone="13800000000")
    assert not SmsMessage.objects.exists()


def test_a_case_event_names_the_item_in_english(make_published, submitted, users, deliver_outbox):
    citizen = users["demo-citizen"]
    citizen.language = "en"
    citizen.save(update_fields=["language"])
    entry = make_published(name_en="Food business licence", plain_title_en="Opening a restaurant")
    case = submitted(entry)
    deliver_outbox()
    notice = Notice.objects.get(user=citizen, key="case_submitted")
    assert notice.title == "Application submitted: Food business licence"
    assert case.number in notice.body and "has been submitted" in notice.body
    sms = SmsMessage.objects.get(key="case_submitted")
    assert sms.text.startswith("[Yiwang] Your application “Food business licence”")

"""Messages to applicants: every channel, and the administrator's edited texts."""

from __future__ import annotations

from django.core import mail

from yiwang.notices import services
from yiwang.notices.models import MessageTemplate, Notice, SmsMessage
from yiwang.notices.templates_default import DEFAULTS


def test_every_message_is_an_editable_row(db):
    assert set(MessageTemplate.objects.values_list("key", flat=True)) == set(DEFAULTS)


def test_a_submission_tells_the_applicant_on_every_channel(submitted, users, deliver_outbox):
    citizen = users["demo-citizen"]
    citizen.email = "zhangsan@example.cn"
    citizen.save(update_fields=["email"])
    case = submitted()
    # Nothing leaves before the worker delivers the outbox (after the submission committed).
    assert not Notice.objects.filter(user=citizen).exists() and mail.outbox == []
    deliver_outbox()
    notice = Notice.objects.get(user=citizen, key="case_submitted")
    assert case.number in notice.body and notice.link == f"/my/cases/{case.number}/"
    assert [m.to for m in mail.outbox] == [["zhangsan@example.cn"]] and case.number in mail.outbox[0].body
    sms = SmsMessage.objects.get(key="case_submitted")
    assert sms.phone == case.contact_phone and case.number in sms.text


def test_an_edited_template_is_what_is_sent(db, users, region):
    MessageTemplate.objects.filter(key="case_accepted").update(
        title="受理通知 {number}", body="{title} 已受理，请留意 {due}。{unknown}", sms=""
    )
    citizen = users["demo-citizen"]
    services.notify(citizen, "case_accepted", {"number": "N1", "title": "食品经营许可", "due": "2026-12-01"})
    notice = Notice.objects.get(user=citizen)
    assert notice.title == "受理通知 N1" and notice.body == "食品经营许可 已受理，请留意 2026-12-01。"
    assert not SmsMessage.objects.exists()  # an empty SMS text sends no SMS

"""Completing a case and delivering its result (送达), only when it is true, and the documents
kept with a case."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiwang.cases import clock
from yiwang.cases.carriers import carrier
from yiwang.cases.changes import Acting, CaseConflict, commit, payload_text
from yiwang.cases.models import (
    Case,
    Delivery,
    DeliveryMethod,
)
from yiwang.cases.rules import (
    State,
)
from yiwang.core import outbox, uploads
from yiwang.core.models import OutboxMessage


def handle_complete(case: Case, acting: Acting, payload: dict) -> None:
    """办结. The result is not delivered here: an electronic result once its decision document is
    kept (`deliver_when_ready`, from the documents subscriber), an express one when the carrier
    reports it signed for, a pickup at the window against the pickup code given now."""
    changes: dict[str, Any] = {"state": State.COMPLETED, "closed_at": clock.now()}
    commit(case, acting, "complete", changes, reason=payload_text(payload, "opinion"))
    # Every completed case has a pickup code (none chosen yet: window pickup), so the window can
    # always check it, whatever the method turns out to be.
    delivery = Delivery.objects.filter(case=case).first()
    if delivery is None:
        delivery = Delivery.objects.create(case=case, method=DeliveryMethod.PICKUP)
    if not delivery.pickup_code:
        delivery.pickup_code = f"{secrets.randbelow(10**6):06d}"
        delivery.save(update_fields=["pickup_code"])
    case.delivery = delivery


def handle_deliver(case: Case, acting: Acting, payload: dict) -> None:
    """送达, only when it is true: at the window against the applicant's pickup code; electronically
    once the decision document can be downloaded; by express, handing the result to the carrier
    (the case stays completed, 寄递中) and delivered when the carrier reports it signed for
    (`record_tracking`, through this same action)."""
    from yiwang.cases.models import DECISION_DOCUMENT_KINDS, CaseDocument

    method = payload.get("method")
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": [_("请选择送达方式。")]})
    delivery, _created = Delivery.objects.get_or_create(case=case, defaults={"method": method})
    case.delivery = delivery
    data: dict[str, Any] = {"method": method}
    if method == DeliveryMethod.PICKUP:
        code = str(payload.get("pickup_code") or "").strip()
        if not code:
            raise ValidationError({"pickup_code": [_("请输入申请人出示的取件码。")]})
        if not delivery.pickup_code or code != delivery.pickup_code:
            raise ValidationError({"pickup_code": [_("取件码不正确，请核对申请人出示的取件码。")]})
        delivery.delivered_at = clock.now()
    elif method == DeliveryMethod.ELECTRONIC:
        decision = (
            CaseDocument.objects.filter(case=case, kind__in=DECISION_DOCUMENT_KINDS).order_by("-pk").first()
        )
        if decision is None:
            raise CaseConflict(
                _("决定文书尚未生成，申请人还不能下载办理结果：文书生成后系统自动电子送达。"),
                code="document_missing",
            )
        data.update(document=decision.pk, sha256=decision.file.sha256)  # what was made available
        delivery.delivered_at = clock.now()
    elif express_in_transit(delivery):
        raise CaseConflict(dispatched_text(delivery), code="in_transit")
    elif delivery.method == DeliveryMethod.EXPRESS and delivery.delivered_at is not None:
        data.update(tracking_number=delivery.tracking_number, signed_at=delivery.delivered_at.isoformat())
    else:
        # Handing it to the carrier: traced, but the case is not delivered until it is signed for.
        for key, limit in (("recipient", 50), ("phone", 20), ("address", 200)):
            if payload.get(key):
                setattr(delivery, key, str(payload[key]).strip()[:limit])
        missing = [k for k in ("recipient", "phone", "address") if not getattr(delivery, k)]
        if missing:
            raise ValidationError({k: [_("快递送达须填写此项。")] for k in missing})
        delivery.method = method
        delivery.tracking_number, delivery.carrier, delivery.delivered_at = "", "", None
        delivery.dispatched_at = clock.now()
        delivery.save()
        # The carrier is an outside system: it is booked after this transaction commits, by the
        # `cases.carrier` subscriber of this event (`book_with_carrier`), never from inside it.
        commit(case, acting, "dispatch", {}, data={"method": method})
        return
    delivery.method = method
    delivery.save()
    commit(case, acting, "deliver", {"state": State.DELIVERED}, data=data)


def book_with_carrier(message: OutboxMessage) -> None:
    """Book the parcel of a `dispatch` event with the carrier, after the dispatch committed.

    Runs outside any transaction (the carrier is an outside system) and is idempotent: a delivery
    that already has its tracking number is left alone, and the booking carries a reference unique
    to the dispatch event, so a carrier asked twice (a worker killed between booking and recording)
    answers the same parcel. Recording the number, the carrier's first tracking event and the
    applicant's notice is one transaction, once."""
    payload = message.payload
    if payload.get("action") != "dispatch":
        return
    delivery = Delivery.objects.filter(case_id=payload["case"]).first()
    if (
        delivery is None
        or delivery.method != DeliveryMethod.EXPRESS
        or delivery.tracking_number
        or delivery.delivered_at is not None
    ):
        return
    booked = carrier()
    number = booked.book(delivery, reference=f"{payload['number']}-{payload['seq']}")
    with transaction.atomic():
        if not Delivery.objects.filter(pk=delivery.pk, tracking_number="").update(
            tracking_number=number, carrier=booked.name
        ):
            return  # recorded meanwhile by another delivery of the same message
        delivery.tracking_number, delivery.carrier = number, booked.name
        booked.record(delivery, "accepted", _("已揽收：%(address)s") % {"address": delivery.address[:20]})
        outbox.publish(
            "delivery.booked",
            {
                **{k: payload.get(k) for k in ("case", "number", "title", "at")},
                "action": "dispatch_booked",
                "data": {"carrier": booked.name, "tracking_number": number},
            },
        )


def dispatched_text(delivery: Delivery) -> str:
    """What staff are told of a parcel handed to the carrier (booked or still being booked)."""
    if delivery.tracking_number:
        return _("办理结果已交寄（运单号 %(number)s），快递签收后即为送达。") % {
            "number": delivery.tracking_number
        }
    return _("办理结果已交寄，正在向快递公司下单；快递签收后即为送达。")


def express_in_transit(delivery: Delivery | None) -> bool:
    """Handed to the carrier and not yet signed for (寄递中); a parcel returned is no longer."""
    from yiwang.cases.models import TrackingEvent

    if delivery is None or delivery.method != DeliveryMethod.EXPRESS or delivery.dispatched_at is None:
        return False
    if delivery.delivered_at is not None:
        return False
    last = TrackingEvent.objects.filter(delivery=delivery).order_by("-at", "-id").first()
    return last is None or last.status != "returned"


# Other domains' results the electronic delivery waits for, registered in their AppConfig.ready
# (the licences app: the case's licence, issued after approval). Each answers True while pending.
result_pending_checks: dict[str, Callable[[Case], bool]] = {}


def result_pending(case: Case) -> bool:
    return any(check(case) for check in result_pending_checks.values())


def store_document(case: Case, kind: str, event_seq: int, data: bytes, *, title: str, text: str = ""):
    """Keep a document the case produced (a PDF) with the case: once per case, kind and event — a
    repeat answers the one already kept. The licences app attaches the signed licence the same way."""
    from yiwang.cases.models import CaseDocument

    existing = CaseDocument.objects.filter(case=case, kind=kind, event_seq=event_seq).first()
    if existing is not None:
        return existing
    stored = uploads.check(
        data, f"{case.number}-{title}.pdf", allowed=("pdf",), max_bytes=50 * 1024 * 1024, field="document"
    )
    uploads.write(stored, data)
    try:
        with transaction.atomic():
            stored.save(force_insert=True)
            return CaseDocument.objects.create(
                case=case,
                kind=kind,
                event_seq=event_seq,
                title=title[:100],
                file=stored,
                text=text,
                created_at=clock.now(),
            )
    except IntegrityError:
        uploads.discard(stored)  # made at the same time by another delivery of the same event
        return CaseDocument.objects.get(case=case, kind=kind, event_seq=event_seq)

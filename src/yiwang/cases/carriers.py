"""Express carriers (快递): the interface the platform needs and a local implementation.

A deployment plugs a real carrier in through `settings.CASE_CARRIER` (a dotted path to a class
with the `Carrier` methods). The local carrier issues tracking numbers itself and records every
tracking event in the database, so the whole journey can be followed and tested offline.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.cases import clock
from yiwang.cases.models import Delivery, TrackingEvent


class Carrier(Protocol):
    name: str

    def dispatch(self, delivery: Delivery) -> str:
        """Book the shipment; returns the tracking number."""

    def record(self, delivery: Delivery, status: str, description: str) -> TrackingEvent:
        """Record a tracking event reported by the carrier."""


class LocalCarrier:
    """Records what a carrier would do; tracking events are entered by the post room or tests."""

    name = "本地寄递"

    def dispatch(self, delivery: Delivery) -> str:
        number = "YW" + clock.today().strftime("%y%m%d") + f"{secrets.randbelow(10**8):08d}"
        delivery.tracking_number, delivery.carrier = number, self.name
        delivery.dispatched_at = clock.now()
        delivery.save(update_fields=["tracking_number", "carrier", "dispatched_at"])
        self.record(delivery, "accepted", "已揽收：" + delivery.address[:20])
        return number

    def record(self, delivery: Delivery, status: str, description: str) -> TrackingEvent:
        event = TrackingEvent.objects.create(
            delivery=delivery, status=status, description=description, at=clock.now()
        )
        if status == "signed" and delivery.delivered_at is None:
            delivery.delivered_at = event.at
            delivery.save(update_fields=["delivered_at"])
        return event


def carrier() -> Carrier:
    return import_string(getattr(settings, "CASE_CARRIER", "yiwang.cases.carriers.LocalCarrier"))()

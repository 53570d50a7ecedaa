"""Express carriers (快递): the interface the platform needs and a local implementation.

A deployment plugs a real carrier in through `settings.CASE_CARRIER` (a dotted path to a class
with the `Carrier` methods). The local carrier issues tracking numbers itself and records every
tracking event in the database, so the whole journey can be followed and tested offline.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.cases import clock
from yiwang.cases.models import Delivery, TrackingEvent


class Carrier(Protocol):
    name: str

    def book(self, delivery: Delivery, *, reference: str) -> str:
        """Book the shipment (an outside call: never from inside a transaction); returns the
        tracking number. The same `reference` must answer the same parcel (no second booking)."""

    def record(self, delivery: Delivery, status: str, description: str) -> TrackingEvent:
        """Record a tracking event reported by the carrier."""


class LocalCarrier:
    """Does locally what a carrier would: books by reference and records tracking events, which
    the post room (or a test) enters as the parcel travels."""

    name = "本地寄递"

    def book(self, delivery: Delivery, *, reference: str) -> str:
        """The tracking number a carrier would give: derived from the reference, so asking
        twice gives the same parcel, as a real carrier's de-duplication by reference would."""
        digest = int(hashlib.sha256(reference.encode()).hexdigest()[:12], 16) % 10**8
        day = (delivery.dispatched_at or clock.now()).astimezone(clock.now().tzinfo)
        return "YW" + day.strftime("%y%m%d") + f"{digest:08d}"

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

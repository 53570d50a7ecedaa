"""The hash chain of case events (全程留痕).

Each event's hash covers its own content and the previous event's hash; the case row keeps the
count and the last hash, so an edited, inserted, reordered or deleted event — even the last one —
no longer matches. Chains are per case: writers of different cases never wait for each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


def event_hash(
    *,
    case_id: int,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_role: str,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
    data: Any,
    prev_hash: str,
) -> str:
    body = json.dumps(
        [case_id, seq, at, actor_id, actor_role, action, from_state, to_state, reason, data, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def hash_of(event) -> str:
    """The hash an event row should carry, from its stored fields."""
    return event_hash(
        case_id=event.case_id,
        seq=event.seq,
        at=event.at.astimezone(dt.UTC).isoformat(),  # as stored, whatever zone it was made in
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        reason=event.reason,
        data=event.data,
        prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class Break:
    case_id: int
    seq: int | None
    problem: str


def verify_chain(case_id: int, events: list, count: int, last_hash: str) -> Iterator[Break]:
    """The breaks in one case's chain (`events` ordered by seq)."""
    prev = ""
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            yield Break(case_id, event.seq, f"sequence gap: expected {expected_seq}")
            return
        if event.prev_hash != prev:
            yield Break(case_id, event.seq, "previous hash does not match")
        if hash_of(event) != event.hash:
            yield Break(case_id, event.seq, "content does not match its hash")
        prev = event.hash
    if len(events) != count or prev != last_hash:
        yield Break(
            case_id, None, f"case records {count} events ending {last_hash[:12]}, found {len(events)}"
        )

"""The hash chain of case events (全程留痕).

Each event's hash covers its own content and the previous event's hash; the case row keeps the
count and the last hash, so an edited, inserted, reordered or deleted event — even the last one —
no longer matches. Chains are per case: writers of different cases never wait for each other.

The case is named in the hash by its `draft_key`, a UUID fixed before the row is written (its
integer id is known only after the INSERT, which cost submission an extra UPDATE of the head).
Every field the timeline shows is covered: the actor's label and department as well as the
action, reason and data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


def event_hash(
    *,
    case_key: str,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_role: str,
    actor_department_id: int | None,
    actor_label: str,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
    data: Any,
    prev_hash: str,
) -> str:
    body = json.dumps(
        [
            case_key,
            seq,
            at,
            actor_id,
            actor_role,
            actor_department_id,
            actor_label,
            action,
            from_state,
            to_state,
            reason,
            data,
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def hash_of(event, case_key: uuid.UUID | str) -> str:
    """The hash an event row of the case with `draft_key` `case_key` should carry."""
    return event_hash(
        case_key=str(case_key),
        seq=event.seq,
        at=event.at.astimezone(dt.UTC).isoformat(),  # as stored, whatever zone it was made in
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        actor_department_id=event.actor_department_id,
        actor_label=event.actor_label,
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


def verify_chain(
    case_id: int, case_key: uuid.UUID | str, events: list, count: int, last_hash: str
) -> Iterator[Break]:
    """The breaks in one case's chain (`events` ordered by seq)."""
    prev = ""
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            yield Break(case_id, event.seq, f"sequence gap: expected {expected_seq}")
            return
        if event.prev_hash != prev:
            yield Break(case_id, event.seq, "previous hash does not match")
        if hash_of(event, case_key) != event.hash:
            yield Break(case_id, event.seq, "content does not match its hash")
        prev = event.hash
    if len(events) != count or prev != last_hash:
        yield Break(
            case_id, None, f"case records {count} events ending {last_hash[:12]}, found {len(events)}"
        )

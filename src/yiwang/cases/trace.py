"""The hash chain of case events (全程留痕).

Each event's hash covers its own content and the previous event's hash; the case row keeps the
count and the last hash, so an edited, inserted, reordered or deleted event — even the last one —
no longer matches. Chains are per case: writers of different cases never wait for each other.

The case is named in the hash by its `draft_key`, a UUID fixed before the row is written (its
integer id is known only after the INSERT, which cost submission an extra UPDATE of the head).
Every field the timeline shows is covered: the actor's label and department as well as the
action, reason and data. Who acted is hashed as `actor_ref`, the account's id and username written
with the event, not the `actor` foreign key, which becomes NULL when the account is
deleted: deleting an account that acted changes nothing hashed.

A per-case chain cannot see its own end cut off with the case's head rewound, a rewrite that
recomputes every later hash and the head, or a case deleted with its events. The checkpoints
(`cases.anchors`, ADR 8) record each numbered case's head in an append-only, hash-chained log;
`verify_heads` and `verify_checkpoints` below check the cases and the log against each other.
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
    actor_ref: str,
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
            actor_ref,
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


def actor_ref(user) -> str:
    """Who acted, as the trace keeps it: `id:username` at the time (empty for the system)."""
    return f"{user.pk}:{user.username}" if user is not None else ""


def hash_of(event, case_key: uuid.UUID | str) -> str:
    """The hash an event row of the case with `draft_key` `case_key` should carry."""
    return event_hash(
        case_key=str(case_key),
        seq=event.seq,
        at=event.at.astimezone(dt.UTC).isoformat(),  # as stored, whatever zone it was made in
        actor_ref=event.actor_ref,
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
    case_id: int | None  # None: the checkpoint log itself
    seq: int | None  # the event's, or the checkpoint's when case_id is None
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


def verify_state(case_id: int, state: str, events: list) -> Iterator[Break]:
    """The case stands where its last event left it (a draft too: its first event is `create`)."""
    if not events:
        yield Break(case_id, None, f"state {state} but no event records the case")
    elif events[-1].to_state != state:
        yield Break(
            case_id,
            events[-1].seq,
            f"state {state} but the last event leads to {events[-1].to_state or '-'}",
        )


# --- Checkpoints (ADR 8) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """A case's chain head as a checkpoint recorded it."""

    checkpoint_id: int
    case_id: int
    draft_key: str
    event_count: int
    last_event_hash: str


def head_line(case_id: int, draft_key: uuid.UUID | str, event_count: int, last_hash: str) -> bytes:
    """One head as the checkpoint's digest takes it (heads in ascending case id)."""
    return f"{case_id}:{draft_key}:{event_count}:{last_hash}\n".encode()


def checkpoint_hash(
    *, seq: int, at: dt.datetime, heads: int, digest: str, event_watermark: int, prev_hash: str
) -> str:
    body = json.dumps(
        [seq, at.astimezone(dt.UTC).isoformat(), heads, digest, event_watermark, prev_hash],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def extends(recorded: Head, draft_key: uuid.UUID | str, events: list) -> str:
    """Why the case's events (ordered by seq, chain already checked) no longer extend the head a
    checkpoint recorded; empty when they do."""
    if str(draft_key) != str(recorded.draft_key):
        return "the case is not the one checkpointed (draft key differs)"
    if len(events) < recorded.event_count:
        return f"checkpointed with {recorded.event_count} events, {len(events)} left (end cut off)"
    if recorded.event_count and events[recorded.event_count - 1].hash != recorded.last_event_hash:
        return f"event {recorded.event_count} differs from its checkpointed hash (history rewritten)"
    return ""


def verify_heads(
    case_id: int, draft_key: uuid.UUID | str, events: list, recorded: list[Head]
) -> Iterator[Break]:
    """Every head checkpointed for the case is still a prefix of its chain."""
    for head in recorded:
        problem = extends(head, draft_key, events)
        if problem:
            yield Break(case_id, head.event_count or None, problem)
            return


def verify_checkpoints(
    checkpoints: list, found: dict[int, tuple[int, str]] | None, expect_anchor: str = ""
) -> Iterator[Break]:
    """The checkpoint log (rows ordered by seq) is one unbroken chain and each checkpoint's heads
    are those it recorded: `found` maps a checkpoint id to (heads, digest) as recomputed from the
    stored heads (None when only part of them was read: links and hashes only). With
    `expect_anchor` (a hash written down earlier, or its first 16+ characters), that checkpoint
    must still be in the chain."""
    prev = ""
    for expected_seq, c in enumerate(checkpoints, start=1):
        if c.seq != expected_seq:
            yield Break(None, c.seq, f"checkpoint sequence gap: expected {expected_seq}")
            return
        if c.prev_hash != prev:
            yield Break(None, c.seq, "checkpoint's previous hash does not match")
        computed = checkpoint_hash(
            seq=c.seq,
            at=c.at,
            heads=c.heads,
            digest=c.digest,
            event_watermark=c.event_watermark,
            prev_hash=c.prev_hash,
        )
        if computed != c.hash:
            yield Break(None, c.seq, "checkpoint does not match its hash")
        if found is not None:
            heads, digest = found.get(c.pk, (0, EMPTY_DIGEST))
            if heads != c.heads or digest != c.digest:
                yield Break(
                    None, c.seq, f"checkpoint recorded {c.heads} case heads, {heads} found or changed"
                )
        prev = c.hash
    if expect_anchor:
        anchor = expect_anchor.strip().lower()
        if len(anchor) < 16 or not any(c.hash.startswith(anchor) for c in checkpoints):
            yield Break(None, None, f"anchor {anchor[:16]} is not in the checkpoint chain")


EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()

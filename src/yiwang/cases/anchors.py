"""Checkpoints of the trace (ADR 8): anchoring each case's chain head outside the case row.

A chain per case (ADR 4) finds an edited, inserted or reordered event, but not a change made by
someone who also rewrites what the case row says about its chain: the last events cut off and the
head rewound, an event rewritten with every later hash recomputed, a case deleted with its events.
So every hour (`cases.checkpoint_trace`, also `yiwang checkpoint-trace`) the heads of the numbered
cases whose chains grew are appended to `TraceHead`, under a `TraceCheckpoint` whose hash covers
a digest of those heads and the previous checkpoint's hash. `yiwang verify-events` then checks that
each checkpointed head is still a prefix of its case's chain and that every checkpointed case still
exists; the latest checkpoint's hash, written down or sent elsewhere (`verify-events --anchor`),
pins the whole log (`--expect-anchor`).

A checkpoint records only a head whose chain verifies and extends the case's previous head, so it
never launders a change it can see. Drafts are left out: the applicant may throw one away with its
trace (`drafts.discard_draft`); a case is anchored from its first checkpoint after submission.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from yiwang.cases import trace
from yiwang.cases.models import Case, CaseEvent, TraceCheckpoint, TraceHead

log = logging.getLogger(__name__)

CHUNK = 1000
# A checkpoint looks for grown chains among the events after the previous checkpoint's watermark,
# less this many ids: an event whose id was drawn before the watermark but committed after it
# (another transaction still running) is found by the next checkpoint all the same.
OVERLAP_IDS = 10_000
REFUSALS_KEPT = 1000  # a trace broken everywhere is reported by its first breaks and a count


@dataclass
class Checkpointed:
    checkpoint: TraceCheckpoint | None  # None: no chain grew, nothing recorded
    refused: list[trace.Break] = field(default_factory=list)  # heads not recorded, and why (the first 1,000)
    refused_count: int = 0

    def refuse(self, found: list[trace.Break]) -> None:
        if self.refused_count < REFUSALS_KEPT:
            for b in found[:3]:
                log.error("trace checkpoint refused a head", extra={"case": b.case_id, "problem": b.problem})
            self.refused += found[: REFUSALS_KEPT - len(self.refused)]
        self.refused_count += 1


def _candidates(since: int | None) -> Iterator[list[int]]:
    """Ids of numbered cases to look at, ascending, in chunks: all of them for the first
    checkpoint (`since` None), else those with an event after event id `since`."""
    numbered = Case.objects.filter(number__isnull=False).order_by("pk")
    if since is None:
        last = 0
        while ids := list(numbered.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK]):
            yield ids
            last = ids[-1]
        return
    grown = sorted(set(CaseEvent.objects.filter(pk__gt=since).values_list("case_id", flat=True)))
    for i in range(0, len(grown), CHUNK):
        yield list(numbered.filter(pk__in=grown[i : i + CHUNK]).values_list("pk", flat=True))


def latest_heads(case_ids: list[int]) -> dict[int, trace.Head]:
    """The last head checkpointed for each of `case_ids` (one query)."""
    latest: dict[int, trace.Head] = {}
    rows = (
        TraceHead.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "checkpoint_id")
        .values_list("checkpoint_id", "case_id", "draft_key", "event_count", "last_event_hash")
    )
    for row in rows:
        latest[row[1]] = trace.Head(*row)
    return latest


def events_by_case(case_ids) -> dict[int, list[CaseEvent]]:
    by_case: dict[int, list[CaseEvent]] = {pk: [] for pk in case_ids}
    for event in CaseEvent.objects.filter(case_id__in=by_case).order_by("case_id", "seq").iterator(5000):
        by_case[event.case_id].append(event)
    return by_case


def checkpoint() -> Checkpointed:
    """Record the heads of the numbered cases whose chains grew since the last checkpoint (every
    numbered case the first time), as one new checkpoint; none when nothing grew.

    One transaction: on SQLite it holds the write lock while it runs (seconds for an hour's
    changes; the first checkpoint of a large trace reads every case, like verify-events)."""
    result = Checkpointed(None)
    with transaction.atomic():
        last = TraceCheckpoint.objects.order_by("-seq").first()
        watermark = CaseEvent.objects.aggregate(top=Max("pk"))["top"] or 0
        since = None if last is None else max(0, last.event_watermark - OVERLAP_IDS)
        now = timezone.now()
        row = TraceCheckpoint.objects.create(
            seq=(last.seq if last else 0) + 1,
            at=now,
            heads=0,
            digest="",
            event_watermark=watermark,
            prev_hash=last.hash if last else "",
            hash="",
        )
        digest = hashlib.sha256()
        heads = 0
        for ids in _candidates(since):
            cases = Case.objects.filter(pk__in=ids).order_by("pk")
            rows = cases.values_list("pk", "draft_key", "state", "event_count", "last_event_hash")
            previous = latest_heads(ids)
            events = events_by_case(ids)
            new = []
            for pk, key, state, count, last_hash in rows:
                before = previous.get(pk)
                if before is not None and (before.event_count, before.last_event_hash) == (count, last_hash):
                    continue  # unchanged (seen again in the overlap)
                found = list(trace.verify_chain(pk, key, events[pk], count, last_hash))
                found += trace.verify_state(pk, state, events[pk])
                if before is not None:
                    found += trace.verify_heads(pk, key, events[pk], [before])
                if found:
                    result.refuse(found)
                    continue
                new.append(
                    TraceHead(
                        checkpoint=row,
                        case_id=pk,
                        draft_key=key,
                        event_count=count,
                        last_event_hash=last_hash,
                    )
                )
                digest.update(trace.head_line(pk, key, count, last_hash))
            TraceHead.objects.bulk_create(new, batch_size=CHUNK)
            heads += len(new)
        if result.refused_count:
            log.error("trace checkpoint refused heads", extra={"cases": result.refused_count})
        if not heads:
            transaction.set_rollback(True)
            return result
        row.heads, row.digest = heads, digest.hexdigest()
        row.hash = trace.checkpoint_hash(
            seq=row.seq,
            at=row.at,
            heads=row.heads,
            digest=row.digest,
            event_watermark=row.event_watermark,
            prev_hash=row.prev_hash,
        )
        row.save(update_fields=["heads", "digest", "hash"])
    result.checkpoint = row
    log.info("trace checkpoint", extra={"seq": row.seq, "heads": heads, "hash": row.hash})
    return result


def anchor() -> TraceCheckpoint | None:
    """The latest checkpoint: its hash is the anchor to write down."""
    return TraceCheckpoint.objects.order_by("-seq").first()


@task()
def checkpoint_trace() -> dict[str, object]:
    """The periodic checkpoint (`cases.checkpoint_trace`, every `TRACE_CHECKPOINT_SECONDS`)."""
    done = checkpoint()
    c = done.checkpoint
    return {"seq": c.seq if c else None, "heads": c.heads if c else 0, "refused": done.refused_count}

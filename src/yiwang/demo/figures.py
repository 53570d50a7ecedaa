"""The demo's statistics, counted as it is loaded.

The loader leaves its events in the outbox for the worker, as every service does. Draining them
takes the worker minutes: it writes hundreds of decision documents first. Someone who opened
统计分析 during those minutes saw an empty page, and the months' ratings came last of all.

So the loader hands the outbox to the statistics subscribers alone, as their receipts record it.
The worker then skips them and delivers the rest. It also runs the periodic count of started
applications and stages opened to rating. Nothing is counted twice: a receipt and its increments
commit together, and loading again finds the receipts.
"""

from __future__ import annotations

STATISTICS_SUBSCRIBERS = ("stats.cases", "stats.ratings")
CHUNK = 500


def count_statistics() -> int:
    """The receipts recorded now (none when loading again)."""
    from yiwang.core import outbox
    from yiwang.core.models import OutboxMessage
    from yiwang.stats import services

    receipts, last = 0, 0
    while True:
        chunk = list(OutboxMessage.objects.filter(done_at__isnull=True, pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            break
        receipts += outbox.deliver(chunk, only=STATISTICS_SUBSCRIBERS)
        last = chunk[-1].pk
    services.collect()
    return receipts

"""Template tags for the citizen pages that show the applicant's own things on shared pages:
the enterprises an agent may apply for (the guide's 申请办理 box) and the counts in 我的空间."""

from __future__ import annotations

from django import template
from django.db.models import Count

from yiwang.accounts import access as account_access
from yiwang.accounts.models import AccountKind
from yiwang.cases import queries
from yiwang.cases.rules import State
from yiwang.notices.models import Notice

register = template.Library()


@register.simple_tag
def acting_enterprises(user) -> list:
    """The enterprises a signed-in person acts for as authorised agent (经办人); else none."""
    if not getattr(user, "is_authenticated", False) or user.kind != AccountKind.PERSON:
        return []
    return account_access.enterprises_acted_for(user)


@register.simple_tag
def case_summary(user) -> dict[str, int]:
    """Counts for 我的空间: drafts, submitted cases and unread messages (three small queries)."""
    if not getattr(user, "is_authenticated", False) or user.kind == AccountKind.STAFF:
        return {"drafts": 0, "cases": 0, "unread": 0}
    counts = {"drafts": 0, "cases": 0}
    for state, n in _state_counts(user):
        counts["drafts" if state == State.DRAFT else "cases"] += n
    counts["unread"] = Notice.objects.filter(user=user, read_at__isnull=True).count()
    return counts


def _state_counts(user):
    return (
        queries.applicant_cases(user)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )

"""Reads of the core domain used by pages, the API and other domains."""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.core.models import Department, Division


def divisions_in_subtree(root: Division) -> QuerySet[Division]:
    """The division and everything below it: one index range scan on the code prefix."""
    return Division.objects.filter(code__startswith=root.prefix)


def departments_in_subtree(root: Division) -> QuerySet[Department]:
    return Department.objects.filter(division__code__startswith=root.prefix)


def division_path(division: Division) -> list[Division]:
    """From the province down to `division`, fetched in one query."""
    from yiwang.core.identifiers import LEVEL_PREFIX_LENGTH

    codes = [
        division.code[:n] + "0" * (12 - n)
        for level, n in sorted(LEVEL_PREFIX_LENGTH.items())
        if level <= division.level
    ]
    return list(Division.objects.filter(code__in=codes).order_by("level"))


def divisions_at_level(level: int) -> QuerySet[Division]:
    return Division.objects.filter(level=level).order_by("code")

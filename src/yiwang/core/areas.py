"""Where a service is offered: a division's own departments, those above it (a city's or the
province's departments serve every county below) and those below it (its townships). Used to show
each service once, in the copy for the citizen's area (办事地区)."""

from __future__ import annotations

from django.db.models import Q

from yiwang.core.identifiers import LEVEL_PREFIX_LENGTH
from yiwang.core.models import Division


def ancestor_prefixes(area: Division) -> list[str]:
    """The prefixes of the area and of every division above it."""
    return [area.code[:n] for level, n in sorted(LEVEL_PREFIX_LENGTH.items()) if level <= area.level]


def offered_in(area: Division, path: str = "department__division__") -> Q:
    """Entries (by default; `path` leads to the division) offered in the area. `offers` is the
    same rule in Python (a test holds them together)."""
    return Q(**{f"{path}prefix__in": ancestor_prefixes(area)}) | Q(**{f"{path}code__startswith": area.prefix})


def offers(area: Division, prefix: str, code: str) -> bool:
    """Whether a department of the division (`prefix`, `code`) offers its services in the area."""
    return prefix in ancestor_prefixes(area) or code.startswith(area.prefix)


def distance(area: Division, division: Division) -> tuple[int, int]:
    """How near a department's division is to the citizen's area, for choosing the copy to show:
    the area itself, then the nearest division above, then below, then anything else."""
    if division.code == area.code:
        return (0, 0)
    if division.prefix in ancestor_prefixes(area):  # offers(), above the area
        return (1, area.level - division.level)
    if division.code.startswith(area.prefix):
        return (2, division.level - area.level)
    return (3, 0)

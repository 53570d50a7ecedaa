"""Catalog statistics: what the seed reports count about items and guides.

- Claims and compiled implementation lists by level, department and item type, split the way the
  reports split them (依申请行政权力 / 依职权行政权力 / 公共服务): "旗县区依申请行政权力事项已认领主项
  3053个，编制实施清单5715个". A main item (主项) is the first 9 digits of the basic code
  (prefix, type, main item), counted once per department that claims it.
- Over the guides citizens see (published, active or suspended): time-limit compression (承诺时限
  against 法定时限, where both are given in the same unit), materials per entry, the online depth
  distribution and the 全程网办 share, the 即办件 share and the zero-visit (零跑动) share.

Every figure is one aggregate query (a handful per call, however large the catalog).
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Avg,
    CharField,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiwang.catalog.models import (
    Claim,
    Entry,
    EntryStatus,
    Initiation,
    Material,
    OnlineDepth,
)
from yiwang.core.models import Division, DivisionLevel

VISIBLE = [EntryStatus.ACTIVE, EntryStatus.SUSPENDED]
CATEGORIES = {
    "application_power": gettext_lazy("依申请行政权力事项"),
    "ex_officio_power": gettext_lazy("依职权行政权力事项"),
    "public_service": gettext_lazy("公共服务事项"),
}


def _share(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def _category(is_power: bool, initiation: str) -> str:
    if not is_power:
        return "public_service"
    return "ex_officio_power" if initiation == Initiation.EX_OFFICIO else "application_power"


def _claim_counts(claims: QuerySet[Claim], *group_by: str) -> list[dict[str, Any]]:
    main_item = Concat(
        Cast("department_id", CharField()),
        Value(":"),
        Substr("catalog_item__basic_code", 1, 9),
        output_field=CharField(),
    )
    return list(
        claims.values(*group_by)
        .annotate(
            claimed=Count("id"),
            main_items=Count(main_item, distinct=True),
            compiled=Count("entry", filter=~Q(entry__status=EntryStatus.CANCELLED)),
            published=Count("entry", filter=Q(entry__published__isnull=False, entry__status__in=VISIBLE)),
        )
        .order_by(*group_by)
    )


def _counts(row: dict) -> dict[str, int]:
    return {k: row[k] for k in ("claimed", "main_items", "compiled", "published")}


def claim_tables(division: Division | None = None) -> dict[str, Any]:
    claims = Claim.objects.all()
    if division is not None:
        claims = claims.filter(department__division__code__startswith=division.prefix)
    by_level: dict[tuple[int, str], dict[str, int]] = {}
    for row in _claim_counts(
        claims,
        "department__division__level",
        "catalog_item__item_type__is_power",
        "catalog_item__initiation",
    ):
        key = (
            row["department__division__level"],
            _category(row["catalog_item__item_type__is_power"], row["catalog_item__initiation"]),
        )
        slot = by_level.setdefault(key, dict.fromkeys(("claimed", "main_items", "compiled", "published"), 0))
        for k, v in _counts(row).items():
            slot[k] += v
    level_rows = [
        {
            "level": level,
            "level_name": str(DivisionLevel(level).label),
            "category": category,
            "category_name": str(CATEGORIES[category]),
            **counts,
        }
        for (level, category), counts in sorted(
            by_level.items(), key=lambda kv: (kv[0][0], list(CATEGORIES).index(kv[0][1]))
        )
    ]
    department_rows = [
        {
            "department_id": row["department_id"],
            "department": row["department__name"],
            "division_code": row["department__division__code"],
            "level": row["department__division__level"],
            **_counts(row),
        }
        for row in _claim_counts(
            claims,
            "department__division__code",
            "department__name",
            "department_id",
            "department__division__level",
        )
    ]
    type_rows = [
        {
            "item_type": row["catalog_item__item_type__code"],
            "name": row["catalog_item__item_type__name"],
            **_counts(row),
        }
        for row in _claim_counts(claims, "catalog_item__item_type__code", "catalog_item__item_type__name")
    ]
    totals = {k: sum(r[k] for r in type_rows) for k in ("claimed", "main_items", "compiled", "published")}
    return {"by_level": level_rows, "by_department": department_rows, "by_type": type_rows, "totals": totals}


def published_indicators(division: Division | None = None) -> dict[str, Any]:
    entries = Entry.objects.filter(published__isnull=False, status__in=VISIBLE)
    if division is not None:
        entries = entries.filter(department__division__code__startswith=division.prefix)
    comparable = Q(
        published__legal_limit__gt=0,
        published__promised_limit__isnull=False,
        published__legal_limit_unit=F("published__promised_limit_unit"),
    )
    ratio = Cast("published__promised_limit", FloatField()) / Cast("published__legal_limit", FloatField())
    agg = entries.aggregate(
        total=Count("id"),
        instant=Count("id", filter=Q(published__case_kind="instant")),
        zero_visit=Count("id", filter=Q(published__visits_required=0)),
        at_most_one_visit=Count("id", filter=Q(published__visits_required__lte=1)),
        online=Count("id", filter=Q(published__online_depth__gte=OnlineDepth.SUBMIT)),
        comparable=Count("id", filter=comparable),
        compressed=Count(
            "id", filter=comparable & Q(published__promised_limit__lt=F("published__legal_limit"))
        ),
        average_ratio=Avg(ratio, filter=comparable, output_field=FloatField()),
    )
    total = agg["total"]
    depth_counts = dict(entries.values_list("published__online_depth").annotate(n=Count("id")).order_by())
    materials = Material.objects.filter(version__in=entries.values("published_id")).count()
    average_ratio = agg["average_ratio"]
    return {
        "published": total,
        "time_limits": {
            "comparable": agg["comparable"],
            "compressed": agg["compressed"],
            "compressed_share": _share(agg["compressed"], agg["comparable"]),
            "average_ratio": round(average_ratio, 4) if average_ratio is not None else None,
            "average_compression": round(1 - average_ratio, 4) if average_ratio is not None else None,
        },
        "materials_per_entry": round(materials / total, 2) if total else None,
        "online_depth": [
            {
                "depth": depth.value,
                "name": str(depth.label),
                "count": depth_counts.get(depth.value, 0),
                "share": _share(depth_counts.get(depth.value, 0), total),
            }
            for depth in OnlineDepth
        ],
        "online_share": _share(agg["online"], total),
        "full_online_share": _share(depth_counts.get(OnlineDepth.FULL, 0), total),
        "instant_share": _share(agg["instant"], total),
        "zero_visit_share": _share(agg["zero_visit"], total),
        "at_most_one_visit_share": _share(agg["at_most_one_visit"], total),
    }


def catalog_stats(division: Division | None = None) -> dict[str, Any]:
    """Everything above for the catalog of a division's tree (or the whole platform)."""
    return {
        "division": {"code": division.code, "name": division.name} if division else None,
        "claims": claim_tables(division),
        **published_indicators(division),
    }


def report_lines(stats: dict[str, Any]) -> list[str]:
    """The claims table in the seed reports' own words, one line per level and category."""
    return [
        _("%(level)s%(category)s已认领主项%(main)s个，编制实施清单%(compiled)s个，发布%(published)s个")
        % {
            "level": row["level_name"],
            "category": row["category_name"],
            "main": row["main_items"],
            "compiled": row["compiled"],
            "published": row["published"],
        }
        for row in stats["claims"]["by_level"]
    ]

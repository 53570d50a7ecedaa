"""No index of the project's tables is the leading column of another index on the same table: the
longer one serves every lookup the shorter would, and each duplicate costs a write on every INSERT
(issue 8: `cases_case` had 28 indexes)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

OURS = {
    "accounts",
    "bundles",
    "cases",
    "catalog",
    "core",
    "licences",
    "notices",
    "ratings",
    "stats",
    "supervision",
}


def _models():
    return [
        m
        for m in apps.get_models(include_auto_created=False)
        if m._meta.app_label in OURS and m._meta.managed and not m._meta.proxy
    ]


def _partial() -> set[str]:
    """Indexes and constraints with a condition: they cover only some rows (introspection does
    not say so)."""
    return {
        i.name
        for m in _models()
        for i in (*m._meta.indexes, *m._meta.constraints)
        if getattr(i, "condition", None) is not None
    }


def test_no_index_duplicates_the_leading_columns_of_another():
    duplicates, partial = [], _partial()
    with connection.cursor() as cursor:
        for table in sorted({m._meta.db_table for m in _models()}):
            found = connection.introspection.get_constraints(cursor, table)
            keys = {
                name: tuple(c["columns"])
                for name, c in found.items()
                if (c["index"] or c["unique"])
                and c["columns"]
                and not c.get("foreign_key")
                and name not in partial
            }
            for name, columns in keys.items():
                c = found[name]
                if c["unique"] or c["primary_key"] or len(columns) != 1:
                    continue
                if c.get("type") not in (None, "btree", "idx"):
                    continue
                for other, longer in keys.items():
                    if other != name and len(longer) > 1 and longer[0] == columns[0]:
                        duplicates.append(f"{table}.{name} ({columns[0]}) ⊂ {other} {longer}")
    assert duplicates == []

"""Keeping the search index (the `search` module's docstring says what it holds): the database's
own index over `Entry.search_tokens` (SQLite's FTS5 table and triggers, PostgreSQL's generated
tsvector column), created by a migration and checked once per process, and each entry's tokens
recomputed from its published content. Every change bumps the catalog generation, which keys the
search's cached answers and the services kept in memory (`service_index`)."""

from __future__ import annotations

import logging

from django.db import connection

from yiwang.catalog.search import FTS_TABLE, GROUPS, entry_tokens
from yiwang.core import generations

log = logging.getLogger(__name__)


def _sqlite_group_exprs(column: str) -> list[str]:
    """SQL that cuts `column` at its first three `|` (SQLite has no split function)."""
    rest, exprs = column, []
    for _ in range(len(GROUPS) - 1):
        pos = f"instr({rest} || '|', '|')"
        exprs.append(f"substr({rest}, 1, {pos} - 1)")
        rest = f"substr({rest}, {pos} + 1)"
    return [*exprs, rest]


def _sqlite_insert(prefix: str) -> str:
    cols = ", ".join(GROUPS)
    values = ", ".join(_sqlite_group_exprs(f"{prefix}search_tokens"))
    return f"INSERT INTO {FTS_TABLE}(rowid, {cols}) SELECT {prefix}id, {values}"


PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, split_part(search_tokens, '|', 1)), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, split_part(search_tokens, '|', 2)), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, split_part(search_tokens, '|', 3)), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, split_part(search_tokens, '|', 4)), 'C')"
)


def schema_statements(vendor: str) -> list[str]:
    """The statements that create the index (idempotent); used by the migration and by
    `ensure_index`."""
    if vendor == "sqlite":
        insert_new = _sqlite_insert("new.")
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            f"{', '.join(GROUPS)}, tokenize='unicode61')",
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON catalog_entry "
            f"WHEN new.search_tokens != '' BEGIN {insert_new}; END",
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON catalog_entry "
            f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF id, search_tokens ON catalog_entry "
            f"WHEN old.search_tokens IS NOT new.search_tokens OR old.id != new.id "
            f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; "
            f"{insert_new} WHERE new.search_tokens != ''; END",
        ]
    if vendor == "postgresql":
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "ALTER TABLE catalog_entry ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
            "CREATE INDEX IF NOT EXISTS catalog_entry_search_gin ON catalog_entry USING gin (search_vector)",
        ]
    return []


def drop_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            *(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{s}" for s in ("ai", "ad", "au")),
            f"DROP TABLE IF EXISTS {FTS_TABLE}",
        ]
    if vendor == "postgresql":
        return [
            "DROP INDEX IF EXISTS catalog_entry_search_gin",
            "ALTER TABLE catalog_entry DROP COLUMN IF EXISTS search_vector",
        ]
    return []


_ensured: set[str] = set()


def _index_present(cursor) -> bool:
    if connection.vendor == "sqlite":
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
            [FTS_TABLE, f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"],
        )
        return cursor.fetchone()[0] == 4
    cursor.execute(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'catalog_entry' AND column_name = 'search_vector'"
    )
    return cursor.fetchone()[0] == 1


def ensure_index(force: bool = False) -> bool:
    """Make sure the index exists and is complete; True if it had to be (re)built.

    Checked once per process and database. A later migration that rebuilds `catalog_entry` on
    SQLite (Django copies the table) drops its triggers; this puts them back and refills the
    FTS table from the stored tokens."""
    key = f"{connection.vendor}:{connection.settings_dict.get('NAME')}"
    if key in _ensured and not force:
        return False
    with connection.cursor() as cursor:
        present = _index_present(cursor)
        if not present:
            log.warning("search index incomplete; rebuilding it from the stored tokens")
            for statement in schema_statements(connection.vendor):
                cursor.execute(statement)
        # PostgreSQL's generated column cannot lag behind; SQLite's FTS table is refilled.
        rebuilt = not present or (force and connection.vendor == "sqlite")
        if rebuilt and connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(f"{_sqlite_insert('')} FROM catalog_entry WHERE search_tokens != ''")
    _ensured.add(key)
    return rebuilt


def _texts_of(entry, version) -> dict[str, object]:
    from yiwang.catalog import english

    return {
        "name": version.name,
        "plain_title": version.plain_title,
        # The guide's aliases and the everyday phrases taught for its item (search_log).
        "aliases": [*(version.aliases or []), *(p.phrase for p in entry.catalog_item.search_phrases.all())],
        "situations": [s.name for s in version.situations.all()],
        "department": entry.department.name,
        # The English names (issue 13), lower-cased, stop words dropped, go with the words that
        # get no character bigrams: Latin letter pairs (“in”, “ng”) would make every English
        # question match every English name. English questions match nothing else, so the group's
        # smaller weight only orders English answers among themselves.
        "topics": [t.name for t in version.topics.all()] + english.search_texts(version),
        "item_type": entry.catalog_item.item_type.name,
    }


def tokens_of_entry(entry) -> str:
    """The tokens an entry should have now: its published content, or nothing if it has none or
    is cancelled."""
    from yiwang.catalog.models import EntryStatus

    version = entry.published
    if version is None or entry.status == EntryStatus.CANCELLED:
        return ""
    return entry_tokens(**_texts_of(entry, version))


def index_entry(entry) -> None:
    """Recompute an entry's tokens (published content only); the database updates its index."""
    from yiwang.catalog.models import Entry

    ensure_index()
    Entry.objects.filter(pk=entry.pk).update(search_tokens=tokens_of_entry(entry))
    generations.bump(generations.CATALOG)  # cached search answers (portal.views) are now stale


def index_item(catalog_item_id: int) -> None:
    """Recompute the tokens of every published implementation of a basic-catalog item (its taught
    phrases changed): their texts read in four statements, one generation bump."""
    from yiwang.catalog.models import Entry

    ensure_index()
    entries = (
        Entry.objects.filter(catalog_item_id=catalog_item_id, published__isnull=False)
        .select_related("published", "department", "catalog_item__item_type")
        .prefetch_related("published__topics", "published__situations", "catalog_item__search_phrases")
    )
    for entry in entries:
        Entry.objects.filter(pk=entry.pk).update(search_tokens=tokens_of_entry(entry))
    generations.bump(generations.CATALOG)


def analyze() -> None:
    """Refresh the planner's statistics of catalog_entry after a bulk change (SQLite keeps none
    until asked; without them it scans the status index instead of following the search index)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_entry")


def reindex_all(progress=None, batch: int = 500) -> int:
    """Recompute every entry's tokens and rebuild the index (after a dictionary or synonym change,
    a restore, or a flushed test database). Returns the number of entries with tokens."""
    from django.db import transaction

    from yiwang.catalog.models import Entry

    ensure_index(force=True)
    qs = (
        Entry.objects.select_related("published", "department", "catalog_item__item_type")
        .prefetch_related("published__topics", "published__situations", "catalog_item__search_phrases")
        .order_by("pk")
    )
    total = qs.count()
    bar = progress(total=total, desc="重建检索索引") if progress else None
    indexed, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        with transaction.atomic():
            for entry in chunk:
                tokens = tokens_of_entry(entry)
                indexed += bool(tokens)
                if tokens != entry.search_tokens:
                    entry.search_tokens = tokens
                    Entry.objects.filter(pk=entry.pk).update(search_tokens=tokens)
        last = chunk[-1].pk
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    analyze()
    generations.bump(generations.CATALOG)
    return indexed

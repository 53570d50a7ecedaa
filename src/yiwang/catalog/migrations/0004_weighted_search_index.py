"""The search index in four weighted groups (name, plain title and aliases, situations, department
and topics): on SQLite an FTS5 table with one column per group kept by triggers on catalog_entry,
on PostgreSQL a stored generated tsvector column with setweight A/A/B/C and a GIN index. The tokens
of existing entries are recomputed in the new layout. See yiwang.catalog.search.

PostgreSQL note: `catalog_entry.search_vector` depends on `search_tokens`; a later migration that
changes that column's type must drop the generated column first and recreate it
(search_index.schema_statements).
"""

from django.db import migrations

from yiwang.catalog import search, search_index


def _retokenise(apps):
    Entry = apps.get_model("catalog", "Entry")
    qs = Entry.objects.select_related("published", "department", "catalog_item__item_type").order_by("pk")
    for entry in qs.iterator(chunk_size=500):
        version = entry.published
        if version is None or entry.status == "cancelled":
            tokens = ""
        else:
            tokens = search.entry_tokens(
                name=version.name,
                plain_title=version.plain_title,
                aliases=list(version.aliases or []),
                situations=[s.name for s in version.situations.all()],
                department=entry.department.name,
                topics=[t.name for t in version.topics.all()],
                item_type=entry.catalog_item.item_type.name,
            )
        if tokens != entry.search_tokens:
            Entry.objects.filter(pk=entry.pk).update(search_tokens=tokens)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_entry_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_entry_tokens_gin")
    for statement in search_index.schema_statements(vendor):
        schema_editor.execute(statement)
    _retokenise(apps)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in search_index.drop_statements(vendor):
        schema_editor.execute(statement)
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_entry_fts USING fts5(tokens, tokenize='unicode61')"
        )
        schema_editor.execute(
            "INSERT INTO catalog_entry_fts(rowid, tokens) "
            "SELECT id, replace(search_tokens, '|', ' ') FROM catalog_entry WHERE search_tokens != ''"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS catalog_entry_tokens_gin ON catalog_entry "
            "USING gin (to_tsvector('simple', search_tokens))"
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_index")]
    operations = [migrations.RunPython(forwards, backwards)]

"""The full-text index over `Entry.search_tokens`: an FTS5 table on SQLite, a GIN expression
index on PostgreSQL (plus pg_trgm on names for similarity)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_entry_fts USING fts5(tokens, tokenize='unicode61')"
        )
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS catalog_entry_tokens_gin ON catalog_entry "
            "USING gin (to_tsvector('simple', search_tokens))"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS catalog_entry_name_trgm ON catalog_entry USING gin (name gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_entry_fts")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_entry_tokens_gin")
        schema_editor.execute("DROP INDEX IF EXISTS catalog_entry_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_seed_types_and_topics")]
    operations = [migrations.RunPython(forwards, backwards)]

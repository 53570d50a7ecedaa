"""The rate counters become an UNLOGGED table on PostgreSQL (no write-ahead log).

Every API request bumps a counter in a transaction of its own (`core.rate_counters`). Logged, its
commit waits for the write-ahead log to reach the disk: ~150 µs of every request's latency here,
and log volume for data nobody needs after a crash. Unlogged, the commit does not wait. What is
given up: after a crash the table is emptied (the limits start counting afresh) and a standby has
no copy; both are fine for counters of one-minute windows. SQLite has no such thing and is
unchanged.
"""

from django.db import migrations


def _set(persistence: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(apps.get_model("core", "RateCounter")._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET {persistence}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_generation"),
    ]

    operations = [migrations.RunPython(_set("UNLOGGED"), _set("LOGGED"))]

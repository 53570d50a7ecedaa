"""Re-chain every case's events under the trace's current hash (the case named by its draft_key,
the actor's label and department covered). A one-time rewrite at upgrade: run `yiwang
verify-events` before migrating to know the chains were whole under the old hash."""

from django.db import migrations


def rechain(apps, schema_editor):
    """Superseded by 0008, which re-chains every case under the trace's current hash (that hash
    reads `actor_ref`, a column the models have only from 0008 on): nothing to do here."""


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_case_documents")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop, elidable=True)]

"""The trace's checkpoints (ADR 8), and who acted hashed as a snapshot (`actor_ref`, the account's
id and username) instead of the `actor` foreign key, which a deleted account sets to NULL.

A one-time rewrite at upgrade: `actor_ref` is filled from the accounts that still exist and every
case's events are re-chained under the current hash. Run `yiwang verify-events` before migrating
to know the chains were whole under the old hash (an event of an account already deleted shows as
a break there: that was the false alarm this removes), and `yiwang checkpoint-trace` after it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

BATCH = 500


def fill_actor_ref_and_rechain(apps, schema_editor):
    from yiwang.cases.trace import hash_of

    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    User = apps.get_model("accounts", "User")
    last = 0
    while True:
        cases = list(Case.objects.filter(pk__gt=last).order_by("pk").only("pk", "draft_key")[:BATCH])
        if not cases:
            return
        last = cases[-1].pk
        by_case: dict[int, list] = {c.pk: [] for c in cases}
        for event in CaseEvent.objects.filter(case_id__in=by_case).order_by("case_id", "seq"):
            by_case[event.case_id].append(event)
        actor_ids = {e.actor_id for events in by_case.values() for e in events if e.actor_id}
        names = dict(User.objects.filter(pk__in=actor_ids).values_list("pk", "username"))
        changed = []
        for case in cases:
            prev = ""
            for event in by_case[case.pk]:
                event.actor_ref = f"{event.actor_id}:{names[event.actor_id]}" if event.actor_id else ""
                event.prev_hash = prev
                event.hash = prev = hash_of(event, case.draft_key)
                changed.append(event)
            Case.objects.filter(pk=case.pk).update(last_event_hash=prev)
        CaseEvent.objects.bulk_update(changed, ["actor_ref", "prev_hash", "hash"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_trace_names_case_by_draft_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="TraceCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveIntegerField(unique=True)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("heads", models.PositiveIntegerField()),
                ("digest", models.CharField(max_length=64)),
                ("event_watermark", models.BigIntegerField()),
                ("prev_hash", models.CharField(blank=True, max_length=64)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="caseevent",
            name="actor_ref",
            field=models.CharField(blank=True, max_length=180),
        ),
        migrations.CreateModel(
            name="TraceHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("case_id", models.BigIntegerField()),
                ("draft_key", models.UUIDField()),
                ("event_count", models.PositiveIntegerField()),
                ("last_event_hash", models.CharField(max_length=64)),
                (
                    "checkpoint",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.tracecheckpoint",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("case_id", "checkpoint"), name="trace_head_unique")
                ],
            },
        ),
        migrations.RunPython(fill_actor_ref_and_rechain, migrations.RunPython.noop, elidable=True),
    ]

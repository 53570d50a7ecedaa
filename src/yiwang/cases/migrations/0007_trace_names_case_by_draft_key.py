"""Re-chain every case's events under the trace's current hash (the case named by its draft_key,
the actor's label and department covered). A one-time rewrite at upgrade: run `yiwang
verify-events` before migrating to know the chains were whole under the old hash."""

from django.db import migrations

BATCH = 500


def rechain(apps, schema_editor):
    from yiwang.cases.trace import hash_of

    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    last = 0
    while True:
        cases = list(Case.objects.filter(pk__gt=last).order_by("pk").only("pk", "draft_key")[:BATCH])
        if not cases:
            return
        last = cases[-1].pk
        by_case: dict[int, list] = {c.pk: [] for c in cases}
        for event in CaseEvent.objects.filter(case_id__in=by_case).order_by("case_id", "seq"):
            by_case[event.case_id].append(event)
        changed = []
        for case in cases:
            prev = ""
            for event in by_case[case.pk]:
                event.prev_hash = prev
                event.hash = prev = hash_of(event, case.draft_key)
                changed.append(event)
            Case.objects.filter(pk=case.pk).update(last_event_hash=prev)
        CaseEvent.objects.bulk_update(changed, ["prev_hash", "hash"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_case_documents")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop, elidable=True)]

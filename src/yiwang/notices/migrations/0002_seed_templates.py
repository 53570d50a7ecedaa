"""The message templates as editable rows, from the defaults in `notices.templates_default`."""

from django.db import migrations


def seed(apps, schema_editor):
    from yiwang.notices.templates_default import DEFAULTS

    MessageTemplate = apps.get_model("notices", "MessageTemplate")
    for key, text in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            key=key, defaults={"title": text["title"], "body": text["body"], "sms": text["sms"]}
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

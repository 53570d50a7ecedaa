"""Message templates added to `notices.templates_default` after the first seed (the supervisors'
red-card notice, `supervision_red_watched`), with their English texts; existing rows untouched."""

from django.db import migrations


def seed(apps, schema_editor):
    from yiwang.notices.templates_default import DEFAULTS, ENGLISH

    MessageTemplate = apps.get_model("notices", "MessageTemplate")
    for key, text in DEFAULTS.items():
        english = ENGLISH.get(key, {"title": "", "body": "", "sms": ""})
        MessageTemplate.objects.get_or_create(
            key=key,
            defaults={
                "title": text["title"],
                "body": text["body"],
                "sms": text["sms"],
                "title_en": english["title"],
                "body_en": english["body"],
                "sms_en": english["sms"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0003_english_texts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

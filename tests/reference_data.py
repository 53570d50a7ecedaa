"""The reference data the migrations seed (item types, topics, the working-day calendar, message
templates), put back after a transactional test's flush.

A transactional or live-server test ends with `flush`, which empties every table, the seeded ones
included. Without this, every later test in the same worker depended on running before the first
such test: pytest-django's ordering hid it under the default distribution, `--dist loadfile` did not
(`未知的事项类型代码：01。`). Django emits `post_migrate` after that flush, as it does for content
types and permissions; the receiver runs the seeding migrations' own functions again, so the data
is exactly what a fresh database holds."""

from __future__ import annotations

import importlib

# Every migration that seeds data (not those that only fix existing rows), in migration order: a new
# seeding migration belongs here too.
SEEDS = (
    ("catalog", "0002_seed_types_and_topics", "seed"),
    ("catalog", "0006_english_names", "name_topics"),
    ("core", "0002_seed_calendar", "seed"),
    ("notices", "0002_seed_templates", "seed"),
    ("notices", "0003_english_texts", "seed"),
    ("notices", "0004_templates_added_since", "seed"),
)


def reseed(**kwargs) -> None:
    """`post_migrate` receiver: after a flush (no migration plan), seed again; after a real
    `migrate` the migrations have seeded already."""
    if kwargs.get("plan") is not None:
        return
    from django.apps import apps

    for app, migration, function in SEEDS:
        module = importlib.import_module(f"yiwang.{app}.migrations.{migration}")
        getattr(module, function)(apps, None)


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_migrate

    # Once per flush: post_migrate is sent once per installed app.
    post_migrate.connect(reseed, sender=apps.get_app_config("core"), dispatch_uid="tests.reference_data")

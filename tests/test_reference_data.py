"""The seeded reference data survive a transactional test's flush (`reference_data`)."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_the_seeded_reference_data_as_a_fresh_database_has_them():
    from yiwang.catalog.models import ItemType, Topic
    from yiwang.core.models import CalendarDay
    from yiwang.notices.models import MessageTemplate

    def counts():
        return (
            sorted(ItemType.objects.values_list("code", flat=True)),
            Topic.objects.exclude(name_en="").count(),
            CalendarDay.objects.count(),
            MessageTemplate.objects.exclude(title_en="").count(),
        )

    fresh = counts()
    assert "01" in fresh[0] and all(fresh[1:])
    # What TransactionTestCase does after each test (post_migrate not inhibited).
    call_command("flush", verbosity=0, interactive=False)
    assert counts() == fresh

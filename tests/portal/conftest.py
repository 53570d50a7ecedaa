"""The portal tests share one published catalog per test module, built once inside an outer
transaction (over the demo region, see tests/conftest.py); each test runs in a savepoint inside
it, like Django's `setUpTestData`."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from .catalog_data import Catalog, build_catalog


@pytest.fixture(scope="module")
def _catalog_per_module(_demo_region_per_module, django_db_blocker, tmp_path_factory):
    from django.core.cache import cache

    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = build_catalog(_demo_region_per_module)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()
            raise
    yield data
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    cache.clear()  # cached guide PDFs
    media.disable()


@pytest.fixture
def catalog(_catalog_per_module, db) -> Catalog:
    """The catalog of `catalog_data`: 29 published entries (one suspended) over the demo region;
    uploaded forms live in a temporary media root."""
    return _catalog_per_module

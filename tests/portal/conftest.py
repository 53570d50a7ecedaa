"""The portal tests share one published catalog per test module, built once inside an outer
transaction (over the demo region, see tests/conftest.py); each test runs in a savepoint inside
it, like Django's `setUpTestData`."""

from __future__ import annotations

import pytest

from .catalog_data import Catalog, build_catalog


@pytest.fixture(scope="module")
def _catalog_per_module(_demo_region_per_module, django_db_blocker, tmp_path_factory):
    from django.core.cache import cache

    from module_data import kept_for_module

    media = str(tmp_path_factory.mktemp("media"))
    with kept_for_module(django_db_blocker, lambda: build_catalog(_demo_region_per_module), media) as data:
        yield data
    cache.clear()  # cached guide PDFs


@pytest.fixture
def catalog(_catalog_per_module, db) -> Catalog:
    """The catalog of `catalog_data`: 29 published entries (one suspended) over the demo region;
    uploaded forms live in a temporary media root."""
    return _catalog_per_module

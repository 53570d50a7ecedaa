"""Fixtures for the workbench page tests: the demo region, an entry of 青山市市场监督管理局 with a
complete guide, and signed-in clients for each demo role."""

from __future__ import annotations

import pytest

from catalog.guide_samples import db_document, make_entry, store_pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(region):
    """username → User of the demo staff."""
    from yiwang.accounts.models import User

    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


@pytest.fixture
def market(region):
    return region.departments["city_market"]


@pytest.fixture
def entry(region, media, market, staff):
    """An entry of the city market regulator whose draft v1 is complete (no audit errors)."""
    user = staff["demo-itemadmin"]
    blank, sample = store_pdf("申请书空白.pdf", user), store_pdf("申请书样表.pdf", user)
    return make_entry(market, user=user, document=db_document(str(blank.pk), str(sample.pk)))


@pytest.fixture
def bare_entry(region, media, market, staff):
    """An entry just compiled: draft v1 with nothing but the name and legal basis."""
    return make_entry(market, basic_code="150100456000", name="食品生产许可", user=staff["demo-itemadmin"])

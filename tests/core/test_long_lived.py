"""A serving process freezes what it keeps after its first request, so the collector's full passes
do not walk Django and the apps on a page view."""

from __future__ import annotations

import gc

import pytest


@pytest.mark.django_db
def test_the_first_request_freezes_the_process_objects(client):
    client.get("/")
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # Django and the apps, not a handful
    client.get("/")
    assert gc.get_freeze_count() <= frozen  # once per process (frozen objects may still be freed)

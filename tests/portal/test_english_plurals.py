"""English is English: one copy, one working day, one hour (issue 13: "1 copies")."""

from __future__ import annotations

import pytest
from django.utils import translation

from yiwang.catalog.models import Material, MaterialKind
from yiwang.portal.presenters import limit_text, material_view


@pytest.mark.parametrize(
    ("n", "unit", "english"),
    [
        (1, "workday", "1 working day"),
        (5, "workday", "5 working days"),
        (1, "hour", "1 hour"),
        (2, "natural_day", "2 calendar days"),
    ],
)
def test_limits_agree_with_their_number_in_english(n, unit, english):
    with translation.override("en"):
        assert limit_text(n, unit) == english
    assert limit_text(n, unit).startswith(str(n))  # Chinese unchanged


def test_one_paper_copy_is_a_copy():
    material = Material(name="申请书", kind=MaterialKind.ORIGINAL, paper_copies=1, paper_size="")
    with translation.override("en"):
        assert material_view(material).copies == "1 copy"
        material.paper_copies = 2
        assert material_view(material).copies == "2 copies"

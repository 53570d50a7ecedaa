"""The search box's services in memory (catalog/service_index.py) answer exactly what the entries'
statement answers (search.ranked_groups): the same groups, counts, first codes and scores, for
the demo catalog's everyday questions, questions found only by characters, and questions that
find nothing, with and without each kind of area; and the area rule has one meaning in SQL and
in Python."""

from __future__ import annotations

import pytest

from demo.everyday_questions import QUESTIONS
from yiwang.catalog import search, service_index
from yiwang.core import areas
from yiwang.core.models import Division

pytestmark = pytest.mark.django_db

OTHER_QUESTIONS = [
    "开饭店",
    "我想开一家小饭馆",  # only by characters
    "生孩子",
    "营业执照",
    "老人补贴",
    "养狗",  # nothing
    "火星移民",
    "having a baby",
    "food business licence",
]
AREAS = [None, "159900", "159902", "159921", "159981"]  # none, a city, two counties, another city (×10⁶)


@pytest.mark.parametrize("code", AREAS)
def test_the_index_answers_as_the_entries_do(demo_catalog, code):
    area = Division.objects.get(code=f"{code}000000") if code else None
    index = service_index.build()
    within = areas.offered_in(area) if area else None
    answered = 0
    for q in [*(q for q, _want in QUESTIONS), *OTHER_QUESTIONS]:
        _query, expected = search.ranked_groups(q, None, within)
        _query, got = index.ranked_groups(q, area)
        assert got == expected, q
        answered += bool(got)
    assert answered >= len(QUESTIONS)  # the comparison is not between empty answers


def test_the_area_rule_means_the_same_in_sql_and_in_python(demo_region):
    divisions = list(Division.objects.all())
    assert len(divisions) > 5
    for area in divisions:
        in_sql = set(Division.objects.filter(areas.offered_in(area, path="")).values_list("code", flat=True))
        in_python = {d.code for d in divisions if areas.offers(area, d.prefix, d.code)}
        assert in_python == in_sql, area.code

"""English questions (issue 13): the English page's own examples ("having a baby") find the right
service, English names are searched as whole words, and Latin letter pairs never make every
English name match every English question."""

from __future__ import annotations

import pytest
from django.utils import translation

from catalog.test_search import build_catalog, names, publish
from yiwang.catalog import guide_document, search, services, synonyms
from yiwang.catalog.models import Entry
from yiwang.catalog.queries import ItemFilters, page_of_services
from yiwang.portal.presenters import service_card

pytestmark = pytest.mark.django_db

# The examples the English pages give (templates/portal/home.html and items.html, in English).
ENGLISH_EXAMPLES = ["having a baby", "selling a flat", "opening a restaurant", "retiring"]


def translate(entry: Entry, name_en: str, plain_title_en: str = "", **children: dict[str, str]) -> Entry:
    """Give an entry English names in a new published version; `materials` and `situations` map
    Chinese names to English ones."""
    draft = services.start_new_draft(entry, None)
    doc = guide_document.version_to_document(draft)
    changes: dict = {"name_en": name_en, "plain_title_en": plain_title_en}
    for key, english in children.items():
        changes[key] = [{**row, "name_en": english.get(row["name"], "")} for row in doc[key]]
    services.save_draft(draft, changes, None)
    return publish(entry)


@pytest.fixture
def catalog(region):
    return build_catalog(region)


def test_the_english_pages_example_finds_birth_registration_without_english_names(catalog):
    assert names("having a baby")[0] == "出生登记"
    assert names("Having a baby?")[0] == "出生登记"  # lower-cased, punctuation dropped
    assert names("I am having a baby")[0] == "出生登记"


def test_english_names_are_searched_as_words(catalog):
    translate(catalog["city_public_security/出生登记"], "Birth registration", "Registering a newborn baby")
    translate(catalog["city_public_security/居民身份证补领"], "Replacement of the ID card", "Lost ID card")
    for q in ("registering baby", "Birth Registration", "lost id card"):
        assert not synonyms.matched_phrases(q), q  # found by the English names, not the table
    assert names("registering baby") == ["出生登记"]
    assert names("Birth Registration") == ["出生登记"]
    assert names("lost id card")[0] == "居民身份证补领"
    # Chinese questions are answered as before.
    assert names("生孩子")[0] == "出生登记"
    assert names("身份证丢了")[0] == "居民身份证补领"


def test_letter_pairs_match_no_english_name(catalog):
    translate(catalog["city_public_security/出生登记"], "Birth registration", "Registering a newborn baby")
    tokens = Entry.objects.get(pk=catalog["city_public_security/出生登记"].pk).search_tokens
    words = set(tokens.replace("|", " ").split())
    assert {"birth", "registration", "registering", "newborn", "baby"} <= words
    assert not {"bi", "ir", "re", "eg", "ne", "ba", "a"} & words  # no bigrams, no stop words
    # "having" shares letter pairs (in, ng …) with "registering": nothing comes of it.
    assert names("having fun") == []
    assert names("moving to mars") == []


def test_english_situation_names_are_searched(catalog):
    translate(
        catalog["city_health/出生医学证明签发"],
        "Issue of the medical birth certificate",
        situations={"首次签发": "First issue", "换发": "Reissue"},
    )
    assert names("reissue") == ["出生医学证明签发"]


# --- The demo catalog ----------------------------------------------------------------------


def first_card(q: str):
    _count, found = page_of_services(ItemFilters(q=q), 1, 1)
    return service_card(found[0]) if found else None


@pytest.mark.parametrize(
    ("q", "chinese", "english"),
    [
        ("having a baby", "户口登记（出生登记）", "Registering a newborn baby"),
        ("selling a flat", "不动产转移登记", "Selling or buying a flat: transfer of ownership"),
        (
            "opening a restaurant",
            "食品经营许可",
            "Food business licence for opening a restaurant or food shop",
        ),
        ("retiring", "职工正常退休申请", "Retiring and drawing your pension"),
    ],
)
def test_the_english_pages_examples_find_the_demo_service_and_read_in_english(
    demo_catalog, q, chinese, english
):
    assert q in ENGLISH_EXAMPLES
    with translation.override("en"):
        card = first_card(q)
    assert card is not None and Entry.objects.get(code=card.code).name == chinese
    assert card.title == english
    with translation.override("zh-hans"):
        assert first_card(q).title != english  # the same card in Chinese: the Chinese title


def test_demo_english_words_find_featured_entries(demo_catalog):
    with translation.override("en"):
        assert first_card("driving licence").title == "Renewing or replacing a driving licence"
        assert first_card("cut down trees").title == "Permit to cut down trees"
        assert first_card("fireworks").title == "Licence to sell fireworks for the Spring Festival"
    assert search.ranked_ids("quantum teleportation") == []

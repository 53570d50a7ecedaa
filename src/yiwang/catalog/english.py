"""English texts of the catalog (issue 13): entries, situations, materials and topics may carry an
optional English name (`name_en`, and `plain_title_en` for a guide). Pages in English show it where
it is given and the Chinese where it is not; search indexes it (`search._texts_of`).

Pure helpers over any object with `<field>` and `<field>_en` attributes (model rows, and the
guide document's dicts through `localized_value`).
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import get_language


def is_english(language: str | None = None) -> bool:
    """Whether `language` (default: the active one) is English."""
    return (language or get_language() or "").lower().startswith("en")


def localized_value(chinese: str, english: str, language: str | None = None) -> str:
    """The English text on an English page when there is one, else the Chinese."""
    english = (english or "").strip()
    return english if english and is_english(language) else chinese


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """`obj.<field>_en` on an English page when given, else `obj.<field>`."""
    return localized_value(getattr(obj, field, "") or "", getattr(obj, f"{field}_en", "") or "", language)


def is_fallback(obj: Any, field: str, language: str | None = None) -> bool:
    """True when an English page shows the Chinese text of `field` (no English given): the page
    marks it `lang="zh-Hans"` so that screen readers read it as Chinese."""
    return is_english(language) and not (getattr(obj, f"{field}_en", "") or "").strip()


def version_titles(version: Any, language: str | None = None) -> tuple[str, str]:
    """(title, official name) of a guide version as a page shows them: the plain title (else the
    official name) as the title, and the official name beside it when it differs. On an English
    page the English texts where given, each falling back to the Chinese on its own."""
    if is_english(language):
        name = (version.name_en or "").strip()
        plain = (version.plain_title_en or "").strip()
        if name or plain:
            title = plain or name
            return title, name if name and name != title else ""
    title = (version.plain_title or version.name).strip()
    return title, version.name if version.name != title else ""


# English words that tell no service from another: left out of the search index (two-letter ones
# would also match the letter pairs the search makes of every question).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "s",
        "the",
        "their",
        "to",
        "your",
        "you",
        "with",
        "what",
        "when",
        "where",
        "which",
        "who",
    ]
)


def search_texts(version: Any) -> list[str]:
    """The English texts of a guide version to index (name, plain title, situations), lower-cased,
    without stop words: `search._texts_of` indexes them as whole words."""
    texts = [version.name_en, version.plain_title_en, *(s.name_en for s in version.situations.all())]
    out = []
    for text in texts:
        kept = [w for w in re.split(r"[^0-9a-z]+", (text or "").lower()) if len(w) > 1 and w not in STOPWORDS]
        if kept:
            out.append(" ".join(kept))
    return out

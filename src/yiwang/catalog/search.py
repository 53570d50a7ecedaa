"""Chinese full-text search over published entries.

Text is segmented in the application (jieba) into a pre-tokenised column, `Entry.search_tokens`:
words of the official name, the plain title, the aliases, the department and the topics, plus
character bigrams so a wrong or missing character still matches most of a name (cheap typo
tolerance). SQLite searches it with an FTS5 table, PostgreSQL with `to_tsvector('simple', ...)`
under a GIN index; both rank by relevance. Everyday words are mapped to official ones by
`synonyms.expand` before searching.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from django.db import connection

log = logging.getLogger(__name__)
_jieba_lock = threading.Lock()
_jieba = None
_PUNCT = re.compile(r"[\s\u3000-\u303f\uff00-\uffef,.;:!?()\[\]{}<>\"'`~@#$%^&*+=|\\/、-]+")


def _tokenizer():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                _jieba = tok
    return _jieba


def words(text: str) -> list[str]:
    """jieba's search-mode words of `text`, lower-cased, punctuation dropped."""
    text = (text or "").lower()
    return [w for w in _tokenizer().cut_for_search(text) if w.strip() and not _PUNCT.fullmatch(w)]


def bigrams(text: str) -> list[str]:
    chunks = [c for c in _PUNCT.split((text or "").lower()) if c]
    grams = []
    for chunk in chunks:
        grams += [chunk[i : i + 2] for i in range(len(chunk) - 1)] or [chunk]
    return grams


def tokens_for(texts: Iterable[str]) -> str:
    """The space-separated tokens stored for an entry."""
    seen: list[str] = []
    for text in texts:
        seen += words(text) + bigrams(text)
    return " ".join(dict.fromkeys(t.replace('"', "") for t in seen if t))


def index_entry(entry) -> None:
    """Recompute an entry's tokens (published content only) and update the FTS table."""
    from yiwang.catalog.models import Entry, EntryStatus

    version = entry.published
    if version is None or entry.status == EntryStatus.CANCELLED:
        tokens = ""
    else:
        texts = [
            version.name,
            version.plain_title,
            *(version.aliases or []),
            entry.department.name,
            *(t.name for t in version.topics.all()),
            entry.catalog_item.item_type.name,
            *(s.name for s in version.situations.all()),
        ]
        tokens = tokens_for(texts)
    Entry.objects.filter(pk=entry.pk).update(search_tokens=tokens)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_entry_fts WHERE rowid = %s", [entry.pk])
            if tokens:
                cursor.execute(
                    "INSERT INTO catalog_entry_fts(rowid, tokens) VALUES (%s, %s)", [entry.pk, tokens]
                )


def query_tokens(q: str) -> list[str]:
    from yiwang.catalog.synonyms import expand

    text = expand(q)
    return list(dict.fromkeys([*words(text), *bigrams(q)]))[:40]


def ranked_ids(q: str, candidate_sql: str | None = None, limit: int = 1000) -> list[int]:
    """Entry ids matching `q`, best first."""
    tokens = [t.replace('"', "") for t in query_tokens(q) if t.strip()]
    if not tokens:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " OR ".join(f'"{t}"' for t in tokens)
            cursor.execute(
                "SELECT rowid FROM catalog_entry_fts WHERE catalog_entry_fts MATCH %s ORDER BY bm25(catalog_entry_fts) "
                "LIMIT %s",
                [match, limit],
            )
        else:
            tsquery = " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in tokens)
            cursor.execute(
                "SELECT id FROM catalog_entry WHERE to_tsvector('simple', search_tokens) @@ to_tsquery('simple', %s) "
                "ORDER BY ts_rank_cd(to_tsvector('simple', search_tokens), to_tsquery('simple', %s)) DESC, id "
                "LIMIT %s",
                [tsquery, tsquery, limit],
            )
        return [row[0] for row in cursor.fetchall()]

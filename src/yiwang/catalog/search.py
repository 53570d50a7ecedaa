"""Chinese full-text search over published entries.

Indexing. Text is segmented in the application (jieba, with the catalog's own terms added) into
a pre-tokenised column, `Entry.search_tokens`, in four groups separated by `|`:

    name       words and character bigrams of the official name
    plain      the same of the plain title (通俗名称) and the aliases: the citizen's words
    situation  the same of the situations (情形)
    meta       words of the department, the topics and the item type

Bigrams give cheap typo tolerance: a wrong or missing character still leaves most of a name's
bigrams intact. The database keeps its own index in step by itself, so nothing can go stale:

- SQLite: an FTS5 table `catalog_entry_search` with one column per group, filled by triggers on
  `catalog_entry` (insert, update of the tokens, delete: a test's flush empties it too);
- PostgreSQL: a stored generated column `catalog_entry.search_vector` =
  setweight(name, A) || setweight(plain, A) || setweight(situation, B) || setweight(meta, C) over
  `to_tsvector('simple', ...)`, with a GIN index. (Django's model does not know the column; the
  database computes it on every write.)

The databases only find matches; ranking is done here, alike for both (the FTS5 columns and the
tsvector weights still let a query be limited to a group, e.g. `name : 出生` or `'出生':A`).

Searching. The question is cleaned (question words dropped), everyday phrases are mapped to official
terms (`synonyms`), and each term gets a weight. The database finds the entries, among those the
caller may show (an Entry queryset: the filters apply in the same SQL), that hold any of the
specific terms, and counts them by official name and plain title: one group per item, however
many departments implement it (a province has hundreds of 出生登记). Every group is scored here,
by one function, from its first entry's own stored tokens and titles, so SQLite and PostgreSQL
give the same answer: term matches weighted by group (name and plain title over situations over
department and topics), exact and phrase matches of the official terms and of the question in the
name, plain title or aliases, bigram similarity for typos, then the shorter name. Entries list by
group, by code within a group; each listed entry is checked against its own tokens.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import BooleanField, Count, Min, Q, QuerySet
from django.db.models.expressions import RawSQL

from yiwang.catalog import synonyms

log = logging.getLogger(__name__)

GROUPS = ("name", "plain", "situation", "meta")
SEPARATOR = " | "
# Application ranking: how much a term found in each group counts.
GROUP_WEIGHTS = (3.0, 3.0, 1.2, 0.4)
FTS_TABLE = "catalog_entry_search"
CANDIDATES = 300  # ranked_ids lists at most this many entries
MAX_GROUPS = 2000  # at most this many groups of identical guides are scored per search
RELATIVE_CUTOFF = 0.02  # results scoring below this share of the best one are noise
MIN_SCORE = 0.3  # the least an entry's informative matches must weigh
LONG_QUESTION = 8  # characters (question words dropped) from which a question counts as long
LONG_OVERLAP = 2.5  # the weight of each further word pair a long question shares with a title

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
                for word in synonyms.DOMAIN_WORDS:
                    tok.add_word(word, freq=max(tok.suggest_freq(word, tune=False), 2000))
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


def _clean(tokens: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t for t in (tok.replace('"', "").replace("|", "") for tok in tokens) if t))


def tokens_for(texts: Iterable[str], *, with_bigrams: bool = True) -> str:
    """The space-separated tokens of some texts: words, and character bigrams for typo tolerance."""
    return _tokens_cached(tuple(t or "" for t in texts), with_bigrams)


@functools.lru_cache(maxsize=20_000)
def _tokens_cached(texts: tuple[str, ...], with_bigrams: bool) -> str:
    # Item names repeat across departments and levels: segment each text once per process.
    seen: list[str] = []
    for text in texts:
        seen += words(text) + (bigrams(text) if with_bigrams else [])
    return " ".join(_clean(seen))


def entry_tokens(
    *,
    name: str,
    plain_title: str = "",
    aliases: Sequence[str] = (),
    situations: Sequence[str] = (),
    department: str = "",
    topics: Sequence[str] = (),
    item_type: str = "",
) -> str:
    """The stored `search_tokens` of an entry: the four groups joined by SEPARATOR."""
    return SEPARATOR.join(
        [
            tokens_for([name]),
            tokens_for([plain_title, *aliases]),
            tokens_for(situations),
            tokens_for([department, *topics, item_type], with_bigrams=False),
        ]
    )


def split_groups(search_tokens: str) -> list[frozenset[str]]:
    parts = (search_tokens or "").split("|")
    parts += [""] * (len(GROUPS) - len(parts))
    head, tail = parts[: len(GROUPS) - 1], " ".join(parts[len(GROUPS) - 1 :])
    return [frozenset(p.split()) for p in [*head, tail]]


# --- Searching ---------------------------------------------------------------------------------


@dataclass
class Query:
    raw: str
    text: str  # lower-cased, question words dropped
    phrases: list[tuple[str, float]] = field(default_factory=list)  # official terms, weighted
    terms: dict[str, float] = field(default_factory=dict)  # token → weight
    retrieval: list[str] = field(default_factory=list)  # tokens the database matches
    # Precomputed for scoring: (term, weight, counts as evidence), compacted phrases, the
    # compacted question and its bigrams.
    weighted: list[tuple[str, float, bool]] = field(default_factory=list)
    compact_phrases: list[tuple[str, float]] = field(default_factory=list)
    compact: str = ""
    grams: frozenset[str] = frozenset()
    # The question's meaningful characters; when no word of it is found anywhere, the search
    # retrieves by these (`prefix`: tokens starting with one) and scores by `char_score`.
    chars: tuple[str, ...] = ()
    prefix: bool = False


def _compact(text: str) -> str:
    return _PUNCT.sub("", (text or "").lower())


def _base_weight(token: str) -> float:
    if token in synonyms.GENERIC:
        return 0.15
    return 0.25 if len(token) == 1 else 1.0


def parse_query(q: str) -> Query:
    raw = (q or "").strip()[:100]
    text = synonyms.strip_fillers(raw)
    query = Query(raw=raw, text=text)
    terms = query.terms

    def add(token: str, weight: float) -> None:
        token = token.replace('"', "").replace("|", "")
        if token and weight > terms.get(token, 0):
            terms[token] = weight

    for i, phrase in enumerate(synonyms.expansions(raw)):
        weight = max(0.4, 1.0 - 0.15 * i)
        query.phrases.append((phrase.lower(), weight))
        for token in words(phrase):
            add(token, weight * _base_weight(token))
    for token in words(text):
        add(token, _base_weight(token))
    for gram in bigrams(text):
        add(gram, 0.5 * _base_weight(gram))
    query.retrieval = _retrieval_terms(query.phrases, text, terms)
    evidence = set(query.retrieval)
    query.weighted = [(t, w, t in evidence) for t, w in terms.items()]
    query.compact_phrases = [(c, w) for p, w in query.phrases if (c := _compact(p))]
    query.compact = _compact(text)
    query.grams = frozenset(bigrams(query.compact)) if len(query.compact) >= 2 else frozenset()
    query.chars = tuple(
        dict.fromkeys(
            c for c in query.compact if "\u4e00" <= c <= "\u9fff" and c not in synonyms.FUNCTION_CHARS
        )
    )
    return query


def char_fallback(query: Query) -> Query | None:
    """The query retrieving by characters, for a question none of whose words any entry holds
    (我想开一家小饭馆 → 饭, 馆 …); None if it has too few meaningful characters to try."""
    if len(query.chars) < 2:
        return None
    return replace(query, retrieval=list(query.chars[:32]), prefix=True)


def char_score(query: Query, name: str, plain_title: str, aliases: Sequence[str]) -> float:
    """How well one entry answers a question by characters only: the share of the question's
    meaningful characters its titles hold, with the question's word pairs counting double. At
    least two characters must be found (one character alone is noise)."""
    titles = "".join(_compact(x) for x in [name, plain_title, *(aliases or [])])
    found = [c for c in query.chars if c in titles]
    if len(found) < 2:
        return 0.0
    pairs = sum(1 for g in query.grams if g in titles)
    return (len(found) + 2 * pairs) / len(query.chars) - 0.005 * len(name or "")


def _specific(token: str) -> bool:
    return len(token) >= 2 and token not in synonyms.GENERIC


def _retrieval_terms(phrases: list[tuple[str, float]], text: str, terms: dict[str, float]) -> list[str]:
    """The tokens the database matches: the most specific words of each official term (食品经营许可,
    not 经营), and the question's own informative words and bigrams. Common words still count in
    the ranking; they only do not widen the search."""
    out: list[str] = []
    for phrase, _weight in phrases:
        tokens = [t for t in words(phrase) if _specific(t)]
        if tokens:
            longest = max(len(t) for t in tokens)
            out += [t for t in tokens if len(t) >= 3 or len(t) == longest]
    out += [t for t in [*words(text), *bigrams(text)] if _specific(t)]
    out = [t.replace('"', "").replace("|", "") for t in out]
    out = list(dict.fromkeys(t for t in out if t))
    return (out or [t for t, _w in sorted(terms.items(), key=lambda kv: -kv[1])])[:32]


def _best_group_weight(search_tokens: str) -> dict[str, float]:
    """token → the weight of the strongest group holding it."""
    best: dict[str, float] = {}
    for part, weight in zip(search_tokens.split("|", len(GROUPS) - 1), GROUP_WEIGHTS, strict=False):
        for token in part.split():
            if best.get(token, 0.0) < weight:
                best[token] = weight
    return best


def score(query: Query, name: str, plain_title: str, aliases: Sequence[str], tokens: str) -> float:
    """How well one entry answers the query (0 = not at all). Pure: the same on every database."""
    best = _best_group_weight(tokens or "")
    matched = evidence = 0.0
    for term, weight, counts in query.weighted:
        found = best.get(term)
        if found:
            matched += weight * found
            if counts:
                evidence += weight * found
    if evidence < MIN_SCORE:  # only common words matched, or a far-fetched term somewhere minor
        return 0.0
    titles = [t for t in (_compact(x) for x in [name, plain_title, *(aliases or [])]) if t]
    bonus = 0.0
    for phrase, weight in query.compact_phrases:
        if phrase in titles:
            bonus += 8 * weight
        elif any(phrase in t for t in titles):
            bonus += 4 * weight
    q = query.compact
    if query.grams and titles:
        if q in titles:
            bonus += 10
        elif any(q in t for t in titles):
            bonus += 5
        elif any(len(t) >= 2 and t in q for t in titles):
            bonus += 4
        shared = max(len(query.grams.intersection(t[i : i + 2] for i in range(len(t) - 1))) for t in titles)
        bonus += 4 * shared / len(query.grams)
        if len(q) >= LONG_QUESTION and shared >= 2:
            # A long question in the citizen's own words: each of its word pairs the plain title
            # (written in the same words) repeats is evidence the synonym table cannot outweigh.
            bonus += LONG_OVERLAP * (shared - 1)
    return matched + bonus - 0.005 * len(name or "")


def visible_entries() -> QuerySet:
    from yiwang.catalog.queries import published_entries

    return published_entries()


def _matching(query: Query, terms: Sequence[str] | None = None, prefix: bool = False) -> RawSQL:
    """The SQL condition "this catalog_entry row matches the query" (any retrieval term, or any
    of `terms`; with `prefix`, any token starting with one)."""
    terms = query.retrieval if terms is None else terms
    prefix = prefix or query.prefix
    if connection.vendor == "sqlite":
        star = "*" if prefix else ""
        match = " OR ".join(f'"{t}"{star}' for t in terms)
        return RawSQL(
            f'"catalog_entry"."id" IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)',
            [match],
            output_field=BooleanField(),
        )
    star = ":*" if prefix else ""
    tsquery = " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" + star for t in terms)
    return RawSQL(
        '"catalog_entry"."search_vector" @@ to_tsquery(\'simple\', %s)',
        [tsquery],
        output_field=BooleanField(),
    )


@contextmanager
def _planner():
    """PostgreSQL: cost random reads as on SSD or cached pages (random_page_cost 1.1, the usual
    setting) for the search queries, so a match goes through the GIN index rather than a full scan.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


@dataclass(frozen=True)
class Group:
    """Matching entries with the same official name and plain title: the same item implemented by
    several departments. They rank together, by code among themselves."""

    name: str
    plain_title: str
    count: int  # matching entries among the candidates
    representative: int
    score: float
    first_code: str = ""  # the smallest code among them


# (name, plain title, matching entries, smallest matching id, smallest matching code)
GroupRow = tuple[str, str, int, int, str]
# id → (name, plain title, aliases, tokens) of a group's smallest matching entry
GroupTexts = dict[int, tuple[str, str, Sequence[str], str]]


def ranked_groups(
    q: str | Query, candidates: QuerySet | None = None, within: Q | None = None
) -> tuple[Query, list[Group]]:
    """The groups of entries among `candidates` (default: every published entry) answering `q`,
    best first, read from the entries (`catalog.service_index` answers the same from memory when
    there is no filter but the area). With `within`, only groups with an entry matching it (a
    citizen's area) are kept, still counted over all the candidates: one statement answers both."""
    from yiwang.catalog import search_index  # it imports this module
    from yiwang.catalog.models import Entry

    query = q if isinstance(q, Query) else parse_query(q)
    if not query.retrieval:
        return query, []
    search_index.ensure_index()
    if candidates is None:
        candidates = visible_entries()
    inside = {"inside": Count("pk", filter=within)} if within is not None else {}
    with _planner():
        grouped = (
            candidates.filter(_matching(query))
            .order_by()
            .values_list("name", "plain_title")
            .annotate(n=Count("pk"), first=Min("pk"), first_code=Min("code"), **inside)
        )
        rows: list[GroupRow] = [r[:5] for r in (grouped.filter(inside__gt=0) if inside else grouped)]
    rows = largest(rows)
    texts: GroupTexts = {
        pk: (name, plain, aliases or [], tokens)
        for pk, name, plain, aliases, tokens in Entry.objects.filter(pk__in=[r[3] for r in rows]).values_list(
            "pk", "name", "plain_title", "published__aliases", "search_tokens"
        )
    }
    return rank(query, rows, texts, lambda fallback: ranked_groups(fallback, candidates, within))


def largest(rows: list[GroupRow]) -> list[GroupRow]:
    """At most MAX_GROUPS groups (a very common word): the largest."""
    if len(rows) > MAX_GROUPS:
        rows = sorted(rows, key=lambda r: (-r[2], r[0], r[1]))[:MAX_GROUPS]
    return rows


def rank(
    query: Query,
    rows: list[GroupRow],
    texts: GroupTexts,
    retry: Callable[[Query], tuple[Query, list[Group]]],
) -> tuple[Query, list[Group]]:
    """The matching groups scored, here, from their first entry's own texts (the answer does not
    depend on the database's ranking), best first, noise cut; with none, `retry` by characters."""
    by_first = {r[3]: r for r in rows}
    groups = []
    for pk, (name, plain, aliases, tokens) in texts.items():
        if pk not in by_first:
            continue
        if query.prefix:
            value = char_score(query, name, plain, aliases)
        else:
            value = score(query, name, plain, aliases, tokens)
        if value > 0:
            _n, _p, count, _f, first_code = by_first[pk]
            groups.append(Group(name, plain, count, pk, round(value, 6), first_code))
    if not groups:
        fallback = None if query.prefix else char_fallback(query)
        return retry(fallback) if fallback else (query, [])
    groups.sort(key=lambda g: (-g.score, g.name, g.plain_title))
    floor = groups[0].score * RELATIVE_CUTOFF
    return query, [g for g in groups if g.score >= floor]


def holds(query: Query, tokens: str) -> bool:
    """Whether an entry's tokens match the query, as the database's index decides it: one of the
    query's retrieval terms is one of its tokens (or, by characters, starts one)."""
    split = tokens.replace("|", " ").split()
    if query.prefix:
        return any(t.startswith(c) for t in split for c in query.retrieval)
    return not set(query.retrieval).isdisjoint(split)


def _members(query: Query, candidates: QuerySet, groups: list[Group]) -> list[tuple[int, str, int]]:
    """(group index, code, id) of the matching entries of some groups, each one checked against its
    own tokens (an index row left behind by anything can never bring in an entry)."""
    if not groups:
        return []
    index = {(g.name, g.plain_title): i for i, g in enumerate(groups)}
    which = Q()
    for g in groups:
        which |= Q(name=g.name, plain_title=g.plain_title)

    with _planner():
        rows = list(
            candidates.filter(_matching(query))
            .filter(which)
            .order_by()
            .values_list("pk", "code", "name", "plain_title", "search_tokens")
        )
    return sorted(
        (index[(name, plain)], code, pk) for pk, code, name, plain, tokens in rows if holds(query, tokens)
    )


def ranked(q: str, candidates: QuerySet | None = None, limit: int = CANDIDATES) -> list[tuple[int, float]]:
    """(entry id, score) of the entries among `candidates` answering `q`, best first: groups by
    score, entries of a group by code; at most `limit`."""
    if candidates is None:
        candidates = visible_entries()
    query, groups = ranked_groups(q, candidates)
    chosen, total = [], 0
    for g in groups:
        if total >= limit:
            break
        chosen.append(g)
        total += g.count
    return [(pk, chosen[i].score) for i, _code, pk in _members(query, candidates, chosen)][:limit]


def ranked_ids(q: str, candidates: QuerySet | None = None, limit: int = CANDIDATES) -> list[int]:
    """Entry ids matching `q`, best first."""
    return [pk for pk, _ in ranked(q, candidates, limit)]


def page_of_entries(q: str, candidates: QuerySet, page: int, page_size: int) -> tuple[int, list]:
    """One page of the entries among `candidates` answering `q`, best first, and their count."""
    query, groups = ranked_groups(q, candidates)
    count = sum(g.count for g in groups)
    start = (page - 1) * page_size
    if start >= count:
        return count, []
    window, skipped, seen = [], 0, 0
    for g in groups:  # the groups this page falls in, and how many entries come before them
        if seen + g.count <= start:
            seen += g.count
            skipped = seen
            continue
        window.append(g)
        seen += g.count
        if seen >= start + page_size:
            break
    members = _members(query, candidates, window)
    page_ids = [pk for _i, _code, pk in members[start - skipped : start - skipped + page_size]]
    by_pk = {e.pk: e for e in candidates.filter(pk__in=page_ids)} if page_ids else {}
    return count, [by_pk[pk] for pk in page_ids if pk in by_pk]

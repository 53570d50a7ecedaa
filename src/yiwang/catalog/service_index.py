"""Every visible service (official name + plain title: the same item implemented by many
departments) with what search needs of its entries, kept per process under the catalog generation
this process has seen (`core.generations.seen`): a question from the search box, with or without
the citizen's area and no other filter, is answered without reading the entries (ADR 15).

At 50,000 entries the entries' statement matched and grouped up to 17,000 rows for a long
question (10–110 ms of the database's time); there are a few hundred services among them. The
answer is the same as `search.ranked_groups` over the entries (`tests/catalog/test_service_index.py`
compares them): the same retrieval rule (`search.holds`), the same scoring (`search.rank`) and the
same area rule (`core.areas.offers`). Built by one statement over the visible entries, once per
generation and process (a build holds a lock: the other threads wait for it instead of building
too); inside a transaction, which may see its own uncommitted changes, it is built for the call
and not kept (`generations.memo_usable`). A change that bumps no generation (an entry edited in
the admin site) is seen within `SECONDS`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from yiwang.catalog import search
from yiwang.core import areas, generations
from yiwang.core.memo import Memo
from yiwang.core.models import Division

SECONDS = 300
_MEMO = Memo(size=2, ttl=SECONDS)
_LOCK = threading.Lock()


@dataclass
class Service:
    """A service's visible entries with tokens, in id order: entry i is bit i of a bit set."""

    name: str
    plain_title: str
    ids: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    aliases: list[list[str]] = field(default_factory=list)
    by_code: list[int] = field(default_factory=list)  # the entries' positions, smallest code first
    divisions: dict[tuple[str, str], int] = field(default_factory=dict)  # (prefix, code) → entries


class ServiceIndex:
    def __init__(self, services: list[Service], postings: dict[str, dict[int, int]]):
        self.services = services
        self.postings = postings  # token → {service's position: its entries holding it}
        self.by_initial: dict[str, list[str]] = defaultdict(list)  # first character → tokens
        for token in postings:
            self.by_initial[token[0]].append(token)

    def matching(self, query: search.Query) -> dict[int, int]:
        """The services with entries matching the query (`search.holds`): service → entries."""
        terms = query.retrieval
        if query.prefix:
            tokens = dict.fromkeys(
                t for c in terms for t in self.by_initial.get(c[:1], ()) if t.startswith(c)
            )
        else:
            tokens = dict.fromkeys(t for t in terms if t in self.postings)
        found: dict[int, int] = {}
        for token in tokens:
            for service, entries in self.postings[token].items():
                found[service] = found.get(service, 0) | entries
        return found

    def ranked_groups(self, q: str | search.Query, area: Division | None = None):
        """What `search.ranked_groups(q, visible entries, offered_in(area))` answers."""
        query = q if isinstance(q, search.Query) else search.parse_query(q)
        if not query.retrieval:
            return query, []
        rows: list[search.GroupRow] = []
        texts: search.GroupTexts = {}
        offered: dict[tuple[str, str], bool] = {}

        def offers(division: tuple[str, str]) -> bool:
            if division not in offered:
                offered[division] = areas.offers(area, *division)
            return offered[division]

        for at, entries in self.matching(query).items():
            service = self.services[at]
            if area is not None and not any(
                entries & members and offers(division) for division, members in service.divisions.items()
            ):
                continue
            first = (entries & -entries).bit_length() - 1  # ids are in order: the smallest
            first_code = next(service.codes[i] for i in service.by_code if entries >> i & 1)
            rows.append(
                (service.name, service.plain_title, entries.bit_count(), service.ids[first], first_code)
            )
            texts[service.ids[first]] = (
                service.name,
                service.plain_title,
                service.aliases[first],
                service.tokens[first],
            )
        rows = search.largest(rows)
        return search.rank(query, rows, texts, lambda fallback: self.ranked_groups(fallback, area))


def build() -> ServiceIndex:
    """One statement over the visible entries that have tokens."""
    rows = (
        search.visible_entries()
        .exclude(search_tokens="")
        .order_by("pk")
        .values_list(
            "pk",
            "code",
            "name",
            "plain_title",
            "search_tokens",
            "published__aliases",
            "department__division__prefix",
            "department__division__code",
        )
    )
    found: dict[tuple[str, str], int] = {}
    services: list[Service] = []
    positions: dict[str, dict[int, list[int]]] = defaultdict(dict)  # token → service → entries
    for pk, code, name, plain, tokens, aliases, prefix, division in rows.iterator(chunk_size=5000):
        at = found.get((name, plain))
        if at is None:
            at = found[(name, plain)] = len(services)
            services.append(Service(name, plain))
        service = services[at]
        i = len(service.ids)
        service.ids.append(pk)
        service.codes.append(code)
        service.tokens.append(tokens)
        service.aliases.append(aliases or [])
        bit = 1 << i
        service.divisions[(prefix, division)] = service.divisions.get((prefix, division), 0) | bit
        for token in set(tokens.replace("|", " ").split()):
            positions[token].setdefault(at, []).append(i)
    for service in services:
        service.by_code = sorted(range(len(service.ids)), key=service.codes.__getitem__)
    postings = {
        token: {
            at: _bits(service_positions, len(services[at].ids))
            for at, service_positions in by_service.items()
        }
        for token, by_service in positions.items()
    }
    return ServiceIndex(services, postings)


def _bits(positions: list[int], size: int) -> int:
    if len(positions) == size:  # every entry of the service (the usual case): no loop
        return (1 << size) - 1
    bits = 0
    for i in positions:
        bits |= 1 << i
    return bits


def current() -> ServiceIndex:
    """The index for the catalog as this process has seen it."""
    if not generations.memo_usable():
        return build()
    key = str(generations.seen(generations.CATALOG))
    with _LOCK:
        return _MEMO.get(key, build)


def forget() -> None:
    _MEMO.clear()

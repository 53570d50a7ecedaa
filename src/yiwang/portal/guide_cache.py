"""The guide page (`/items/<code>/`), fast for the readers who make most of the portal's traffic.

A published version never changes, so its guide body — everything between the breadcrumb and the
version line, except the apply box — is rendered once per published version and language and kept
in the `guides` cache (ADR 14). One statement, on the entry's row alone, finds its published
version with what the body shows that changes without a new version: the status and its reason
(the suspension notice). Both enter the cache key, so a new version, a suspension or a resumption
is a new key: nothing has to be invalidated, in this process or in another. That statement's row
is itself kept per process under the catalog generation (`published_row`): a repeat reader's
guide runs no statement, and another process's publication or suspension shows within
`generations.FRESH`. Names the body takes from other tables (department, division, item type,
topics) enter the key through the directory generation, which their admin pages bump: a rename
shows within `generations.FRESH` too.

The body is rendered without the request: nothing of the reader (name, CSRF token, 长辈模式,
messages) can enter it. The shell around it (`base.html`'s header, the apply box with its CSRF
token and the enterprises a signed-in person acts for) is the reader's:

- a signed-in reader, or one with a message waiting, or a URL with a query string: the shell is
  rendered on the request around the cached body;
- an anonymous reader (most readers): what the shell holds then is the same for every anonymous
  reader but for the CSRF token (and the path, which is the guide's own), so the whole page is
  kept too, per body key and 长辈模式, with a random placeholder where the token goes; each
  request puts a fresh mask of its own reader's secret in its place.

Anonymous readers get a weak ETag and a 304 when they send it back: the ETag covers the body as
rendered (a digest kept with it, so a rename seen when an entry expires is a new ETag too), the
language, 长辈模式, the CSRF secret of their cookie (the page carries a token of it), the path and
the templates and translations this process serves. Signed-in readers get no ETag (their
header, apply box and messages depend on more than the key); nobody gets `Last-Modified`, since a
suspension changes no date the page could carry.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from yiwang.catalog import queries
from yiwang.core import generations
from yiwang.core.memo import Memo
from yiwang.core.models import Generation
from yiwang.portal import anonymous_pages, presenters

CACHE_ALIAS = "guides"
TIMEOUT = 600  # seconds: bounds the memory of bodies nobody asks for any more
# Where the per-request apply box goes in the cached body; autoescaping keeps any text of the
# guide from spelling it.
APPLY_SLOT = "<!--yiwang:guide-apply-->"
# Everything the page's HTML comes from, for the keys and the ETag: a deploy that changes one
# changes them all.
TEMPLATES = (
    "base.html",
    "portal/guide.html",
    "portal/_guide_body.html",
    "portal/_guide_apply.html",
    "portal/_materials.html",
)
# Read with the published version id in the one statement, from the entry's row alone: what the
# body shows that may change without a new version (the suspension notice), and `published_at`,
# so a version id a rolled-back database gave again is not taken for the old one. Joining the
# department, division and item type for their names made PostgreSQL plan a five-table join on
# every request (~0.4 ms of its CPU against ~0.05 ms); their renames, like a topic's, reach the
# key through the directory generation instead, read in the same statement (a subquery on the
# counters' primary key): their admin pages bump it, and the catalog generation with it, so the
# kept row is read again.
LOOKUP_FIELDS = ("published_id", "published_at", "status", "status_reason", "directory")
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
ROW_SECONDS = 60
ROWS = Memo(size=5000, ttl=ROW_SECONDS)  # published_row
_CODE = "\x00guide-code\x00"  # stands for the code while the statement is compiled


@dataclass(frozen=True)
class GuideBody:
    """A rendered guide body: the HTML before and after the apply box, and what the apply box
    needs (`apply` is None when there is none: a suspended entry)."""

    title: str
    head: str
    tail: str
    apply: dict[str, Any] | None
    digest: str  # of everything above: what the ETag covers of the guide


@dataclass(frozen=True)
class AnonymousPage:
    """The whole page as an anonymous reader without messages sees it, encoded, in the pieces
    between which its CSRF tokens go."""

    pieces: tuple[bytes, ...]  # anonymous_pages.split
    digest: str  # the body's


@functools.cache
def _lookup_statement(vendor: str) -> tuple[str, tuple[Any, ...], int]:
    """The ORM's own statement for `lookup`, compiled once per database vendor (ADR 7: building it
    costs ten times more than running it), and where the code goes among its parameters."""
    del vendor  # part of the cache key
    directory = Generation.objects.filter(key=generations.DIRECTORY).values("n")[:1]
    qs = (
        queries.published_entries()
        .filter(code=_CODE)
        .annotate(directory=Coalesce(Subquery(directory), 0))
        .values_list(*LOOKUP_FIELDS)
    )
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params), list(params).index(_CODE)


def lookup(code: str) -> tuple | None:
    """The one statement: the published version of a visible entry with what its body shows that
    can change without a new version (`LOOKUP_FIELDS`, as the driver returns them), or None."""
    sql, params, at = _lookup_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params[:at], code, *params[at + 1 :]))
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


def published_row(code: str) -> tuple | None:
    """`lookup`, kept per process under the catalog generation this process has seen (every
    publication and status change bumps it): a repeat reader's guide needs no statement. Another
    process's publication or suspension is seen within `generations.FRESH`; a change that bumps
    nothing (made around the platform's services, by hand in SQL) within `ROW_SECONDS`. Unknown
    codes are not kept."""
    if not generations.memo_usable():
        return lookup(code)
    key = f"{generations.seen(generations.CATALOG)}:{code}"
    return ROWS.get(key, lambda: lookup(code), keep=lambda row: row is not None)


def body_key(code: str, row: tuple, language: str) -> str:
    """The rendered body's key: the version and what the row adds (the directory generation
    among it), the templates, the language."""
    digest = hashlib.sha256(repr((row, _revision())).encode()).hexdigest()[:24]
    return f"guide:{code}:{row[0]}:{language}:{digest}"


def render_body(version_id: int) -> GuideBody:
    """The body of a published version in the active language (the queries of
    `version_with_children`); the request is not there to be used."""
    version = queries.version_with_children(version_id)
    context = presenters.guide_context(version.entry, version)
    html = render_to_string("portal/_guide_body.html", {**context, "apply_slot": mark_safe(APPLY_SLOT)})
    head, slot, tail = html.partition(APPLY_SLOT)
    apply = None
    if slot:
        apply = {
            "code": context["code"],
            "online_available": context["online_available"],
            "audience_code": context["audience_code"],
            "situations": [{"seq": s.seq, "name": s.name} for s in context["situations"]],
        }
    digest = hashlib.sha256(repr((context["title"], head, tail, apply)).encode()).hexdigest()[:24]
    return GuideBody(title=context["title"], head=head, tail=tail, apply=apply, digest=digest)


def guide_body(key: str, version_id: int) -> GuideBody:
    cache = caches[CACHE_ALIAS]
    body = cache.get(key)
    if body is None:
        body = render_body(version_id)
        cache.set(key, body, TIMEOUT)
    return body


def respond(request: HttpRequest, code: str) -> HttpResponse:
    """The guide page: one statement and a cache read when the page is cached; a 304 for an
    anonymous reader who has it already."""
    row = published_row(code)
    if row is None:
        raise Http404
    language = get_language() or settings.LANGUAGE_CODE
    key = body_key(code, row, language)
    if not anonymous_pages.served_whole(request):
        return _headers(_render(request, guide_body(key, row[0])), None)
    elderly = bool(getattr(request, "elderly_mode", False))
    if "CSRF_COOKIE" not in request.META:  # no secret came: the page's tokens will be of a new one
        get_token(request)
    page: AnonymousPage | None = None
    body: GuideBody | None = None
    if request.META.get("QUERY_STRING"):  # the path enters the page (the header's `next`)
        body = guide_body(key, row[0])
        digest = body.digest
    else:
        page = _anonymous_page(request, key, row[0], elderly)
        digest = page.digest
    etag = _etag(request, digest, elderly)
    if any(header in request.META for header in CONDITIONS):
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _headers(not_modified, etag)
    if page is None:
        assert body is not None
        return _headers(_render(request, body), etag)
    return _headers(HttpResponse(anonymous_pages.joined(request, page.pieces)), etag)


def _anonymous_page(request: HttpRequest, key: str, version_id: int, elderly: bool) -> AnonymousPage:
    cache = caches[CACHE_ALIAS]
    page_key = f"{key}:anonymous:{int(elderly)}"
    page = cache.get(page_key)
    if page is None:
        body = guide_body(key, version_id)
        pieces = anonymous_pages.split(lambda token: _render(request, body, csrf_token=token))
        page = AnonymousPage(pieces=pieces, digest=body.digest)
        cache.set(page_key, page, TIMEOUT)
    return page


def _render(request: HttpRequest, body: GuideBody, **extra: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "title": body.title,
        "guide_head": SafeString(body.head),
        "guide_tail": SafeString(body.tail),
        "apply": body.apply is not None,
        **(body.apply or {}),
        **extra,
    }
    return render(request, "portal/guide.html", context)


def _etag(request: HttpRequest, digest: str, elderly: bool) -> str:
    """Over the body shown, the shell's inputs (language, 长辈模式, path, the templates) and the
    reader's CSRF secret (the page carries a token of it), the secret only through an HMAC."""
    secret = request.META.get("CSRF_COOKIE", "")
    reader = salted_hmac("yiwang.portal.guide-etag", f"{secret}|{elderly}|{request.get_full_path()}")
    shown = f"{digest}|{get_language()}|{_revision()}|{reader.hexdigest()}"
    return f'W/"{hashlib.sha256(shown.encode()).hexdigest()[:32]}"'


def _headers(response: HttpResponse, etag: str | None) -> HttpResponse:
    """Revalidated on every use and kept only by the reader's browser (the page carries a CSRF
    token of theirs, and a signed-in reader's name); it varies by cookie (session, language,
    长辈模式) and by Accept-Language."""
    if etag is not None:
        response.headers["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


_revision_value: str | None = None
_revision_lock = threading.Lock()


def _revision() -> str:
    """The templates' sources and the translation catalogs this process serves, as a digest (once
    per process; on every request under DEBUG, where templates are edited while it runs): a deploy
    that changes what the page says changes every key and ETag."""
    global _revision_value
    if settings.DEBUG:
        return _digest_sources()
    if _revision_value is None:
        with _revision_lock:
            if _revision_value is None:
                _revision_value = _digest_sources()
    return _revision_value


def _digest_sources() -> str:
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    for path in settings.LOCALE_PATHS:
        for mo in sorted(Path(path).glob("*/LC_MESSAGES/*.mo")):
            stat = mo.stat()
            digest.update(f"{mo}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]

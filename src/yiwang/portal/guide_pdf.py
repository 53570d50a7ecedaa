"""The guide as a printable PDF (一次性告知单), rendered by WeasyPrint.

Fonts come from the machine through fontconfig: the setup installs Noto CJK (Debian
`fonts-noto-cjk`); WenQuanYi is a fallback. Nothing is fetched from the network: the document
is self-contained and the URL fetcher accepts only `data:` URLs (`core.pdf`). A published version never
changes, so the PDF is cached by version, status and language, and by the directory generation
(the names of its department, division, type and topics, renamed in the admin).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from yiwang.core import generations, pdf

CJK_FONT_FAMILY = pdf.CJK_SANS_FAMILY
CACHE_SECONDS = 24 * 3600


def cache_key(context: dict, language: str) -> str:
    version, entry = context["version"], context["entry"]
    published = version.published_at.isoformat() if version.published_at else ""
    directory = generations.seen(generations.DIRECTORY)
    state = hashlib.sha256(
        f"{entry.status}|{entry.status_reason}|{published}|{directory}".encode()
    ).hexdigest()[:16]
    return f"portal:guide-pdf:{entry.code}:{version.pk}:{state}:{language}"


def render_html(context: dict, request: HttpRequest | None = None) -> str:
    guide_url = reverse("portal:guide", args=[context["code"]])
    if request is not None:
        guide_url = request.build_absolute_uri(guide_url)
    return render_to_string(
        "portal/guide_pdf.html", {**context, "guide_url": guide_url, "font_family": CJK_FONT_FAMILY}
    )


def render_guide_pdf(
    context: dict, request: HttpRequest | None = None, *, language: str = "zh-hans"
) -> bytes:
    key = cache_key(context, language)
    document = cache.get(key)
    if document is None:
        document = pdf.html_to_pdf(render_html(context, request))
        cache.set(key, document, CACHE_SECONDS)
    return document

"""The guide as a printable PDF (一次性告知单), rendered by WeasyPrint.

Fonts come from the machine through fontconfig: the setup installs Noto CJK (Debian
`fonts-noto-cjk`); WenQuanYi is a fallback. Nothing is fetched from the network: the document
is self-contained and the URL fetcher accepts only `data:` URLs. A published version never
changes, so the PDF is cached by version, status and language.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

CJK_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", sans-serif'
CACHE_SECONDS = 24 * 3600

# WeasyPrint logs every rendering step at INFO; only its warnings belong in the operator's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _url_fetcher():
    import weasyprint

    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    if fetcher_class is not None:
        return fetcher_class(allowed_protocols=["data"], timeout=1)

    def refuse(url: str, *args, **kwargs):  # WeasyPrint before 68: a plain function
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        raise ValueError(f"external resources are not fetched: {url}")

    return refuse


def cache_key(context: dict, language: str) -> str:
    version, entry = context["version"], context["entry"]
    published = version.published_at.isoformat() if version.published_at else ""
    state = hashlib.sha256(f"{entry.status}|{entry.status_reason}|{published}".encode()).hexdigest()[:16]
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
    pdf = cache.get(key)
    if pdf is None:
        import weasyprint

        html = render_html(context, request)
        pdf = weasyprint.HTML(string=html, url_fetcher=_url_fetcher()).write_pdf()
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf

"""HTML to PDF with WeasyPrint, for documents that any domain produces (case documents now, signed
licences later): the machine's CJK font through fontconfig (the setup installs Noto CJK), nothing
fetched from the network (only `data:` URLs), fonts subset by HarfBuzz (`libharfbuzz-subset0`;
without it WeasyPrint falls back to fontTools, which takes seconds per CJK page instead of ~0.1 s).

The portal's guide and receipt PDFs (`portal.guide_pdf`) follow the same rules.
"""

from __future__ import annotations

import logging

CJK_FONT_FAMILY = '"Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", serif'  # official documents
CJK_SANS_FAMILY = (
    '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", sans-serif'  # guides, receipts
)

# WeasyPrint logs every rendering step at INFO; only its warnings belong in the operator's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def url_fetcher():
    """A fetcher that loads `data:` URLs only: a document never reaches outside the machine."""
    import weasyprint

    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    if fetcher_class is not None:
        return fetcher_class(allowed_protocols=["data"], timeout=1)

    def refuse(url: str, *args, **kwargs):  # WeasyPrint before 68: a plain function
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        raise ValueError(f"external resources are not fetched: {url}")

    return refuse


def html_to_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, url_fetcher=url_fetcher()).write_pdf()

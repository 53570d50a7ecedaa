"""The receipt of an application (受理回执 / 申请回执) as a PDF, rendered by WeasyPrint like the
guide (`guide_pdf`): the machine's CJK font through fontconfig, nothing fetched from the network
(only `data:` URLs, for the QR code that leads back to the case page).

A receipt carries personal data and changes as the case moves (a correction adds materials), so
it is rendered on each request and never cached.
"""

from __future__ import annotations

import segno
from django.template.loader import render_to_string

from yiwang.core import pdf


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as an SVG data URI (allowed by the pages' CSP and the PDF fetcher)."""
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


def render_html(context: dict) -> str:
    return render_to_string("portal/cases/receipt_pdf.html", {**context, "font_family": pdf.CJK_SANS_FAMILY})


def render_receipt_pdf(context: dict) -> bytes:
    return pdf.html_to_pdf(render_html(context))

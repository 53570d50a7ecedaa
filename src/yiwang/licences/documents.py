"""The licence document: a PDF with the licence's data in Chinese, the issuer's seal image and the
QR code that carries the signed payload, rendered after the issuing transaction commits and kept
with the licence (and, for a licence issued from a case, with the case's documents)."""

from __future__ import annotations

import base64
import functools
import html

import segno
from django.db import transaction
from django.template.loader import render_to_string

from yiwang.cases.delivery import store_document
from yiwang.core import pdf, uploads
from yiwang.licences import issuing
from yiwang.licences.models import Licence

CASE_DOCUMENT_KIND = "licence"


@functools.lru_cache(maxsize=128)
def _qr(text: str) -> segno.QRCode:
    # segno chooses the most readable of eight masks in Python: ~50 ms for a licence's payload.
    # A licence's payload never changes, so its wallet and workbench pages pay that once.
    return segno.make(text, error="m")


@functools.lru_cache(maxsize=128)
def qr_svg_data_uri(text: str, *, scale: int = 3) -> str:
    return _qr(text).svg_data_uri(scale=scale, border=2)


def qr_version(text: str) -> int:
    return _qr(text).version


def seal_svg(issuer_name: str) -> str:
    """The seal's image: a red ring, a star and the issuer's name (an image of the seal; the
    signature in the QR is what proves it)."""
    name = html.escape(issuer_name)
    size = 13 if len(issuer_name) <= 12 else 10
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="42mm" height="42mm" '
        'role="img" aria-label="电子印章">'
        '<circle cx="100" cy="100" r="92" fill="none" stroke="#c8102e" stroke-width="6"/>'
        '<polygon points="100,52 111,84 145,84 118,104 128,136 100,117 72,136 82,104 55,84 89,84" '
        'fill="#c8102e"/>'
        f'<text x="100" y="40" text-anchor="middle" font-size="{size}" fill="#c8102e" '
        f'font-family="Noto Serif CJK SC, serif" font-weight="bold">{name}</text>'
        '<text x="100" y="165" text-anchor="middle" font-size="14" fill="#c8102e" '
        'font-family="Noto Serif CJK SC, serif" font-weight="bold">电子证照专用章</text>'
        "</svg>"
    )


def render_html(licence: Licence) -> str:
    shown = licence.shown
    seal = "data:image/svg+xml;base64," + base64.b64encode(seal_svg(licence.issuer_name).encode()).decode()
    return render_to_string(
        "licences/licence_pdf.html",
        {
            "licence": licence,
            "title": (licence.licence_type.layout or {}).get("title") or licence.type_name,
            "note": (licence.licence_type.layout or {}).get("note", ""),
            "shown": shown,
            "holder_id": issuing.masked_holder_id(licence.holder_kind, licence.holder_id),
            "qr": qr_svg_data_uri(licence.payload),
            "seal": seal,
            "verify_url": issuing.verification_url(licence.identifier),
            "font_family": pdf.CJK_FONT_FAMILY,
        },
    )


def attach(licence: Licence) -> Licence:
    """Render and keep the licence's PDF (once); attach it to its case's documents."""
    licence = Licence.objects.select_related("licence_type", "issuer", "case", "document").get(pk=licence.pk)
    if licence.document_id is None:
        data = pdf.html_to_pdf(render_html(licence))
        title = f"{licence.type_name}-{licence.number}"
        if licence.case is not None and licence.version == 1:
            kept = store_document(licence.case, CASE_DOCUMENT_KIND, 0, data, title=licence.type_name)
            stored = kept.file
        else:
            stored = uploads.store_bytes(data, f"{title}.pdf", allowed=("pdf",), field="document")
        with transaction.atomic():
            updated = Licence.objects.filter(pk=licence.pk, document__isnull=True).update(document=stored)
        if updated:
            licence.document = stored
        else:
            licence.refresh_from_db(fields=["document"])
    return licence

"""Small generated sample files for the demo: blank forms (空白表格) and filled-in sample forms
(示例样表) as one-page A4 PDFs.

Pages are drawn with Pillow in the installed Noto CJK font and saved as a bilevel image PDF
(about 10 KB, about ten milliseconds each), so the whole demo catalog loads in seconds. Without a CJK
font the page falls back to WeasyPrint. Files are stored through `core.uploads.store_bytes`; a
file already stored under the same name is reused, so loading the demo again stores nothing new.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from yiwang.core import uploads
from yiwang.core.models import StoredFile

DPI = 120
A4 = (round(8.27 * DPI), round(11.69 * DPI))


def _px(value: float) -> int:
    """A length designed at 150 dpi, in pixels at DPI."""
    return round(value * DPI / 150)


MARGIN = _px(100)
FONT_CANDIDATES = [
    # (regular, bold, face index of Simplified Chinese in the collection)
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        2,
    ),
    (
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
        2,
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
]
FOOTER = "青山市一体化政务服务平台 · 演示数据，不作为正式办事依据"


@dataclass
class FormPage:
    """What one form shows: a title, labelled rows (with sample values; None leaves the row out
    of the sample, as a conditional field the sample's answers hide), tables, free text."""

    title: str
    rows: list[tuple[str, str | None]] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    signature: str = "申请人（签字或盖章）："
    signer: str = "张三"  # who signed the sample


# --- Drawing -----------------------------------------------------------------------------------

_fonts: dict[tuple[bool, int], object] = {}


def _font_files() -> tuple[str, str, int] | None:
    for regular, bold, index in FONT_CANDIDATES:
        if Path(regular).exists() and Path(bold).exists():
            return regular, bold, index
    return None


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    key = (bold, size)
    if key not in _fonts:
        regular, bold_file, index = _font_files()  # type: ignore[misc]
        _fonts[key] = ImageFont.truetype(bold_file if bold else regular, size, index=index)
    return _fonts[key]


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Break Chinese text into lines that fit `width` pixels (any character may end a line)."""
    if not text or draw.textlength(text, font=font) <= width:
        return [text]
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    if line:
        lines.append(line)
    return lines or [""]


class _Pages:
    """Pages drawn top to bottom; a new page starts when the next block does not fit."""

    def __init__(self, title: str, sample: bool):
        self.title, self.sample = title, sample
        self.images: list = []
        self.small = _font(_px(20))
        self.new_page()

    def new_page(self) -> None:
        from PIL import Image, ImageDraw

        image = Image.new("L", A4, 255)
        self.images.append(image)
        self.draw = ImageDraw.Draw(image)
        number = len(self.images)
        self.draw.line((MARGIN, A4[1] - _px(110), A4[0] - MARGIN, A4[1] - _px(110)), fill=0, width=1)
        self.draw.text(
            (A4[0] // 2, A4[1] - _px(80)), f"{FOOTER} · 第{number}页", font=self.small, fill=0, anchor="mm"
        )
        if self.sample:
            self.draw.text(
                (A4[0] - MARGIN, _px(60)), "样 表", font=_font(_px(34), bold=True), fill=0, anchor="rm"
            )
        self.y = _px(110) if number == 1 else _px(120)

    def room(self, height: int) -> None:
        if self.y + height > A4[1] - _px(140):
            self.new_page()


def _draw_page(page: FormPage, sample: bool) -> bytes:
    pages = _Pages(page.title, sample)
    width = A4[0] - 2 * MARGIN
    title_font, body, small = _font(_px(40), bold=True), _font(_px(24)), _font(_px(20))
    line, pad = _px(36), _px(14)
    draw = pages.draw
    for text in _wrap(draw, page.title, title_font, width):
        draw.text((A4[0] // 2, pages.y), text, font=title_font, fill=0, anchor="mm")
        pages.y += _px(54)
    tag = "示例样表（仅供填写参考）" if sample else "空白表格"
    draw.text((A4[0] - MARGIN, pages.y), tag, font=small, fill=0, anchor="rm")
    pages.y += _px(36)
    label_width = _px(330)
    for label, value in page.rows:
        if sample and value is None:
            continue  # a conditional field the sample's answers leave hidden
        value_lines = _wrap(pages.draw, value if sample else "", body, width - label_width - 2 * pad)
        label_lines = _wrap(pages.draw, label, body, label_width - 2 * pad)
        height = max(_px(58), line * max(len(value_lines), len(label_lines)) + _px(22))
        pages.room(height)
        draw, y = pages.draw, pages.y
        draw.rectangle((MARGIN, y, MARGIN + width, y + height), outline=0, width=2)
        draw.line((MARGIN + label_width, y, MARGIN + label_width, y + height), fill=0, width=2)
        for i, text in enumerate(label_lines):
            draw.text((MARGIN + pad, y + _px(16) + line * i), text, font=body, fill=0, anchor="lt")
        for i, text in enumerate(value_lines):
            draw.text(
                (MARGIN + label_width + pad, y + _px(16) + line * i), text, font=body, fill=0, anchor="lt"
            )
        pages.y += height
    row_height = _px(54)
    for caption, columns, sample_rows in page.tables:
        pages.room(_px(68) + 2 * row_height)
        pages.y += _px(20)
        pages.draw.text((MARGIN, pages.y), caption, font=body, fill=0, anchor="lt")
        pages.y += _px(44)
        col_width = width // max(1, len(columns))
        rows = [columns] + (sample_rows if sample else [[""] * len(columns)] * 3)
        for r, cells in enumerate(rows):
            pages.room(row_height)
            draw, y = pages.draw, pages.y
            draw.rectangle((MARGIN, y, MARGIN + width, y + row_height), outline=0, width=2)
            for c, text in enumerate(cells[: len(columns)]):
                x = MARGIN + c * col_width
                if c:
                    draw.line((x, y, x, y + row_height), fill=0, width=2)
                cell_font = small if r or len(text) > 8 else body
                fitted = _wrap(draw, text, cell_font, col_width - pad)[0]
                draw.text((x + pad // 2, y + row_height // 2), fitted, font=cell_font, fill=0, anchor="lm")
            pages.y += row_height
    pages.y += _px(30)
    for paragraph in page.paragraphs:
        for text in _wrap(pages.draw, paragraph, body, width):
            pages.room(_px(42))
            pages.draw.text((MARGIN, pages.y), text, font=body, fill=0, anchor="lt")
            pages.y += _px(40)
        pages.y += _px(12)
    pages.room(_px(150))
    pages.y = max(pages.y + _px(30), A4[1] - _px(290))
    signer = page.signer if sample else ""
    when = "2026 年 3 月 16 日" if sample else "　　　　年　　月　　日"
    x = MARGIN + width // 2
    pages.draw.text((x, pages.y), f"{page.signature}{signer}", font=body, fill=0, anchor="lt")
    pages.draw.text((x, pages.y + _px(54)), f"日期：{when}", font=body, fill=0, anchor="lt")
    bilevel = [image.point(lambda v: 255 if v > 150 else 0, mode="1") for image in pages.images]
    buffer = io.BytesIO()
    bilevel[0].save(buffer, "PDF", resolution=DPI, title=page.title, save_all=True, append_images=bilevel[1:])
    return buffer.getvalue()


def _weasyprint_page(page: FormPage, sample: bool) -> bytes:
    from html import escape

    import weasyprint

    rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value if sample else '')}</td></tr>"
        for label, value in page.rows
        if value is not None or not sample
    )
    tables = "".join(
        f"<h2>{escape(caption)}</h2><table><tr>{''.join(f'<th>{escape(c)}</th>' for c in columns)}</tr>"
        + "".join(
            "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
            for row in (sample_rows if sample else [[""] * len(columns)] * 3)
        )
        + "</table>"
        for caption, columns, sample_rows in page.tables
    )
    text = "".join(f"<p>{escape(p)}</p>" for p in page.paragraphs)
    tag = "示例样表（仅供填写参考）" if sample else "空白表格"
    html = (
        "<html><head><style>@page{size:A4;margin:2cm} body{font-family:'Noto Sans CJK SC',sans-serif}"
        "table{width:100%;border-collapse:collapse} th,td{border:1px solid #000;padding:6px;height:1.4em}"
        f"</style></head><body><h1>{escape(page.title)}</h1><p>{tag}</p><table>{rows}</table>{tables}"
        f"{text}<p>{escape(page.signature)}</p><p>{FOOTER}</p></body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def render_pdf(page: FormPage, *, sample: bool) -> bytes:
    """One page of a blank (sample=False) or filled-in (sample=True) form as PDF bytes."""
    if _font_files() is not None:
        return _draw_page(page, sample)
    return _weasyprint_page(page, sample)


# --- Storing -----------------------------------------------------------------------------------


class FormFiles:
    """Blank and sample PDFs of forms, generated once per distinct form name and reused by every
    material that names the same form (one instance per loading run)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str]] = {}
        self.generated = 0

    def ids_for(self, page: FormPage) -> tuple[str, str]:
        """(blank StoredFile id, sample StoredFile id) as strings, for a guide document."""
        if page.title not in self._cache:
            self._cache[page.title] = (
                self._stored(f"{page.title}（空白表格）.pdf", page, sample=False),
                self._stored(f"{page.title}（示例样表）.pdf", page, sample=True),
            )
        return self._cache[page.title]

    def _stored(self, name: str, page: FormPage, *, sample: bool) -> str:
        existing = (
            StoredFile.objects.filter(original_name=name, uploaded_by__isnull=True, kind="pdf")
            .order_by("uploaded_at")
            .first()
        )
        if existing is not None and (uploads.files_root() / existing.storage_name).exists():
            return str(existing.pk)
        self.generated += 1
        stored = uploads.store_bytes(render_pdf(page, sample=sample), name, allowed=("pdf",))
        return str(stored.pk)

"""A letter as an A4 PDF (reportlab): letterhead with logo, title and number, identity block, statement,
closing, the signer's block on the right and the verification QR on the left.

Citizen-typed text is escaped before it reaches reportlab's paragraph markup. The fonts are the
receipts' Noto Sans (assets/fonts), embedded, so every name prints whatever its script.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    HRFlowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from central.errors import CentralError
from central.letters.content import LetterContent
from central.letters.office_settings import check_logo

FONTS = Path(str(resources.files("assets") / "fonts"))
DEFAULT_LOGO = Path(str(resources.files("assets") / "images" / "office-logo.png"))
REGULAR, BOLD = "LetterSans", "LetterSans-Bold"
QR_SIDE = 30 * mm
MARGIN = 20 * mm


@cache
def _fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "NotoSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    return REGULAR, BOLD


def _style(name: str, size: float, *, bold: bool = False, align: int = TA_LEFT, indent: float = 0,
           after: float = 0) -> ParagraphStyle:
    regular, bold_font = _fonts()
    return ParagraphStyle(name, fontName=bold_font if bold else regular, fontSize=size, leading=size * 1.35,
                          alignment=align, firstLineIndent=indent, spaceAfter=after)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M", barBorder=0)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIDE, QR_SIDE, transform=[QR_SIDE / (x1 - x0), 0, 0, QR_SIDE / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


@lru_cache(maxsize=8)
def _bounded(logo_png: bytes | None) -> bytes | None:
    """The stored logo as `check_logo` makes it; one stored before that check (possibly a decompression
    bomb) is checked again here, and the default emblem drawn instead when it fails."""
    if not logo_png:
        return None
    try:
        return check_logo(logo_png)
    except CentralError:
        return None


def _letterhead(content: LetterContent, logo_png: bytes | None, width: float) -> list:
    lines = list(content.letterhead)
    styles = [_style(f"head{i}", 15 if i == len(lines) - 1 else 13, bold=True, align=TA_CENTER)
              for i in range(len(lines))]
    text = [_p(line, style) for line, style in zip(lines, styles, strict=True)]
    if content.contact:
        text.append(_p(content.contact, _style("contact", 9.5, align=TA_CENTER)))
    logo_png = _bounded(logo_png)
    source = io.BytesIO(logo_png) if logo_png else str(DEFAULT_LOGO)
    w, h = ImageReader(io.BytesIO(logo_png) if logo_png else str(DEFAULT_LOGO)).getSize()
    logo_h = 24 * mm
    logo = Image(source, width=logo_h * w / h, height=logo_h)
    table = Table([[logo, text]], colWidths=[30 * mm, width - 30 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, Spacer(1, 2 * mm), HRFlowable(width="100%", thickness=2.2, spaceAfter=0.8),
            HRFlowable(width="100%", thickness=0.6, spaceAfter=6 * mm)]


def _identity(content: LetterContent, width: float) -> Table:
    label, value = _style("label", 11), _style("value", 11)
    rows = [[_p(k, label), _p(":", label), _p(v, value)] for k, v in content.identity]
    table = Table(rows, colWidths=[45 * mm, 5 * mm, width - 60 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 10 * mm),
                               ("TOPPADDING", (0, 0), (-1, -1), 0.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6)]))
    return table


def _signature(content: LetterContent, width: float) -> Table:
    body = _style("sign", 11, align=TA_CENTER)
    signer = [_p(content.place_date, body), _p(content.signer_title.upper(), _style("signer", 11, bold=True,
                                                                                     align=TA_CENTER)),
              Spacer(1, 22 * mm),
              Paragraph(f"<u>{escape(content.signer_name or '.' * 40)}</u>", _style("name", 11, bold=True,
                                                                                      align=TA_CENTER))]
    if content.signer_nip:
        signer.append(_p(content.signer_nip, body))
    caption = _style("qr", 7.5)
    qr = [_qr(content.verify_url), Spacer(1, 1.5 * mm),
          _p("Pindai kode QR untuk memeriksa keaslian surat ini.", caption),
          _p(content.verify_url, caption)] if content.verify_url else []  # a notice, not a certificate: no QR
    table = Table([[qr, signer]], colWidths=[width - 80 * mm, 80 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _story(content: LetterContent, logo_png: bytes | None, width: float) -> list:
    paragraph = _style("body", 11, align=TA_JUSTIFY, indent=10 * mm, after=2.5 * mm)
    return [
        *_letterhead(content, logo_png, width),
        Paragraph(f"<u>{escape(content.title)}</u>", _style("title", 13, bold=True, align=TA_CENTER)),
        _p(f"Nomor: {content.number}", _style("number", 11, align=TA_CENTER, after=7 * mm)),
        _p(content.opening, _style("opening", 11, align=TA_JUSTIFY, after=2 * mm)),
        _identity(content, width), Spacer(1, 3 * mm),
        *(_p(text, paragraph) for text in content.body),
        _p(content.closing, paragraph), Spacer(1, 6 * mm),
        KeepTogether([_signature(content, width)]),
    ]


def render_letters_pdf(contents: Sequence[LetterContent], logo_png: bytes | None = None) -> bytes:
    """Several letters in one A4 PDF, each starting on a new page (`contents` not empty)."""
    buffer = io.BytesIO()
    width = A4[0] - 2 * MARGIN
    first = contents[0]
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=14 * mm,
                            bottomMargin=15 * mm, title=f"{first.title} {first.number}",
                            author=first.letterhead[-1] if first.letterhead else "", subject=first.title,
                            invariant=1)
    story: list = []
    for n, content in enumerate(contents):
        story += ([PageBreak()] if n else []) + _story(content, logo_png, width)
    doc.build(story)
    return buffer.getvalue()


def render_letter_pdf(content: LetterContent, logo_png: bytes | None = None) -> bytes:
    """The letter as a one-page (or, for very long answers, longer) A4 PDF."""
    return render_letters_pdf([content], logo_png)

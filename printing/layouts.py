"""Receipt layouts as PDF: 58 mm and 80 mm thermal rolls (as long as the content) and A4 for office printers."""

from __future__ import annotations

import io
from dataclasses import astuple, dataclass
from importlib import resources
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.settings import PAPER_SIZES
from printing.content import Receipt
from printing.errors import PrinterError
from printing.pdf_blocks import DOT, Column, draw_emblem, draw_qr, fit_size, fonts_for, logo_reader
from printing.qr import qr_matrix

#: The default emblem: drawn as vectors in PDFs (see `draw_emblem`), printed from this PNG over ESC/POS.
DEFAULT_LOGO = Path(str(resources.files("assets") / "images" / "office-logo.png"))


@dataclass(frozen=True)
class Roll:
    """A thermal paper roll: its width, the printable width, type sizes and QR module in dots."""

    width: float
    printable: float
    body: float
    reference: float
    qr_dots: int


ROLLS = {
    "58mm": Roll(58 * mm, 48 * mm, 7.5, 15, 6),
    "80mm": Roll(80 * mm, 72 * mm, 9, 20, 7),
}


def _texts(receipt: Receipt) -> list[str]:
    return [t for t in astuple(receipt) if isinstance(t, str)] + list(receipt.documents)


def _canvas(buffer: io.BytesIO, size: tuple[float, float], receipt: Receipt) -> Canvas:
    canvas = Canvas(buffer, pagesize=size, pageCompression=0, invariant=1)
    canvas.setTitle(f"{receipt.title} {receipt.reference}")
    canvas.setAuthor(receipt.office_name)
    canvas.setSubject(receipt.service_name)
    return canvas


def render_thermal(receipt: Receipt, roll: Roll, logo: Path | None = DEFAULT_LOGO) -> bytes:
    regular, bold = fonts_for(_texts(receipt))
    body = roll.body
    col = Column(roll.printable, regular, bold)
    if logo == DEFAULT_LOGO:
        col.emblem(12 * mm).space(1.5 * mm)
    elif logo is not None:
        col.image(logo_reader(logo), 12 * mm).space(1.5 * mm)
    col.text(receipt.office_name, body * 1.15, bold=True, align="center")
    col.space(1 * mm).text(receipt.title, body, align="center")
    if receipt.reprint_label:
        col.space(0.5 * mm).text(receipt.reprint_label, body, bold=True, align="center")
    col.rule()
    col.text(receipt.reference_label, body * 0.9, align="center").space(0.8 * mm)
    col.fitted(receipt.reference, roll.reference).space(0.8 * mm)
    if receipt.pin_line:
        col.text(receipt.pin_line, body * 1.2, bold=True, align="center").space(0.8 * mm)
    col.rule()
    col.label_value(receipt.service_label, receipt.service_name, body)
    col.label_value(receipt.filed_label, receipt.filed_text, body)
    col.label_value(receipt.ready_label, receipt.ready_text, body, receipt.ready_note)
    col.label_value(receipt.fee_label, receipt.fee_text, body)
    col.rule()
    col.text(receipt.documents_label, body, bold=True).space(0.6 * mm)
    for document in receipt.documents:
        col.text(document, body, indent=3 * mm, bullet="\u2022")
    col.rule()
    col.text(receipt.status_text, body * 0.95)
    col.qr(receipt.qr_payload, roll.qr_dots * DOT, 3 * mm)
    col.text(receipt.qr_caption, body * 0.85, align="center").space(1.5 * mm)
    col.text(receipt.privacy_text, body * 0.85, align="center")
    col.rule()
    col.text(receipt.footer, body * 0.8, align="center")
    margin_x = (roll.width - roll.printable) / 2
    top_margin, bottom_margin = 4 * mm, 8 * mm  # the bottom clears the cutter
    height = col.height + top_margin + bottom_margin
    buffer = io.BytesIO()
    canvas = _canvas(buffer, (roll.width, height), receipt)
    col.draw(canvas, margin_x, height - top_margin)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_a4(receipt: Receipt, logo: Path | None = DEFAULT_LOGO) -> bytes:
    regular, bold = fonts_for(_texts(receipt))
    width, height = A4
    margin = 20 * mm
    inner = width - 2 * margin
    buffer = io.BytesIO()
    canvas = _canvas(buffer, A4, receipt)
    top = height - margin

    reader = logo_reader(logo) if logo != DEFAULT_LOGO else None
    text_x = margin
    if logo == DEFAULT_LOGO:
        draw_emblem(canvas, margin, top - 22 * mm, 22 * mm)
        text_x = margin + 28 * mm
    elif reader is not None:
        canvas.drawImage(reader, margin, top - 22 * mm, 22 * mm, 22 * mm, mask="auto", preserveAspectRatio=True)
        text_x = margin + 28 * mm
    header = Column(width - margin - text_x, regular, bold)
    header.text(receipt.office_name, 16, bold=True).space(1 * mm)
    header.text(f"{receipt.office_code}  ·  {receipt.terminal_text}", 9).space(2 * mm)
    header.text(receipt.title, 13, bold=True)
    if receipt.reprint_label:
        header.text(receipt.reprint_label, 10, bold=True)
    header.draw(canvas, text_x, top)
    top -= max(24 * mm, header.height) + 4 * mm
    canvas.setLineWidth(1)
    canvas.line(margin, top, width - margin, top)
    top -= 8 * mm

    canvas.setFont(regular, 10)
    canvas.drawString(margin, top, receipt.reference_label)
    size = fit_size(receipt.reference, bold, 30, inner)
    canvas.setFont(bold, size)
    canvas.drawString(margin, top - size - 2 * mm, receipt.reference)
    if receipt.pin_line:
        canvas.setFont(bold, 14)
        canvas.drawRightString(width - margin, top - size - 2 * mm, receipt.pin_line)
    top -= size + 10 * mm

    qr_module = 1.2 * mm
    matrix = qr_matrix(receipt.qr_payload)
    qr_side = len(matrix) * qr_module
    details = Column(inner - qr_side - 12 * mm, regular, bold)
    details.label_value(receipt.service_label, receipt.service_name, 12)
    details.label_value(receipt.filed_label, receipt.filed_text, 12)
    details.label_value(receipt.ready_label, receipt.ready_text, 12, receipt.ready_note)
    details.label_value(receipt.fee_label, receipt.fee_text, 12)
    qr_x = width - margin - qr_side
    draw_qr(canvas, matrix, qr_x, top - qr_side - 2 * mm, qr_module)
    caption = Column(qr_side + 8 * mm, regular, bold).text(receipt.qr_caption, 8, align="center")
    caption.draw(canvas, qr_x - 4 * mm, top - qr_side - 5 * mm)
    end = details.draw(canvas, margin, top)
    top = min(end, top - qr_side - 6 * mm - caption.height) - 6 * mm

    rest = Column(inner, regular, bold)
    rest.text(receipt.documents_label, 12, bold=True).space(1.5 * mm)
    for document in receipt.documents:
        rest.text(document, 11, indent=5 * mm, bullet="\u2022").space(0.8 * mm)
    if receipt.steps:
        rest.space(5 * mm).text(receipt.steps_label, 12, bold=True).space(1.5 * mm)
    for number, step in enumerate(receipt.steps, 1):
        rest.text(step, 11, indent=5 * mm, bullet=f"{number}.").space(0.8 * mm)
    rest.space(5 * mm).text(receipt.status_text, 11).space(2 * mm)
    rest.text(f"{receipt.complaints_label}: {receipt.complaints_text}", 11).space(5 * mm)
    rest.text(receipt.privacy_text, 9.5)
    rest.draw(canvas, margin, top)

    canvas.setLineWidth(0.5)
    canvas.line(margin, margin + 6 * mm, width - margin, margin + 6 * mm)
    canvas.setFont(regular, fit_size(receipt.footer, regular, 8, inner))
    canvas.drawString(margin, margin, receipt.footer)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_pdf(receipt: Receipt, paper: str, logo: Path | None = DEFAULT_LOGO) -> bytes:
    """The receipt as a one-page PDF for `paper` (`58mm`, `80mm` or `a4`)."""
    if paper == "a4":
        return render_a4(receipt, logo)
    if paper in ROLLS:
        return render_thermal(receipt, ROLLS[paper], logo)
    raise PrinterError(f"unknown paper {paper!r}: use one of {', '.join(PAPER_SIZES)}")

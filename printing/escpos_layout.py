"""The receipt as ESC/POS commands for thermal printers: native text, a native QR code and a cut.

Text goes out as plain ASCII (accents folded, punctuation simplified) because cheap printers'
code pages differ and a `?` in an office name looks worse than a missing accent.
"""

from __future__ import annotations

import textwrap
import unicodedata
from functools import lru_cache
from pathlib import Path

from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from PIL import Image

from printing.content import Receipt
from printing.qr import qr_matrix

#: Characters per line in font A, printable dots, and QR module size in dots, per paper width.
COLUMNS = {"58mm": 32, "80mm": 48, "a4": 48}
DOTS = {"58mm": 384, "80mm": 576, "a4": 576}
QR_DOTS = {"58mm": 6, "80mm": 7, "a4": 7}
LOGO_DOTS = 96
_PUNCTUATION = str.maketrans({"\u2022": "-", "\u00b7": "-", "\u2014": "-", "\u2013": "-", "\u201c": '"',
                              "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2026": "..."})


def plain(text: str) -> str:
    """`text` folded to printable ASCII."""
    folded = unicodedata.normalize("NFKD", text.translate(_PUNCTUATION))
    return folded.encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=8)
def _logo(path: str, mtime: float, width: int) -> Image.Image:
    """The logo in black and white, centred on a strip as wide as the paper (printers differ in centring)."""
    with Image.open(path) as source:
        image = source.convert("L")
    height = round(image.height * LOGO_DOTS / image.width)
    strip = Image.new("L", (width, height), 255)
    strip.paste(image.resize((LOGO_DOTS, height)), ((width - LOGO_DOTS) // 2, 0))
    return strip.point(lambda v: 0 if v < 128 else 255).convert("1")


def _know_paper_width(printer: Escpos, dots: int) -> None:
    """Tells a generic printer profile the paper width, on this printer only (profiles share their data)."""
    data = printer.profile.profile_data
    width = data.get("media", {}).get("width", {})
    if width.get("pixels", "Unknown") == "Unknown":
        printer.profile.profile_data = {**data, "media": {**data.get("media", {}), "width": {**width, "pixels": dots}}}


def qr_image(payload: str, module_dots: int, width: int) -> Image.Image:
    """The QR code as a black-and-white raster with a 4-module quiet zone, centred on a paper-wide strip."""
    matrix = qr_matrix(payload)
    side = (len(matrix) + 8) * module_dots
    image = Image.new("1", (width, side), 1)
    pixels = image.load()
    left = (width - side) // 2 + 4 * module_dots
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                for dy in range(module_dots):
                    y = (row + 4) * module_dots + dy
                    for dx in range(module_dots):
                        pixels[left + col * module_dots + dx, y] = 0
    return image


def write_receipt(printer: Escpos, receipt: Receipt, paper: str, logo: Path | None = None, *,
                  cut: bool = True, native_qr: bool = True) -> None:
    """Sends the receipt to an open python-escpos printer (network, USB, serial or Dummy).

    `native_qr=False` sends the QR as a raster image, for printers without the `GS ( k` QR command.
    """
    width = COLUMNS.get(paper, 48)

    def line(text: str = "", *, align: str = "left", bold: bool = False, indent: str = "") -> None:
        printer.set(align=align, bold=bold, normal_textsize=True)
        wrapped = textwrap.wrap(plain(text), width - len(indent)) or [""]
        for i, part in enumerate(wrapped):
            prefix = indent if i == 0 or not indent else " " * len(indent)
            printer.textln(prefix + part)

    def rule() -> None:
        printer.set(align="left", bold=False, normal_textsize=True)
        printer.textln("-" * width)

    _know_paper_width(printer, DOTS.get(paper, 576))
    if logo is not None and logo.exists():
        printer.image(_logo(str(logo), logo.stat().st_mtime, DOTS.get(paper, 576)))
    line(receipt.office_name, align="center", bold=True)
    line(receipt.title, align="center")
    if receipt.reprint_label:
        line(receipt.reprint_label, align="center", bold=True)
    rule()
    line(receipt.reference_label, align="center")
    printer.set(align="center", bold=True, double_height=True, double_width=len(receipt.reference) * 2 <= width)
    printer.textln(plain(receipt.reference))
    if receipt.pin_line:
        line(receipt.pin_line, align="center", bold=True)
    rule()
    for label, value, note in (
        (receipt.service_label, receipt.service_name, ""),
        (receipt.filed_label, receipt.filed_text, ""),
        (receipt.ready_label, receipt.ready_text, receipt.ready_note),
        (receipt.fee_label, receipt.fee_text, ""),
    ):
        line(label)
        line(value, bold=True)
        if note:
            line(note)
    rule()
    line(receipt.documents_label, bold=True)
    for document in receipt.documents:
        line(document, indent="- ")
    rule()
    line(receipt.status_text)
    printer.set(align="center", normal_textsize=True)
    printer.ln()
    if native_qr:
        printer.qr(receipt.qr_payload, ec=QR_ECLEVEL_M, size=QR_DOTS.get(paper, 7), native=True)
    else:
        printer.image(qr_image(receipt.qr_payload, QR_DOTS.get(paper, 7), DOTS.get(paper, 576)))
    printer.ln()
    line(receipt.qr_caption, align="center")
    line(receipt.privacy_text, align="center")
    rule()
    line(receipt.footer, align="center")
    if cut:
        printer.cut()

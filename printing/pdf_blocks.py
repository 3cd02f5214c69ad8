"""A tiny flowing-column layout on a reportlab canvas: measure first, then draw.

Thermal receipts are as long as their content, so a layout is built as a column of blocks whose
heights are known before the page exists; the page is then sized to fit and the blocks drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from printing.qr import qr_matrix

#: One dot of a 203 dpi thermal head, in points: QR modules are whole dots so they print crisp.
DOT = 72 / 203

_BUILTIN = ("Helvetica", "Helvetica-Bold")
_NOTO = ("LoketSans", "LoketSans-Bold")
_NOTO_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/noto")

Draw = Callable[[Canvas, float, float], None]


@lru_cache(maxsize=1)
def _noto_fonts() -> tuple[str, str] | None:
    """Registers Noto Sans (assets/fonts, else the system's) once; None when neither is there."""
    bundled = Path(str(resources.files("assets") / "fonts"))
    for folder in (bundled, _SYSTEM_FONTS):
        paths = [folder / name for name in _NOTO_FILES]
        if all(p.exists() for p in paths):
            for name, path in zip(_NOTO, paths, strict=True):
                pdfmetrics.registerFont(TTFont(name, str(path)))
            return _NOTO
    return None


def fonts_for(texts: list[str]) -> tuple[str, str]:
    """(regular, bold) font names: the built-in Helvetica when it can show every character, else Noto Sans.

    Helvetica needs no embedding, which keeps a thermal receipt well under its render budget; Noto
    covers names and words that fall outside Latin-1 (it is embedded, subset, only when needed).
    """
    try:
        for text in texts:
            text.encode("cp1252")
        return _BUILTIN
    except UnicodeEncodeError:
        return _noto_fonts() or _BUILTIN


@lru_cache(maxsize=8)
def image_reader(path: str, mtime: float) -> ImageReader:
    return ImageReader(path)


def logo_reader(path: Path | None) -> ImageReader | None:
    if path is None or not path.exists():
        return None
    return image_reader(str(path), path.stat().st_mtime)


def fit_size(text: str, font: str, size: float, width: float) -> float:
    """`size`, made smaller when needed so that `text` fits on one line of `width`."""
    natural = stringWidth(text, font, size)
    return size if natural <= width else size * width / natural


def draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, module: float) -> float:
    """Draws a QR code's modules with its lower-left corner at (x, y); returns its side length."""
    count = len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + (count - row_index - 1) * module
        start = None
        for col, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + start * module, top, (col - start) * module, module)
                start = None
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    return count * module


@dataclass
class Column:
    """Blocks stacked top to bottom inside a column of fixed `width`."""

    width: float
    regular: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    blocks: list[tuple[float, Draw]] = field(default_factory=list)

    @property
    def height(self) -> float:
        return sum(h for h, _ in self.blocks)

    def space(self, height: float) -> Column:
        self.blocks.append((height, lambda c, x, y: None))
        return self

    def text(self, text: str, size: float, *, bold: bool = False, align: str = "left",
             leading: float = 1.22, indent: float = 0.0, bullet: str = "") -> Column:
        """Wrapped text; `bullet` hangs in the indent of the first line."""
        font = self.bold if bold else self.regular
        lines = simpleSplit(text, font, size, self.width - indent) or [""]
        step = size * leading

        def draw(c: Canvas, x: float, top: float) -> None:
            c.setFont(font, size)
            c.setFillGray(0)
            if bullet:
                c.drawString(x, top - size, bullet)
            for i, line in enumerate(lines):
                baseline = top - size - i * step
                if align == "center":
                    c.drawCentredString(x + indent + (self.width - indent) / 2, baseline, line)
                elif align == "right":
                    c.drawRightString(x + self.width, baseline, line)
                else:
                    c.drawString(x + indent, baseline, line)

        self.blocks.append((size + (len(lines) - 1) * step + size * (leading - 1), draw))
        return self

    def fitted(self, text: str, size: float, *, bold: bool = True, align: str = "center") -> Column:
        """One line, shrunk to the column's width if needed (the reference number)."""
        return self.text(text, fit_size(text, self.bold if bold else self.regular, size, self.width),
                         bold=bold, align=align, leading=1.15)

    def label_value(self, label: str, value: str, size: float, note: str = "") -> Column:
        self.text(label, size * 0.85).text(value, size, bold=True)
        if note:
            self.text(note, size * 0.8)
        return self.space(size * 0.35)

    def rule(self, *, gap: float = 2 * mm, dashed: bool = True) -> Column:
        def draw(c: Canvas, x: float, top: float) -> None:
            c.setLineWidth(0.6)
            c.setDash(2, 2) if dashed else c.setDash()
            c.line(x, top - gap / 2, x + self.width, top - gap / 2)
            c.setDash()

        self.blocks.append((gap, draw))
        return self

    def qr(self, payload: str, module: float, quiet: float) -> Column:
        """The QR code centred, with a quiet zone of `quiet` above and below."""
        matrix = qr_matrix(payload)
        side = len(matrix) * module

        def draw(c: Canvas, x: float, top: float) -> None:
            draw_qr(c, matrix, x + (self.width - side) / 2, top - quiet - side, module)

        self.blocks.append((side + 2 * quiet, draw))
        return self

    def image(self, reader: ImageReader | None, height: float) -> Column:
        if reader is None:
            return self
        w, h = reader.getSize()
        width = height * w / h

        def draw(c: Canvas, x: float, top: float) -> None:
            c.drawImage(reader, x + (self.width - width) / 2, top - height, width, height, mask="auto")

        self.blocks.append((height, draw))
        return self

    def draw(self, canvas: Canvas, x: float, top: float) -> float:
        """Draws every block from `top` down; returns the y where the column ends."""
        for height, draw in self.blocks:
            draw(canvas, x, top)
            top -= height
        return top

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


def draw_emblem(canvas: Canvas, x: float, y: float, size: float) -> None:
    """The default office emblem (a civic building in a ring) as vectors, crisp at any resolution.

    assets/images/office-logo.png is the same drawing as pixels, for ESC/POS printers.
    """
    def at(u: float, v: float) -> tuple[float, float]:  # u, v in 0..1 from the top-left corner
        return x + u * size, y + (1 - v) * size

    canvas.saveState()
    canvas.setLineWidth(size * 0.046)
    canvas.circle(x + size / 2, y + size / 2, size * 0.46, stroke=1, fill=0)
    roof = canvas.beginPath()
    for polygon in (((0.18, 0.40), (0.5, 0.20), (0.82, 0.40)), ((0.30, 0.365), (0.70, 0.365), (0.5, 0.255))):
        roof.moveTo(*at(*polygon[0]))
        for corner in polygon[1:]:
            roof.lineTo(*at(*corner))
        roof.close()
    canvas.drawPath(roof, stroke=0, fill=1, fillMode=0)  # even-odd: the inner triangle stays white
    bars = [(0.18, 0.40, 0.82, 0.44), (0.18, 0.72, 0.82, 0.755), (0.13, 0.775, 0.87, 0.81)]
    bars += [(0.24 + i * 0.15, 0.47, 0.31 + i * 0.15, 0.70) for i in range(4)]
    for left, top, right, bottom in bars:
        x0, y0 = at(left, bottom)
        canvas.rect(x0, y0, (right - left) * size, (bottom - top) * size, stroke=0, fill=1)
    canvas.restoreState()


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

    def emblem(self, size: float) -> Column:
        self.blocks.append((size, lambda c, x, top: draw_emblem(c, x + (self.width - size) / 2, top - size, size)))
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

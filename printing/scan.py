"""Reading receipt QR codes back from a photo, a scan or a receipt PDF (for `loket receipt verify`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from printing.errors import MalformedPayload

#: A thermal head's resolution: a PDF is looked at the way the printer would print it.
SCAN_DPI = 203


def pdf_to_png(pdf: Path, png: Path, dpi: int = SCAN_DPI) -> Path:
    """The first page of `pdf` as a PNG (poppler's pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        raise MalformedPayload("reading a PDF needs pdftoppm (apt package poppler-utils)")
    result = subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", "1", str(pdf),
                             str(png.with_suffix(""))], capture_output=True, timeout=60, check=False)
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MalformedPayload(f"{pdf} is not a readable PDF{f': {detail[0]}' if detail else ''}")
    return png


def read_qr_codes(path: Path) -> list[str]:
    """The texts of every QR code in an image file (PNG, JPEG, ...) or in the first page of a PDF."""
    import zxingcpp

    if path.suffix.lower() == ".pdf":
        with tempfile.TemporaryDirectory() as tmp:
            png = pdf_to_png(path, Path(tmp) / "page.png")
            with Image.open(png) as image:
                image.load()
                return _decode(zxingcpp, image)
    try:
        with Image.open(path) as image:
            image.load()
            return _decode(zxingcpp, image)
    except UnidentifiedImageError:
        raise MalformedPayload(f"{path} is neither an image nor a PDF") from None


def _decode(zxingcpp: Any, image: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found]

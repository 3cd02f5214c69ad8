"""The letter logo cannot be a decompression bomb (issue 23, finding 4): its pixels are bounded from the PNG
header before decoding, it is re-encoded to what a letter needs, and a bomb stored before that check
does not slow letters down."""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from central.errors import CentralError
from central.letters.content import LetterContent
from central.letters.office_settings import LETTER_LOGO_PX, MAX_LOGO_BYTES, check_logo
from central.letters.pdf import render_letter_pdf

LOGO = Path(__file__).resolve().parents[2] / "assets" / "images" / "office-logo.png"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int) -> bytes:
    """A black-and-white PNG `side` x `side`, all black: about side²/8000 KB on disk, far more decoded."""
    packer = zlib.compressobj(9)
    row = b"\x00" * ((side + 7) // 8 + 1)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [9000, 20000])
def test_a_small_png_claiming_many_pixels_is_refused_before_decoding(side):
    bomb = bomb_png(side)
    assert len(bomb) <= MAX_LOGO_BYTES
    started = time.perf_counter()
    with pytest.raises(CentralError, match="pixels|not a readable PNG"):
        check_logo(bomb)
    assert time.perf_counter() - started < 0.5


def test_a_large_logo_is_re_encoded_to_what_a_letter_needs():
    big = io.BytesIO()
    Image.new("RGB", (1800, 900), "navy").save(big, format="PNG")
    stored = check_logo(big.getvalue())
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and max(image.size) == LETTER_LOGO_PX and image.size == (600, 300)


def test_the_default_emblem_passes_and_stays_its_size():
    with Image.open(io.BytesIO(check_logo(LOGO.read_bytes()))) as image:
        assert image.size == (240, 240)


def test_a_bomb_stored_before_the_check_is_drawn_as_the_default_emblem_in_no_time():
    content = LetterContent(
        letterhead=("PEMERINTAH KOTA BANDUNG", "KELURAHAN BRAGA"), contact="Jl. Braga 1", title="SURAT KETERANGAN",
        number="001/SKD/2026", opening="Yang bertanda tangan di bawah ini", identity=(("Nama", "S***"),),
        body=("menerangkan.",), closing="Demikian.", place_date="Bandung, 4 Desember 2026", signer_title="Lurah",
        signer_name="Drs. Asep", signer_nip="1970", verify_url="http://127.0.0.1/v/x", reference="K7Q2-2611-0042-X",
        service_code="SKD")
    started = time.perf_counter()
    pdf = render_letter_pdf(content, bomb_png(9000))
    assert pdf.startswith(b"%PDF") and time.perf_counter() - started < 2.0

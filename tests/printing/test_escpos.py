"""ESC/POS thermal printers: the bytes carry a native QR and a cut; faults become one clear PrinterError."""

from __future__ import annotations

import socket
import struct
import threading

import pytest
import zxingcpp
from escpos.printer import Dummy
from PIL import Image

from kiosk.store import Application
from kiosk.terminal import Terminal
from printing import PrinterError, print_receipt, receipt_for, reprint_receipt, verify_qr_payload
from printing.backends.escpos import parse_printer_url
from printing.escpos_layout import plain, write_receipt
from printing.layouts import DEFAULT_LOGO
from tests.printing.conftest import LoopbackPrinter, free_port

GS = b"\x1d"
QR_STORE = GS + b"(k"        # GS ( k: the 2D-code function
FULL_CUT = GS + b"V\x00"
PAPER_QUERY = b"\x10\x04\x04"  # DLE EOT 4


def native_qr_payload(data: bytes) -> str:
    """The text stored by `GS ( k … 1 P 0 <data>` (function 180), as the printer would read it."""
    start = data.index(QR_STORE)
    while True:
        length = data[start + 3] + 256 * data[start + 4]
        cn, fn = data[start + 5], data[start + 6]
        if (cn, fn) == (ord("1"), ord("P")):
            return data[start + 8:start + 5 + length].decode("ascii")
        start = data.index(QR_STORE, start + 5)


@pytest.mark.parametrize("paper", ["58mm", "80mm"])
def test_dummy_printer_gets_a_native_qr_with_the_signed_payload_and_a_cut(
    terminal: Terminal, filed: Application, paper: str,
) -> None:
    printer = Dummy()
    receipt = receipt_for(terminal, filed, "id")
    write_receipt(printer, receipt, paper, DEFAULT_LOGO)
    data = printer.output
    assert native_qr_payload(data) == receipt.qr_payload
    assert verify_qr_payload(native_qr_payload(data), {"K7Q2": terminal.identity.verify_key}).reference == \
        filed.reference
    assert data.endswith(FULL_CUT)
    assert data.index(QR_STORE) < data.rindex(FULL_CUT)
    for text in (b"Kelurahan Braga", filed.reference.encode(), b"Surat Keterangan Usaha", b"Foto tempat usaha"):
        assert text in data
    assert GS + b"v0" in data  # the logo as a raster image


def test_lines_fit_the_paper_width(terminal: Terminal, filed: Application) -> None:
    printer = Dummy()
    write_receipt(printer, receipt_for(terminal, filed, "en"), "58mm", None)
    text_lines = [line for line in printer.output.split(b"\n") if line and b"\x1b" not in line and b"\x1d" not in line]
    assert text_lines and max(len(line) for line in text_lines) <= 32


def test_text_is_folded_to_ascii_for_any_code_page() -> None:
    assert plain("Kelurahan Tāmān · Ŝari — “ok”") == 'Kelurahan Taman - Sari - "ok"'


def test_network_printer_receives_the_receipt(
    terminal: Terminal, filed: Application, loopback_printer: LoopbackPrinter,
) -> None:
    terminal.update_settings(printer_backend="escpos", printer_escpos_url=loopback_printer.url, printer_paper="58mm")
    job = print_receipt(terminal, filed)
    assert job.backend == "escpos" and job.pdf_path is None and loopback_printer.url in job.description
    data = loopback_printer.wait_for_jobs(1)[0]
    assert data.startswith(PAPER_QUERY)
    assert native_qr_payload(data).startswith(f"LK1:{filed.reference}:SKU:")
    assert FULL_CUT in data


def test_refused_connection_is_a_clear_error_and_reprint_works_once_the_printer_is_back(
    terminal: Terminal, filed: Application,
) -> None:
    port = free_port()
    terminal.update_settings(printer_backend="escpos", printer_escpos_url=f"tcp://127.0.0.1:{port}")
    with pytest.raises(PrinterError, match=f"cannot reach the receipt printer at tcp://127.0.0.1:{port}") as raised:
        print_receipt(terminal, filed)
    assert "\n" not in str(raised.value)
    assert str(raised.value).endswith("Connection refused")
    assert terminal.store.get(filed.reference).state == "queued"

    printer = LoopbackPrinter(port)
    try:
        job = reprint_receipt(terminal, filed.reference)
        assert job.reference == filed.reference
        data = printer.wait_for_jobs(1)[0]
        assert b"CETAK ULANG" in data and FULL_CUT in data
    finally:
        printer.close()


def test_printer_reporting_no_paper_is_a_clear_error(terminal: Terminal, filed: Application) -> None:
    printer = LoopbackPrinter(paper=LoopbackPrinter.PAPER_OUT)
    try:
        terminal.update_settings(printer_backend="escpos", printer_escpos_url=printer.url)
        with pytest.raises(PrinterError, match="is out of paper"):
            print_receipt(terminal, filed)
        data = printer.wait_for_jobs(1)[0]
        assert QR_STORE not in data  # nothing was printed on an empty roll
        assert terminal.store.get(filed.reference).state == "queued"
    finally:
        printer.close()


def test_status_check_can_be_switched_off(terminal: Terminal, filed: Application) -> None:
    printer = LoopbackPrinter(paper=LoopbackPrinter.PAPER_OUT)
    try:
        terminal.update_settings(printer_backend="escpos", printer_escpos_url=printer.url + "?status=0")
        print_receipt(terminal, filed)
        data = printer.wait_for_jobs(1)[0]
        assert PAPER_QUERY not in data and QR_STORE in data
    finally:
        printer.close()


@pytest.mark.parametrize("url,expected", [
    ("tcp://10.0.0.5", ("tcp", "10.0.0.5", 9100)),
    ("tcp://printer.local:9101", ("tcp", "printer.local", 9101)),
])
def test_network_urls(url: str, expected: tuple) -> None:
    address = parse_printer_url(url)
    assert (address.kind, address.host, address.port) == expected


def test_usb_and_serial_urls() -> None:
    usb = parse_printer_url("usb://04b8:0202")
    assert (usb.kind, usb.vendor, usb.product) == ("usb", 0x04B8, 0x0202)
    serial = parse_printer_url("serial:///dev/ttyUSB0?baudrate=19200")
    assert (serial.kind, serial.device, serial.baudrate) == ("serial", "/dev/ttyUSB0", 19200)


@pytest.mark.parametrize("url", ["", "lpt1", "usb://epson", "tcp://", "serial://"])
def test_unusable_url_is_a_printer_error_naming_the_forms(url: str) -> None:
    with pytest.raises(PrinterError, match="tcp://HOST:9100"):
        parse_printer_url(url)


def test_missing_serial_device_is_a_clear_error(terminal: Terminal, filed: Application, tmp_path) -> None:
    terminal.update_settings(printer_backend="escpos", printer_escpos_url=f"serial://{tmp_path}/ttyUSB9")
    with pytest.raises(PrinterError, match="cannot reach the receipt printer at serial://"):
        print_receipt(terminal, filed)


def printer_that_resets(server: socket.socket, *, after_the_whole_receipt: bool) -> None:
    """Answers the paper check, then resets the connection (like a power cut): at once, or once it has
    taken every byte of the receipt, which then fits in the kernel's buffers so that no write fails."""
    conn, _ = server.accept()
    conn.recv(3)
    conn.sendall(LoopbackPrinter.PAPER_OK)
    received = b""
    while after_the_whole_receipt and FULL_CUT not in received and (chunk := conn.recv(65536)):
        received += chunk
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.mark.parametrize("after_the_whole_receipt", [False, True], ids=["mid-receipt", "after-the-receipt"])
def test_printer_dropping_the_connection_is_a_clear_error_not_a_printed_receipt(
        terminal: Terminal, filed: Application, after_the_whole_receipt: bool) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    printer = threading.Thread(target=printer_that_resets, args=(server,),
                               kwargs={"after_the_whole_receipt": after_the_whole_receipt})
    printer.start()
    try:
        terminal.update_settings(printer_backend="escpos",
                                 printer_escpos_url=f"tcp://127.0.0.1:{server.getsockname()[1]}")
        with pytest.raises(PrinterError, match="stopped answering while printing"):
            print_receipt(terminal, filed)
        assert terminal.store.get(filed.reference).state == "queued"
    finally:
        printer.join(5)
        server.close()


def raster_images(data: bytes) -> list[Image.Image]:
    """Every `GS v 0` raster image in an ESC/POS stream, as the printer would lay the dots down."""
    images, start = [], 0
    while (start := data.find(GS + b"v0", start)) != -1:
        width_bytes = data[start + 4] + 256 * data[start + 5]
        rows = data[start + 6] + 256 * data[start + 7]
        body = data[start + 8:start + 8 + width_bytes * rows]
        inverted = bytes(255 - b for b in body)  # ESC/POS: 1 = dot (black); PIL "1": 1 = white
        images.append(Image.frombytes("1", (width_bytes * 8, rows), inverted))
        start += 8 + len(body)
    return images


@pytest.mark.parametrize("paper", ["58mm", "80mm"])
def test_qr_as_a_raster_image_for_printers_without_native_qr(
    terminal: Terminal, filed: Application, paper: str,
) -> None:
    printer = Dummy()
    receipt = receipt_for(terminal, filed, "id")
    write_receipt(printer, receipt, paper, DEFAULT_LOGO, native_qr=False)
    data = printer.output
    assert QR_STORE not in data and data.endswith(FULL_CUT)
    images = raster_images(data)
    assert [image.width for image in images] == [{"58mm": 384, "80mm": 576}[paper]] * 2  # logo, QR
    decoded = [c.text for image in images for c in zxingcpp.read_barcodes(image.convert("L"))]
    assert decoded == [receipt.qr_payload]


def test_url_option_switches_to_raster_qr(terminal: Terminal, filed: Application) -> None:
    printer = LoopbackPrinter()
    try:
        terminal.update_settings(printer_backend="escpos", printer_escpos_url=printer.url + "?qr=image")
        print_receipt(terminal, filed)
        data = printer.wait_for_jobs(1)[0]
        assert QR_STORE not in data and len(raster_images(data)) == 2
    finally:
        printer.close()

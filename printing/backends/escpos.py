"""The ESC/POS backend: straight to a thermal receipt printer with python-escpos.

`printer_escpos_url` says where it is:
    tcp://192.168.1.50:9100            a network printer (port 9100 when left out)
    usb://04b8:0202                    a USB printer by vendor:product id (hex)
    serial:///dev/ttyUSB0?baudrate=19200
Query options: `status=0` skips the paper checks (printers that never answer status requests);
`qr=image` sends the QR code as a raster image (printers without the native `GS ( k` QR command).
With the checks on, a network printer is asked for its paper before the receipt and once more after
it: a connection that broke while printing fails there, so a receipt never counts as printed
because its bytes reached the kernel's buffer.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from printing.backends.base import PrinterState, PrintJob
from printing.content import Receipt
from printing.errors import PrinterError
from printing.escpos_layout import write_receipt

NO_PAPER = 0


@dataclass(frozen=True)
class PrinterAddress:
    kind: str  # tcp, usb or serial
    host: str = ""
    port: int = 9100
    vendor: int = 0
    product: int = 0
    device: str = ""
    baudrate: int = 9600
    check_status: bool = True
    native_qr: bool = True


def parse_printer_url(url: str) -> PrinterAddress:
    """Reads `printer_escpos_url`; raises `PrinterError` saying what a good one looks like."""
    example = "tcp://HOST:9100, usb://VID:PID or serial:///dev/ttyUSB0"
    if not url:
        raise PrinterError(f"no ESC/POS printer is set: set printer_escpos_url ({example})")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    options = {"check_status": query.get("status", ["1"])[0] not in ("0", "no", "false"),
               "native_qr": query.get("qr", ["native"])[0] != "image"}
    try:
        if parts.scheme == "tcp" and parts.hostname:
            return PrinterAddress("tcp", host=parts.hostname, port=parts.port or 9100, **options)
        if parts.scheme == "usb":
            vendor, _, product = parts.netloc.partition(":")
            return PrinterAddress("usb", vendor=int(vendor, 16), product=int(product, 16), **options)
        if parts.scheme == "serial" and parts.path:
            return PrinterAddress("serial", device=parts.path, baudrate=int(query.get("baudrate", ["9600"])[0]),
                                  **options)
    except ValueError:
        pass
    raise PrinterError(f"printer_escpos_url {url!r} is not understood: use {example}")


def _reason(error: BaseException) -> str:
    """The root cause in a few words: python-escpos wraps the OS error in a multi-line message."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__ or cause.__context__
    lines = [line.strip(" ()") for line in str(error).splitlines() if line.strip(" ()")]
    return lines[-1] if lines else type(error).__name__


#: how long a readiness check waits for the printer (the dashboard must answer quickly)
CHECK_TIMEOUT_S = 3.0


class EscposBackend:
    name = "escpos"

    def __init__(self, url: str, *, timeout_s: float = 5.0, status_timeout_s: float = 1.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.status_timeout_s = status_timeout_s

    def connect(self, address: PrinterAddress) -> Escpos:
        """Opens the connection; a printer that cannot be reached raises `PrinterError`."""
        try:
            if address.kind == "tcp":
                from escpos.printer import Network

                printer: Escpos = Network(address.host, address.port, timeout=self.timeout_s)
            elif address.kind == "usb":
                from escpos.printer import Usb

                printer = Usb(address.vendor, address.product, timeout=int(self.timeout_s * 1000))
            else:
                from escpos.printer import Serial

                printer = Serial(address.device, baudrate=address.baudrate, timeout=self.timeout_s)
            printer.open()
        except (EscposError, OSError, ImportError, ValueError) as e:
            raise PrinterError(f"cannot reach the receipt printer at {self.url}: {_reason(e)}") from e
        return printer

    def check(self) -> PrinterState:
        """Whether the printer answers (a connection opened and closed, at most `CHECK_TIMEOUT_S`)."""
        quick = EscposBackend(self.url, timeout_s=min(self.timeout_s, CHECK_TIMEOUT_S))
        try:
            quick.connect(parse_printer_url(self.url)).close()
        except PrinterError as e:
            return PrinterState(False, str(e))
        return PrinterState(True, f"receipt printer {self.url}: answers")

    @contextlib.contextmanager
    def _status_timeout(self, printer: Escpos) -> Iterator[bool]:
        """A network printer's socket waits `status_timeout_s` for a status answer inside the block, then
        `timeout_s` again; yields whether the printer is on the network."""
        device = getattr(printer, "device", None)
        if not isinstance(device, socket.socket):
            yield False
            return
        device.settimeout(self.status_timeout_s)
        try:
            yield True
        finally:
            device.settimeout(self.timeout_s)

    def _paper_status(self, printer: Escpos) -> int | None:
        """The printer's paper sensor (0 none, 1 low, 2 fine), or None when it does not answer."""
        with self._status_timeout(printer):
            try:
                return printer.paper_status()
            except (OSError, EscposError, NotImplementedError, AssertionError):
                return None

    def _confirm_still_connected(self, printer: Escpos) -> None:
        """One more status query after the receipt, on a network printer: a connection that broke while
        printing (a power cut, a pulled cable) raises here, where the receipt's writes may all have gone
        into the kernel's buffer without an error. No answer in time is not a failure: a printer may
        answer late while it prints. (USB and serial writes fail by themselves when the printer goes.)"""
        with self._status_timeout(printer) as networked:
            if networked:
                with contextlib.suppress(TimeoutError):
                    printer.paper_status()

    def print(self, receipt: Receipt, paper: str, logo: Path | None) -> PrintJob:
        address = parse_printer_url(self.url)
        printer = self.connect(address)
        try:
            if address.check_status and self._paper_status(printer) == NO_PAPER:
                raise PrinterError(f"the receipt printer at {self.url} is out of paper: load a roll and reprint")
            write_receipt(printer, receipt, paper, logo, native_qr=address.native_qr)
            if address.check_status:
                self._confirm_still_connected(printer)
        except (EscposError, OSError) as e:
            raise PrinterError(f"the receipt printer at {self.url} stopped answering while printing: {e}") from e
        finally:
            with contextlib.suppress(OSError):
                printer.close()
        return PrintJob(f"printed on the receipt printer at {self.url}", receipt.reference, self.name)

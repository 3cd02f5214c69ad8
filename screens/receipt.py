"""Receipt: the application number in large type, its QR on screen, and the printing progress.

Printing runs on one of the runtime's work threads, with that thread's own terminal (a slow or
broken printer never freezes the screen). Whatever
happens to the paper, the number stays on screen to write down or photograph: the application is
already safely queued.
"""

from __future__ import annotations

import logging

import qrcode
from kivy.graphics.texture import Texture
from kivy.properties import ObjectProperty, OptionProperty, StringProperty

from kiosk.errors import LoketError
from printing import PrinterError, print_receipt
from printing.receipts import ReceiptCodes, receipt_codes
from screens.ui_thread import when_done
from screens.widgets import KioskScreen, load_kv

log = logging.getLogger("loket.screens")


def qr_texture(payload: str, box_px: int = 8) -> Texture:
    """The QR code of `payload` as a Kivy texture (black on white, with the quiet zone)."""
    code = qrcode.QRCode(box_size=box_px, border=4)
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    image = image.transpose(1)  # PIL's top-down rows to OpenGL's bottom-up: FLIP_TOP_BOTTOM
    texture = Texture.create(size=image.size, colorfmt="rgb")
    texture.mag_filter = "nearest"
    texture.blit_buffer(image.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return texture


class ReceiptScreen(KioskScreen):
    reference = StringProperty("")
    #: the status PIN printed beside the reference (kiosk.status_pin)
    pin = StringProperty("")
    service = ObjectProperty(None, allownone=True, rebind=True)
    qr = ObjectProperty(None, allownone=True, rebind=True)
    printing = OptionProperty("idle", options=("idle", "printing", "printed", "failed"))
    #: the last print job (description, pdf_path) or the error, for maintenance and tests
    outcome = ObjectProperty(None, allownone=True, rebind=True)

    def enter(self) -> None:
        app = self.app
        filed = app.journey.filed
        if filed is None:
            return
        self.reference = filed.reference
        self.service = app.journey.service
        try:
            codes: ReceiptCodes | None = receipt_codes(app.terminal, filed)  # the paper gets the same ones
        except LoketError as e:
            log.error("no status PIN or QR for %s: %s", filed.reference, e)
            codes = None
        self.pin = codes.status_pin if codes else ""
        self.qr = qr_texture(codes.qr_payload) if codes else None
        self.outcome = None
        self.printing = "printing"
        language = app.lang
        when_done(app.runtime.in_background(lambda terminal: print_receipt(terminal, filed, language, codes=codes)),
                  lambda outcome: self._printed(filed.reference, outcome))

    def _printed(self, reference: str, outcome: object) -> None:
        failed = isinstance(outcome, LoketError)
        if failed:
            log.error("receipt %s not printed: %s", reference, outcome)
            if not isinstance(outcome, PrinterError):  # e.g. the terminal could not be opened on the work thread
                outcome = PrinterError(f"the receipt for {reference} could not be printed: {outcome}")
        if reference != self.reference:  # the citizen already left; the next one must not see this
            return
        self.outcome = outcome
        self.printing = "failed" if failed else "printed"

    def done(self) -> None:
        self.app.start_survey()

    def clear(self) -> None:
        self.reference = ""
        self.pin = ""
        self.service = None
        self.qr = None
        self.outcome = None
        self.printing = "idle"


load_kv(__file__)

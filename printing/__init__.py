"""Receipts that prove themselves: layouts (58 mm, 80 mm, A4), a signed QR, and printer backends.

    from printing import print_receipt, PrinterError
    job = print_receipt(terminal, app, language="id")   # job.description, job.pdf_path

printing/ never imports Kivy, the screens or central.
"""

from printing.backends import PrintJob
from printing.content import Receipt, build_receipt
from printing.errors import BadSignature, MalformedPayload, PrinterError, ReceiptInvalid, UnknownTerminal
from printing.qr import VerifiedReceipt, make_qr_payload, verify_qr_payload
from printing.receipts import (
    print_receipt,
    print_record,
    print_test_receipt,
    receipt_for,
    record_receipt,
    render_receipt_pdf,
    reprint_receipt,
)

__all__ = [
    "BadSignature",
    "MalformedPayload",
    "PrintJob",
    "PrinterError",
    "Receipt",
    "ReceiptInvalid",
    "UnknownTerminal",
    "VerifiedReceipt",
    "build_receipt",
    "make_qr_payload",
    "print_receipt",
    "print_record",
    "record_receipt",
    "print_test_receipt",
    "receipt_for",
    "render_receipt_pdf",
    "reprint_receipt",
    "verify_qr_payload",
]

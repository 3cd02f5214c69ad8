"""The errors printing raises: one for printer faults; the ways a receipt's QR can fail to verify live in
kiosk.errors (central checks receipts too) and are re-exported here."""

from __future__ import annotations

from kiosk.errors import BadSignature, LoketError, MalformedPayload, ReceiptInvalid, UnknownTerminal

__all__ = ["BadSignature", "MalformedPayload", "PrinterError", "ReceiptInvalid", "UnknownTerminal"]


class PrinterError(LoketError):
    """The receipt did not reach the printer; the message says why in one line.

    The application itself is already queued safely: a technician can `loket reprint` it.
    """

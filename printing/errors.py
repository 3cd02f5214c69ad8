"""The errors printing raises: one for printer faults, and one per way a receipt's QR can fail to verify."""

from __future__ import annotations

from kiosk.errors import LoketError


class PrinterError(LoketError):
    """The receipt did not reach the printer; the message says why in one line.

    The application itself is already queued safely: a technician can `loket reprint` it.
    """


class ReceiptInvalid(LoketError):
    """A receipt's QR payload does not prove what it claims."""


class MalformedPayload(ReceiptInvalid):
    """The text is not a Loket receipt payload (wrong shape, version, field or encoding)."""


class UnknownTerminal(ReceiptInvalid):
    """The payload names a terminal whose public key is not known here."""


class BadSignature(ReceiptInvalid):
    """The payload is well formed but its signature does not match: it was altered or forged."""

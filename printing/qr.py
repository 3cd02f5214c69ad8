"""The receipt's QR code: the signed payload (format in kiosk/receipt_code.py) and its modules.

The payload is signed with the terminal's Ed25519 key; when the terminal knows its central's URL
the QR holds it inside the URL of central's public verification page, so any phone camera opens
that page, and `loket receipt verify` still checks it offline. The payload itself is all in the
QR alphanumeric set (for the catalog's upper-case codes).
"""

from __future__ import annotations

import base64

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from kiosk.crypto import sign
from kiosk.receipt_code import (
    PAYLOAD_VERSION,
    SIGNATURE_CHARS,
    VerifiedReceipt,
    parse_qr_payload,
    signed_text,
    verification_url,
    verify_qr_payload,
)
from kiosk.store import Application, TerminalIdentity

__all__ = ["PAYLOAD_VERSION", "SIGNATURE_CHARS", "VerifiedReceipt", "make_qr_payload", "parse_qr_payload",
           "qr_matrix", "signed_text", "verify_qr_payload"]

# Choosing the best of the 8 masks costs ~6 ms of pure Python, over half a thermal receipt's render
# budget. The payload is mostly a random signature, so masks score alike: over 150 payloads mask 2
# averaged a penalty of 1172 against 1071 for the best of 8 per code, and every one decoded.
MASK_PATTERN = 2


def make_qr_payload(identity: TerminalIdentity, app: Application, public_url: str | None = None) -> str:
    """The signed payload for `app`'s receipt, signed by this terminal's key, in a verification URL under
    `public_url` (`Terminal.receipt_url`; None: the central the terminal enrolled with) when there is one."""
    text = signed_text(app.reference, app.service_code, app.created_at)
    signature = base64.b32encode(sign(identity.signing_key, text.encode("ascii"))).decode("ascii")
    payload = f"{text}:{signature.rstrip('=')}"
    base = identity.server_url if public_url is None else public_url
    return verification_url(base, payload) if base else payload


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), without the quiet zone, at error-correction level M."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(payload)
    code.make(fit=True)
    return [[bool(m) for m in row] for row in code.get_matrix()]

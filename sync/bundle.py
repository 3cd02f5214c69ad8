"""Sneakernet bundles: unsynced applications carried to central on a USB stick.

A bundle is one JSON file: a small header, the applications (gzip + base64) in the very models an
online upload uses — personal data inside is already sealed to the office — and the terminal's
Ed25519 signature over the header fields and the SHA-256 of the payload bytes. Central checks the
signature against the terminal's enrolled key and ingests the batch with the same exactly-once
rules as an online upload, so a later online sync of the same applications answers `duplicate`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json

from pydantic import ValidationError

from kiosk.crypto import CryptoFailure, b64decode, b64encode, sign, verify
from sync.protocol import ApplicationUpload, AuditUpload, Model

BUNDLE_FORMAT = "loket-bundle/1"
MAX_BUNDLE_BYTES = 256 * 1024 * 1024


class BundleError(CryptoFailure):
    """A bundle file is malformed, or its signature does not verify."""


class BundleContents(Model):
    """What a bundle carries: like an `UploadBatch`, but with no count limit (central ingests it in chunks)."""

    applications: list[ApplicationUpload]
    audit: list[AuditUpload] = []


class BundleHeader(Model):
    format: str
    terminal_id: str
    terminal_code: str
    created_at: dt.datetime
    applications: int
    payload_sha256: str


def _message(header: BundleHeader) -> bytes:
    return "\n".join((header.format, header.terminal_id, header.terminal_code, header.created_at.isoformat(),
                      str(header.applications), header.payload_sha256)).encode()


def pack_bundle(terminal_id: str, terminal_code: str, signing_key: str, batch: BundleContents,
                *, now: dt.datetime | None = None) -> bytes:
    """The bytes of a signed bundle file holding `batch`."""
    payload = gzip.compress(batch.model_dump_json().encode(), mtime=0)
    header = BundleHeader(
        format=BUNDLE_FORMAT, terminal_id=terminal_id, terminal_code=terminal_code,
        created_at=(now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
        applications=len(batch.applications), payload_sha256=hashlib.sha256(payload).hexdigest(),
    )
    document = {
        "header": json.loads(header.model_dump_json()),
        "payload": b64encode(payload),
        "signature": b64encode(sign(signing_key, _message(header))),
    }
    return json.dumps(document, indent=1).encode()


def read_bundle(data: bytes) -> tuple[BundleHeader, bytes, bytes]:
    """Parses a bundle file: (header, payload bytes, signature). Raises `BundleError`."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("the bundle is too large")
    try:
        document = json.loads(data)
        header = BundleHeader.model_validate(document["header"])
        payload = b64decode(document["payload"], what="bundle payload")
        signature = b64decode(document["signature"], what="bundle signature", length=64)
    except (ValueError, KeyError, TypeError, ValidationError, CryptoFailure) as e:
        raise BundleError(f"not a Loket bundle: {str(e).splitlines()[0]}") from None
    if header.format != BUNDLE_FORMAT:
        raise BundleError(f"unknown bundle format {header.format!r}")
    if hashlib.sha256(payload).hexdigest() != header.payload_sha256:
        raise BundleError("the bundle's payload was changed after it was signed")
    return header, payload, signature


def open_bundle(data: bytes, verify_key: str) -> tuple[BundleHeader, BundleContents]:
    """Verifies a bundle against the terminal's key and returns its header and batch."""
    header, payload, signature = read_bundle(data)
    try:
        verify(verify_key, _message(header), signature)
    except CryptoFailure:
        raise BundleError(f"the bundle's signature does not match terminal {header.terminal_code}") from None
    try:
        batch = BundleContents.model_validate_json(gzip.decompress(payload))
    except (OSError, ValueError, ValidationError) as e:
        raise BundleError(f"the bundle's payload is unreadable: {str(e).splitlines()[0]}") from None
    if len(batch.applications) != header.applications:
        raise BundleError("the bundle's application count does not match its header")
    return header, batch

"""Sneakernet bundles: unsynced applications carried to central on a USB stick.

A bundle is one JSON file: a small header, the applications (gzip + base64) in the very models an
online upload uses — personal data inside is already sealed to the office — and the terminal's
Ed25519 signature over the header fields and the SHA-256 of the payload bytes. Central checks the
signature against the terminal's enrolled key and ingests the batch with the same exactly-once
rules as an online upload, so a later online sync of the same applications answers `duplicate`.

Format 2 names the terminal by its code (its id only once central gave one) and carries its public
key; a terminal provisioned from a file and not yet enrolled adds a proof that it holds the file's
one-time code, so central can enroll it from the bundle itself. The payload is inflated within
bounds (`MAX_INFLATED_BYTES`, `MAX_INFLATION_RATIO`), never to whatever size it claims.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import json
import zlib

from pydantic import Field, ValidationError

from kiosk.crypto import CryptoFailure, b64decode, b64encode, sign, verify
from kiosk.jsondepth import loads_bounded
from sync.protocol import ApplicationUpload, AuditUpload, Model, SurveyUpload, enrollment_code_hash

BUNDLE_FORMAT = "loket-bundle/2"
FORMATS = ("loket-bundle/1", BUNDLE_FORMAT)
MAX_BUNDLE_BYTES = 256 * 1024 * 1024
MAX_INFLATED_BYTES = 512 * 1024 * 1024
MAX_INFLATION_RATIO = 32  # sealed data does not compress: a real payload inflates a few times at most


class BundleError(CryptoFailure):
    """A bundle file is malformed, or its signature does not verify."""


class BundleContents(Model):
    """What a bundle carries: like an `UploadBatch`, but with no count limit (central ingests it in chunks)."""

    applications: list[ApplicationUpload]
    audit: list[AuditUpload] = []
    #: satisfaction survey answers (left out of the file when there are none, so a central from before
    #: surveys still reads such bundles)
    survey: list[SurveyUpload] = []


class BundleHeader(Model):
    format: str
    terminal_id: str  # "" while the terminal has no id from central yet (format 2)
    terminal_code: str
    created_at: dt.datetime
    applications: int
    payload_sha256: str
    #: format 2: the terminal's public key
    verify_key: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9+/_=-]+$")
    #: format 2, not yet enrolled: see `enrollment_proof`
    enrollment_proof: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


def _message(header: BundleHeader) -> bytes:
    fields = [header.format, header.terminal_id, header.terminal_code, header.created_at.isoformat(),
              str(header.applications), header.payload_sha256]
    if header.format != "loket-bundle/1":
        fields += [header.verify_key or "", header.enrollment_proof or ""]
    return "\n".join(fields).encode()


def enrollment_proof(code_hash: str, verify_key: str) -> str:
    """Proof that whoever made the bundle holds the enrollment code whose SHA-256 is `code_hash`, bound to
    `verify_key`: central (which stores only the hash) can check it, and it does not give away the code."""
    return hmac.new(code_hash.encode("ascii"), b"loket-bundle-enrollment\n" + verify_key.encode("ascii"),
                    hashlib.sha256).hexdigest()


def pack_bundle(terminal_id: str, terminal_code: str, signing_key: str, batch: BundleContents,
                *, now: dt.datetime | None = None, verify_key: str | None = None,
                pending_enrollment_code: str | None = None) -> bytes:
    """The bytes of a signed bundle file holding `batch`; `terminal_id` is "" before central gave one."""
    payload = gzip.compress(batch.model_dump_json(exclude=None if batch.survey else {"survey"}).encode(), mtime=0)
    proof = (enrollment_proof(enrollment_code_hash(pending_enrollment_code), verify_key)
             if pending_enrollment_code and verify_key else None)
    header = BundleHeader(
        format=BUNDLE_FORMAT, terminal_id=terminal_id, terminal_code=terminal_code,
        created_at=(now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
        applications=len(batch.applications), payload_sha256=hashlib.sha256(payload).hexdigest(),
        verify_key=verify_key, enrollment_proof=proof,
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
        document = loads_bounded(data, max_depth=8, what="the bundle")
        header = BundleHeader.model_validate(document["header"])
        payload = b64decode(document["payload"], what="bundle payload")
        signature = b64decode(document["signature"], what="bundle signature", length=64)
    except (ValueError, KeyError, TypeError, ValidationError, CryptoFailure) as e:
        raise BundleError(f"not a Loket bundle: {str(e).splitlines()[0]}") from None
    if header.format not in FORMATS:
        raise BundleError(f"unknown bundle format {header.format!r}")
    if hashlib.sha256(payload).hexdigest() != header.payload_sha256:
        raise BundleError("the bundle's payload was changed after it was signed")
    return header, payload, signature


def inflate_bounded(payload: bytes) -> bytes:
    """The gzip payload inflated, refused (`BundleError`) as soon as it passes its bound."""
    limit = min(MAX_INFLATED_BYTES, max(1024 * 1024, len(payload) * MAX_INFLATION_RATIO))
    inflater = zlib.decompressobj(wbits=31)
    data = inflater.decompress(payload, limit + 1)
    if len(data) > limit or inflater.unconsumed_tail:
        raise BundleError(f"the bundle's payload inflates past {limit} bytes: it is not one a terminal made")
    if not inflater.eof:
        raise BundleError("the bundle's payload is truncated")
    return data


def open_bundle(data: bytes, verify_key: str) -> tuple[BundleHeader, BundleContents]:
    """Verifies a bundle against the terminal's key and returns its header and batch."""
    header, payload, signature = read_bundle(data)
    try:
        verify(verify_key, _message(header), signature)
    except CryptoFailure:
        raise BundleError(f"the bundle's signature does not match terminal {header.terminal_code}") from None
    try:
        batch = BundleContents.model_validate_json(inflate_bounded(payload))
    except (zlib.error, ValueError, ValidationError) as e:
        raise BundleError(f"the bundle's payload is unreadable: {str(e).splitlines()[0]}") from None
    if len(batch.applications) != header.applications:
        raise BundleError("the bundle's application count does not match its header")
    return header, batch

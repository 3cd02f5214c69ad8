"""The wire protocol between terminals and central: message models and request signing.

Both sides import this module, so the contract exists once. Every terminal request (except
enrollment, which a one-time code authenticates) carries these headers:

    X-Loket-Terminal           the terminal id central gave at enrollment
    X-Loket-Timestamp          Unix seconds when it was signed (ASCII digits)
    X-Loket-Nonce              16 random bytes, hex; central refuses a nonce it has seen (replay)
    X-Loket-Signature          base64 Ed25519 signature of `signing_message(...)`
    X-Loket-Signature-Version  2 (absent means 1, what terminals before version 2 send)

The signed message binds the terminal id (version 2), method, path (with query), timestamp, nonce
and the SHA-256 of the body bytes exactly as sent (after gzip), so nothing in a request can be
changed or replayed. Central accepts version 1 for a grace period (its setting
`LOKET_CENTRAL_SIGNATURE_V1`), so terminals not yet updated keep syncing; see docs/sync.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.catalog.bounds import MAX_SEALED_BYTES
from kiosk.crypto import CryptoFailure, b64decode, b64encode, sign, verify
from kiosk.lifecycle import CentralStatus

API_PREFIX = "/api/v1"
# The endpoints, so that client and server name them once.
PATH_ENROLL = f"{API_PREFIX}/enroll"
ENROLL_WITH_TIMEZONE = "with=timezone"  # query of an enrollment that understands `EnrollResponse.timezone`
PATH_APPLICATIONS = f"{API_PREFIX}/applications/batch"  # POST a gzip UploadBatch -> UploadResponse
PATH_CATALOG = f"{API_PREFIX}/catalog"  # GET the catalog document; ETag / If-None-Match
PATH_STATUS_CHANGES = f"{API_PREFIX}/status-changes"  # GET ?since=CURSOR[&reasons=1] -> StatusChanges
PATH_HEARTBEAT = f"{API_PREFIX}/heartbeat"  # POST Heartbeat -> HeartbeatResponse
#: query of a heartbeat: central's clock minus the terminal's system clock, in whole seconds, as the
#: terminal measured it (a clock wrong by years is a flat CMOS battery); an older central ignores it
HEARTBEAT_CLOCK_OFFSET = "clock_offset_s"
PATH_RECORD = f"{API_PREFIX}/record"  # GET ?id=APPLICATION_ID -> ProcessingRecord (the terminal's own applications)
HEARTBEAT_WITH_PRINTER = "with=printer"  # query of a heartbeat whose sender understands `HeartbeatResponse.printer`
HEARTBEAT_WITH_SMS = "sms"  # added to `with=`: the sender understands `HeartbeatResponse.sms`
HEARTBEAT_WITH_RESEND = "resend"  # added to `with=`: the sender understands `HeartbeatResponse.resend_since`
HEARTBEAT_WITH_PUBLIC_URL = "public_url"  # added to `with=`: the sender understands `HeartbeatResponse.public_url`
HEARTBEAT_WITH_UPDATE = "update"  # also in `with=`: the sender understands `updates` and `update_offer`
PATH_RELEASES = f"{API_PREFIX}/releases"  # GET /releases/VERSION: a signed release bundle; Range: bytes=N-
PROTOCOL_VERSION = 2  # 2: signatures cover the terminal id (version 1 still accepted, see SIGNATURE_VERSION)
MAX_BATCH_COUNT = 200
MAX_BODY_BYTES = 4 * 1024 * 1024  # after decompression
MAX_COMPRESSED_BYTES = 1 * 1024 * 1024
MAX_CLOCK_SKEW_S = 300

HEADER_TERMINAL = "X-Loket-Terminal"
HEADER_TIMESTAMP = "X-Loket-Timestamp"
HEADER_NONCE = "X-Loket-Nonce"
HEADER_SIGNATURE = "X-Loket-Signature"
HEADER_SIGNATURE_VERSION = "X-Loket-Signature-Version"
SIGNATURE_VERSION = 2

Outcome = Literal["accepted", "duplicate", "rejected"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Values from outside, checked where they enter: one rule for text, one for codes and ids, used by every model.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: the days a terminal may date anything: not before Loket existed, not in the next century
EARLIEST_DAY, LATEST_DAY = dt.date(2020, 1, 1), dt.date(2099, 12, 31)


def _plain_text(value: str) -> str:
    """Refuses NUL, other control characters (tab, CR and LF aside) and bidi overrides, which would reach
    databases (PostgreSQL refuses NUL), CSV files, reports and log lines."""
    if _UNSAFE_TEXT.search(value):
        raise ValueError("text may not hold NUL, control or bidirectional-override characters")
    return value


def _plausible_day(value: dt.date) -> dt.date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"the day must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]
#: a catalog code (service, category), as kiosk/catalog/schema.json defines it
CatalogCode = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,19}$")]
Uuid = Annotated[str, Field(min_length=36, max_length=36,
                            pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
Day = Annotated[dt.date, AfterValidator(_plausible_day)]


class EnrollRequest(Model):
    code: PlainText = Field(min_length=4, max_length=64)
    verify_key: str = Field(min_length=40, max_length=64, pattern=r"^[A-Za-z0-9+/_=-]+$",
                            description="terminal's Ed25519 public key, base64")
    app_version: PlainText = Field(default="", max_length=40)


class EnrollResponse(Model):
    terminal_id: str
    terminal_code: str
    office_code: str
    office_name: str
    office_key: str = Field(description="the office's X25519 public key, base64")
    catalog_version: str | None = None
    #: the office's time zone (Asia/Jakarta, Asia/Makassar, Asia/Jayapura). Central sends it only to a
    #: terminal that asks (`?with=timezone`), since older terminals refuse fields they do not know.
    timezone: str | None = Field(default=None, max_length=40)


class ApplicationUpload(Model):
    id: str = Field(min_length=36, max_length=36, description="UUID made on the terminal: the idempotency key")
    reference: str = Field(min_length=10, max_length=32)
    service_code: str = Field(min_length=1, max_length=20)
    catalog_version: str = Field(min_length=1, max_length=40)
    created_at: dt.datetime
    flags: list[str] = Field(default_factory=list, max_length=20)
    sealed: str = Field(min_length=1, max_length=MAX_SEALED_BYTES * 2, description="sealed box, base64")


class AuditUpload(Model):
    id: int = Field(description="the terminal's own audit entry id")
    at: dt.datetime
    actor: str = Field(max_length=40)
    action: str = Field(max_length=80)
    detail: str = Field(default="", max_length=2000)


Score = Annotated[int, Field(ge=1, le=4)]


class SurveyUpload(Model):
    """One anonymous SKM answer set: a random id (idempotency), the day and service, the scores. Central
    also checks the service against the office's catalog and the day against its own clock."""

    id: Uuid
    day: Day
    service_code: CatalogCode
    overall: Score | None = None
    elements: list[Score | None] = Field(min_length=9, max_length=9)


class UploadBatch(Model):
    applications: list[ApplicationUpload] = Field(default_factory=list, max_length=MAX_BATCH_COUNT)
    audit: list[AuditUpload] = Field(default_factory=list, max_length=MAX_BATCH_COUNT)
    #: sent in a batch of its own and left out when empty, so an older central never sees the key
    survey: list[SurveyUpload] = Field(default_factory=list, max_length=MAX_BATCH_COUNT)


class UploadResult(Model):
    id: str
    outcome: Outcome
    reason: str | None = None


class UploadResponse(Model):
    results: list[UploadResult]
    audit_stored: list[int] = Field(default_factory=list)
    #: central leaves it out when empty (older terminals refuse keys they do not know)
    survey_stored: list[str] = Field(default_factory=list)


class StatusChange(Model):
    application_id: str
    reference: str
    status: CentralStatus
    at: dt.datetime
    #: why the office declined it, for the citizen; sent only to a terminal that asks with `reasons=1`,
    #: since older terminals refuse a field they do not know
    reason: str | None = Field(default=None, max_length=500)


class StatusChanges(Model):
    changes: list[StatusChange]
    cursor: int = Field(description="pass back as ?since= to get only newer changes")


class UpdateReport(Model):
    """Where the terminal's last update stands: state (good, trial, rolled_back, refused, ...), release, why."""

    state: str = Field(max_length=20)
    version: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=500)


class UpdateOffer(Model):
    """A release central offers this terminal: download it from `path` (resumable with Range)."""

    version: str = Field(max_length=64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    path: str = Field(max_length=200)


class Heartbeat(Model):
    queue: dict[str, int] = Field(default_factory=dict)
    oldest_unsynced_age_s: float | None = None
    app_version: str = Field(default="", max_length=40)
    catalog_version: str | None = Field(default=None, max_length=40)
    last_error: str | None = Field(default=None, max_length=500)
    #: the receipt printer's last known state: "ok", "paper out", "offline: <reason>", ... A terminal sends
    #: it only to a central that said it stores it (`HeartbeatResponse.printer`), since older centrals
    #: refuse a field they do not know; left out (None) it means "not known".
    printer: str | None = Field(default=None, max_length=200)
    #: sent only to a central that said it takes it (`HeartbeatResponse.updates`), like `printer`
    update: UpdateReport | None = None


class HeartbeatResponse(Model):
    server_time: dt.datetime
    office_key: str = Field(description="current office public key; a terminal adopts a rotated one")
    catalog_version: str | None = None
    #: True: this central stores `Heartbeat.printer`. Sent only to a terminal that asks (`?with=printer`),
    #: since older terminals refuse a field they do not know.
    printer: bool | None = None
    #: True: the office sends text messages (it has a modem), so the kiosk offers "kabari saya lewat SMS".
    #: Sent only to a terminal that asks (`with=...,sms`), since older terminals refuse a field they do not know.
    sms: bool | None = None

    #: central was restored from a backup: resend every application it acknowledged since this moment
    #: (the UUIDs make a resend of one it still has a `duplicate`). Sent only to a terminal that asks
    #: (`?with=...,resend`), since older terminals refuse a field they do not know.
    resend_since: dt.datetime | None = None

    #: the office's public address (the one its letters' QR codes open; "" while the office has set none),
    #: for the receipt's QR. Sent only to a terminal that asks (`public_url` in `?with=`).
    public_url: str | None = Field(default=None, max_length=300)

    #: True: this central stores `Heartbeat.update` and offers releases; these two are sent only to a
    #: terminal that asks (`with=...,update`), since older terminals refuse fields they do not know
    updates: bool | None = None
    update_offer: UpdateOffer | None = None

class RecordEvent(Model):
    """One thing done with an application, as its citizen may read it ("Data saya"): when, in which office,
    by which role (never a staff member's name), what, and for what purpose. No personal data."""

    at: dt.datetime
    #: filed, received, opened (personal data looked at), status, letter, sms, correction ...
    kind: str = Field(max_length=20)
    office: str = Field(default="", max_length=200)
    #: operator, supervisor, admin, cli (central's command line), system (central itself)
    role: str = Field(default="", max_length=20)
    #: the status it took (kind "status"), or the purpose staff gave for opening the data (kind "opened")
    detail: str = Field(default="", max_length=300)


class ProcessingRecord(Model):
    """An application's processing record (UU 27/2022 Pasal 32), oldest first; a new terminal asks for it
    only after the citizen gave the receipt's PIN at the kiosk."""

    reference: str = Field(max_length=32)
    events: list[RecordEvent] = Field(default_factory=list, max_length=2000)


class ErrorBody(Model):
    error: str = Field(description="machine-readable code: bad_signature, stale, replay, revoked, ...")
    message: str


_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_enrollment_code(typed: str) -> str:
    """An enrollment code as central hashes it: no spaces or dashes, upper case, look-alikes folded."""
    return re.sub(r"[\s-]", "", typed).upper().translate(_FOLD)


def enrollment_code_hash(code: str) -> str:
    """The SHA-256 central stores for a one-time enrollment code (as typed, folded as above)."""
    return hashlib.sha256(normalize_enrollment_code(code).encode("utf-8")).hexdigest()


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signing_message(method: str, path: str, timestamp: str, nonce: str, body: bytes, *,
                    terminal_id: str | None = None) -> bytes:
    """What a request's signature covers: version 2 (with `terminal_id`) or version 1 (without)."""
    head = ("loket-v2", terminal_id) if terminal_id is not None else ("loket-v1",)
    return "\n".join((*head, method.upper(), path, timestamp, nonce, body_digest(body))).encode("utf-8")


def sign_request(
    terminal_id: str, signing_key: str, method: str, path: str, body: bytes, *, now: float | None = None
) -> dict[str, str]:
    """The authentication headers for one request (signature version 2)."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    signature = sign(signing_key, signing_message(method, path, timestamp, nonce, body, terminal_id=terminal_id))
    return {
        HEADER_TERMINAL: terminal_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: b64encode(signature),
        HEADER_SIGNATURE_VERSION: str(SIGNATURE_VERSION),
    }


def signature_version(headers: Mapping[str, str]) -> int | None:
    """1 or 2 as the headers say (absent means 1), None for anything else."""
    return {"1": 1, "2": 2}.get(headers.get(HEADER_SIGNATURE_VERSION, "1").strip())


def verify_request(
    verify_key: str, method: str, path: str, body: bytes, headers: Mapping[str, str], *, accept_v1: bool = True
) -> int:
    """The signature version, or raises `kiosk.crypto.CryptoFailure` unless the headers sign exactly this request.

    Freshness (timestamp window) and replay (nonce seen) are central's to check, since only it
    remembers nonces.
    """
    version = signature_version(headers)
    if version is None or (version == 1 and not accept_v1):
        raise CryptoFailure(f"signature version {headers.get(HEADER_SIGNATURE_VERSION)!r} is not accepted: "
                            f"send {HEADER_SIGNATURE_VERSION}: {SIGNATURE_VERSION}")
    signature = b64decode(headers.get(HEADER_SIGNATURE, ""), what="signature", length=64)
    message = signing_message(method, path, headers.get(HEADER_TIMESTAMP, ""), headers.get(HEADER_NONCE, ""), body,
                              terminal_id=headers.get(HEADER_TERMINAL, "") if version == 2 else None)
    verify(verify_key, message, signature)
    return version


PROVISIONING_FORMAT = "loket-provisioning/1"


class ProvisioningFile(Model):
    """What `loket-central provisioning-file` writes for a USB stick: a terminal's office before any network.

    The terminal provisions itself from it at once (it can seal and queue), and enrolls with
    `enroll_code` when the server first answers; central then gives it the reserved `terminal_code`.
    """

    format: Literal["loket-provisioning/1"]
    server_url: str = Field(max_length=300)
    office_code: str = Field(max_length=20)
    office_name: str = Field(max_length=200)
    office_key: str = Field(min_length=40, max_length=64)
    terminal_code: str = Field(min_length=4, max_length=4)
    enroll_code: str = Field(min_length=4, max_length=64)
    expires_at: dt.datetime
    #: only written when staff set the office's zone explicitly (else the region code decides it)
    timezone: str | None = Field(default=None, max_length=40)

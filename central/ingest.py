"""Taking in applications and audit entries, exactly once, whatever path they arrive by.

`ingest` is the one place the rules live, so a batch uploaded over HTTP and a bundle carried on a
USB stick (`central.bundles`) get the same answers. The application's terminal-made UUID is its primary
key and is inserted with ON CONFLICT DO NOTHING, so the database settles any race between two
copies of the same upload: one is `accepted`, the other `duplicate`.

`rejected` is permanent and for that one application only: an unknown service, a reference that is
not this terminal's, sealed data no key of the office opens, an id or reference taken by another.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from central.citizen_requests import ingest_requests, is_request
from central.db import insert_ignoring_conflicts
from central.errors import InvalidUpload
from central.keyring import KeysUnavailable, office_private_key
from central.models import Application, AuditEntry, RecordPin, Terminal, utcnow
from central.office_profile import OfficeProfile, load_profile
from central.offices import known_service_codes, office_keys
from central.record_pin import pepper_of, verifier_row
from central.skm import store_surveys
from central.values import clean_text, has_control, is_uuid, plausible_utc
from kiosk.crypto import CryptoFailure, b64decode, open_sealed
from kiosk.errors import BadReference
from kiosk.lifecycle import FIRST
from kiosk.reference import parse_reference
from sync.protocol import (
    MAX_SEALED_BYTES,
    ApplicationUpload,
    AuditUpload,
    UploadBatch,
    UploadResponse,
    UploadResult,
)

FIRST_STATUS = FIRST
log = logging.getLogger("central")


class Opened(NamedTuple):
    """An upload that passed every check, with the key that opened its sealed data, its filing time
    in UTC and the flags to store. (A tuple: one is made per application of a batch of up to 200.)"""

    upload: ApplicationUpload
    sealed: bytes
    key_id: int
    filed_at: dt.datetime
    flags: str
    #: the record page's PIN verifier row (central.record_pin), when the sealed content carried a PIN
    pin_row: dict[str, Any] | None = None


@dataclass(frozen=True)
class OfficeMaterial:
    """What checking an upload needs of its office: service codes ever offered, keys (current first).

    Without the key-encryption key, `keys` is empty and `current_key_id` names the key an upload is
    recorded under, its seal unchecked (flagged `SEAL_UNCHECKED`): the terminal is still served."""

    services: frozenset[str]
    keys: tuple[tuple[int, str], ...]  # (key id, private key)
    current_key_id: int
    #: the record PIN pepper of each key (`central.record_pin.pepper_of`), derived once, not per application
    peppers: dict[int, bytes] = field(default_factory=dict, compare=False)


SEAL_UNCHECKED = "central:seal_unchecked"
# per process, by (database, office); re-read before any refusal it could have caused
_material: dict[tuple[str, int], OfficeMaterial] = {}


def office_material(session: Session, office_id: int, *, fresh: bool = False) -> OfficeMaterial:
    key = (str(session.get_bind().url), office_id)
    if fresh or key not in _material or not _material[key].keys:
        stored = office_keys(session, office_id)
        try:
            keys = tuple((k.id, office_private_key(session, k)) for k in stored)
        except KeysUnavailable as e:
            if key not in _material or _material[key].keys:  # once, not on every batch
                log.warning("accepting uploads with their seal unchecked: %s", e)
            keys = ()
        _material[key] = OfficeMaterial(known_service_codes(session, office_id), keys, stored[0].id,
                                        {key_id: pepper_of(private_key) for key_id, private_key in keys})
    return _material[key]


#: how long one process reuses an office's profile (catalog deadlines, time zone) for due dates at
#: ingest: three queries and a catalog parse saved on every upload; a catalog or zone changed by staff
#: reaches due dates within this time (they are only ever set at ingest, from the filing time)
PROFILE_TTL_S = 30.0
_profiles: dict[tuple[str, int], tuple[float, OfficeProfile]] = {}


def ingest_profile(session: Session, office_id: int, *, now: float | None = None) -> OfficeProfile:
    """The office's profile as ingest uses it: read at most every `PROFILE_TTL_S` seconds per process."""
    now = time.monotonic() if now is None else now
    key = (str(session.get_bind().url), office_id)
    cached = _profiles.get(key)
    if cached is None or now - cached[0] > PROFILE_TTL_S:
        cached = _profiles[key] = (now, load_profile(session, office_id))
    return cached[1]


def _open_with_any(keys: Sequence[tuple[int, str]], sealed: bytes) -> tuple[int, Any] | None:
    for key_id, private_key in keys:
        try:
            return key_id, open_sealed(private_key, sealed)
        except (CryptoFailure, ValueError):
            continue
    return None


#: the one opener, for the citizen's requests too (`central.citizen_requests`)
open_with_any = _open_with_any

#: from this many sealed applications on, a batch is opened in chunks on several threads: libsodium
#: runs without the GIL, and the X25519 step is most of a large batch's checking time
PARALLEL_FROM = 64
_OPENERS = max(1, min(4, os.cpu_count() or 1))
_opener_pool: ThreadPoolExecutor | None = None


def _open_chunk(keys: Sequence[tuple[int, str]], chunk: Sequence[bytes | None]) -> list[tuple[int, Any] | None]:
    return [_open_with_any(keys, sealed) if sealed is not None else None for sealed in chunk]


def _open_all(keys: Sequence[tuple[int, str]], sealed: Sequence[bytes | None]) -> list[tuple[int, Any] | None]:
    """`_open_with_any` for each blob (None: skipped), in order; a large batch in chunks, one on this
    thread and the others on the pool's."""
    global _opener_pool
    if not keys:
        return [None] * len(sealed)
    if len(sealed) < PARALLEL_FROM or _OPENERS == 1:
        return _open_chunk(keys, sealed)
    if _opener_pool is None:
        _opener_pool = ThreadPoolExecutor(_OPENERS - 1, thread_name_prefix="seal-check")
    size = -(-len(sealed) // _OPENERS)
    futures = [_opener_pool.submit(_open_chunk, keys, sealed[i:i + size]) for i in range(size, len(sealed), size)]
    first = _open_chunk(keys, sealed[:size])
    return first + [result for future in futures for result in future.result()]


def _sealed_bytes(upload: ApplicationUpload) -> bytes | str:
    try:
        sealed = b64decode(upload.sealed, what="sealed data")
    except CryptoFailure as e:
        return str(e)
    if len(sealed) > MAX_SEALED_BYTES:
        return f"sealed data is larger than {MAX_SEALED_BYTES} bytes"
    return sealed


def _form_problem(upload: ApplicationUpload, terminal: Terminal, office: OfficeMaterial,
                  sealed: bytes | str) -> dt.datetime | str:
    """The filing time in UTC when the upload's form is right, else the reason it is refused for good."""
    if not is_uuid(upload.id):
        return "the id is not a UUID in canonical form"
    if has_control(upload.catalog_version) or any(has_control(flag) for flag in upload.flags):
        return "catalog_version or flags hold control characters"
    filed_at = plausible_utc(upload.created_at)
    if filed_at is None:
        return f"created_at {upload.created_at.isoformat()} is not a plausible time"
    if upload.service_code not in office.services:
        return f"unknown service code {upload.service_code!r} for this office"
    try:
        reference = parse_reference(upload.reference)
    except BadReference:
        return f"malformed reference {upload.reference!r}"
    if reference != upload.reference:
        return f"reference {upload.reference!r} is not in canonical form ({reference})"
    if not reference.startswith(f"{terminal.code}-"):
        return f"reference {reference} belongs to another terminal than {terminal.code}"
    return sealed if isinstance(sealed, str) else filed_at


def _seal_verdict(upload: ApplicationUpload, sealed: bytes, filed_at: dt.datetime, opened: tuple[int, Any] | None,
                  office: OfficeMaterial) -> Opened | str:
    if not office.keys:
        return Opened(upload, sealed, office.current_key_id, filed_at, ",".join((*upload.flags, SEAL_UNCHECKED)))
    if opened is None:
        return "sealed data does not open with any key of this office"
    key_id, content = opened
    if not isinstance(content, dict):
        return "sealed data is not a JSON object"
    if content.get("service", upload.service_code) != upload.service_code:
        return f"sealed data is for service {content.get('service')!r}, not {upload.service_code!r}"
    return Opened(upload, sealed, key_id, filed_at, ",".join(upload.flags),
                  verifier_row(office.peppers[key_id], upload.id, content))


def check_uploads(uploads: Sequence[ApplicationUpload], terminal: Terminal, office: OfficeMaterial
                  ) -> list[Opened | str]:
    """Each upload ready to store, or the reason it is refused for good; in order. Without the
    key-encryption key (`office.keys` empty) an upload is recorded under the current key, its seal
    unchecked and flagged so."""
    sealed = [_sealed_bytes(upload) for upload in uploads]
    forms = [_form_problem(upload, terminal, office, s) for upload, s in zip(uploads, sealed, strict=True)]
    opened = _open_all(office.keys, [s if isinstance(f, dt.datetime) else None
                                     for s, f in zip(sealed, forms, strict=True)])
    return [form if isinstance(form, str) else _seal_verdict(upload, blob, form, result, office)  # type: ignore[arg-type]
            for upload, blob, form, result in zip(uploads, sealed, forms, opened, strict=True)]


# PostgreSQL: the whole batch and its first status in one statement of fixed text (so psycopg
# prepares it once per connection), the rows passed as one array per column, in binary (`%(...)b`):
# psycopg dumps a batch's nine arrays in a third of the CPU of their text form. Written for the driver,
# not as a SQLAlchemy `text()`, so that SQLAlchemy does not compile and process it on every upload.
_PG_INSERT_NEW = """
WITH new AS (
    INSERT INTO applications (id, reference, terminal_id, office_id, service_code, catalog_version, filed_at,
                              received_at, flags, sealed, office_key_id, status, status_at, due_on)
    SELECT id, reference, %(terminal_id)s, %(office_id)s, service_code, catalog_version, filed_at, %(now)s, flags,
           sealed, office_key_id, %(status)s, %(now)s, due_on
    FROM unnest(CAST(%(ids)b AS varchar[]), CAST(%(refs)b AS varchar[]), CAST(%(services)b AS varchar[]),
                CAST(%(versions)b AS varchar[]), CAST(%(filed)b AS timestamptz[]), CAST(%(flags)b AS text[]),
                CAST(%(sealed)b AS bytea[]), CAST(%(keys)b AS integer[]), CAST(%(due)b AS date[]))
         WITH ORDINALITY AS batch(id, reference, service_code, catalog_version, filed_at, flags, sealed,
                                  office_key_id, due_on, n)
    ORDER BY n
    ON CONFLICT DO NOTHING
    RETURNING id
), history AS (
    INSERT INTO status_changes (office_id, application_id, terminal_id, status, at, actor)
    SELECT %(office_id)s, id, %(terminal_id)s, %(status)s, %(now)s, 'central' FROM new
)
SELECT id FROM new
"""


# central's own: the same, with the record PIN verifiers of the new applications (`central.record_pin`)
# and the terminal's reported queue moved on (`queue_after`, when it changes) in the same round trip
# (the floor in bench.ingest_floor writes `_PG_INSERT_NEW` alone)
_PG_INSERT_NEW_AND_QUEUE = _PG_INSERT_NEW.replace("""
SELECT id FROM new""", """, pins AS (
    INSERT INTO record_pins (application_id, verifier, masked_phone, misses, cooling_until)
    SELECT pin.id, pin.verifier, pin.masked_phone, 0, NULL
    FROM unnest(CAST(%(pin_ids)b AS varchar[]), CAST(%(pin_verifiers)b AS bytea[]),
                CAST(%(pin_phones)b AS varchar[])) AS pin(id, verifier, masked_phone)
    JOIN new ON new.id = pin.id
    ON CONFLICT DO NOTHING
), queue AS (
    UPDATE terminals SET queue_json = CAST(%(queue)s AS text)
    WHERE id = %(terminal_id)s AND CAST(%(queue)s AS text) IS NOT NULL
)
SELECT id FROM new""")


def _insert_new(session: Session, terminal: Terminal, opened: Sequence[Opened], now: dt.datetime,
                queue: str | None = None) -> set[str]:
    """Inserts the applications with their due dates (on the office's calendar), their first status and
    the record PIN verifiers of those that were new; returns the ids that were new (the others conflicted).
    PostgreSQL also stores `queue` (not None) as the terminal's queue in the same statement; the caller
    tells the session (see `ingest`)."""
    if not opened:
        return set()
    profile = ingest_profile(session, terminal.office_id)
    due = [profile.due_on(o.upload.service_code, o.filed_at) for o in opened]
    if session.get_bind().dialect.name == "postgresql":
        pins = [o.pin_row for o in opened if o.pin_row is not None]
        # at the driver, on the session's connection (nothing here maps to objects)
        return set(session.connection().exec_driver_sql(_PG_INSERT_NEW_AND_QUEUE, {
            "terminal_id": terminal.id, "office_id": terminal.office_id, "now": now, "status": FIRST_STATUS,
            "queue": queue, "pin_ids": [p["application_id"] for p in pins],
            "pin_verifiers": [p["verifier"] for p in pins], "pin_phones": [p["masked_phone"] for p in pins],
            "ids": [o.upload.id for o in opened], "refs": [o.upload.reference for o in opened],
            "services": [o.upload.service_code for o in opened],
            "versions": [o.upload.catalog_version for o in opened], "filed": [o.filed_at for o in opened],
            "flags": [o.flags for o in opened], "sealed": [o.sealed for o in opened],
            "keys": [o.key_id for o in opened], "due": due}).scalars())
    return _sqlite_insert_new(session, terminal, opened, due, now)


_SQLITE_APPLICATION_COLUMNS = ("id, reference, terminal_id, office_id, service_code, catalog_version, filed_at, "
                               "received_at, flags, sealed, office_key_id, status, status_at, due_on")
_SQLITE_ROW = f"({', '.join('?' * len(_SQLITE_APPLICATION_COLUMNS.split(', ')))})"
_SQLITE_ROWS_PER_INSERT = 500
_SQLITE_STATUS = ("INSERT INTO status_changes (office_id, application_id, terminal_id, status, at, actor) "
                  "VALUES (?, ?, ?, ?, ?, 'central')")


def _sqlite_insert_new(session: Session, terminal: Terminal, opened: Sequence[Opened], due: Sequence[dt.date],
                       now: dt.datetime) -> set[str]:
    """SQLite: the batch as one multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING id at the driver,
    times bound by SQLAlchemy's own processor (so they are stored exactly as the ORM stores them);
    through the ORM's insertmanyvalues this was a quarter of a 200-application upload."""
    connection = session.connection()
    to_db = Application.__table__.c.filed_at.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    stamp = to_db(now) if to_db else now
    params: list[Any] = []
    for o, due_on in zip(opened, due, strict=True):
        params += (o.upload.id, o.upload.reference, terminal.id, terminal.office_id, o.upload.service_code,
                   o.upload.catalog_version, to_db(o.filed_at) if to_db else o.filed_at, stamp, o.flags, o.sealed,
                   o.key_id, FIRST_STATUS, stamp, due_on.isoformat())
    width = len(_SQLITE_APPLICATION_COLUMNS.split(", "))
    new: set[str] = set()
    for start in range(0, len(opened), _SQLITE_ROWS_PER_INSERT):  # SQLite binds at most 32 766 values
        rows = opened[start:start + _SQLITE_ROWS_PER_INSERT]
        new.update(connection.exec_driver_sql(
            f"INSERT INTO applications ({_SQLITE_APPLICATION_COLUMNS}) VALUES {', '.join([_SQLITE_ROW] * len(rows))} "
            "ON CONFLICT DO NOTHING RETURNING id",
            tuple(params[start * width:(start + len(rows)) * width])).scalars())
    if new:
        connection.exec_driver_sql(_SQLITE_STATUS, [(terminal.office_id, o.upload.id, terminal.id, FIRST_STATUS, stamp)
                                                    for o in opened if o.upload.id in new])
    pin_rows = [o.pin_row for o in opened if o.pin_row is not None and o.upload.id in new]
    if pin_rows:
        session.execute(insert_ignoring_conflicts(session, RecordPin.__table__), pin_rows)
    return new


def _owners(session: Session, ids: Sequence[str]) -> dict[str, str]:
    """{application id: terminal id} for those of `ids` central holds already."""
    if not ids:
        return {}
    return dict(session.execute(select(Application.id, Application.terminal_id).where(Application.id.in_(ids))).all())


def _settle(upload: ApplicationUpload, verdict: Opened | str, new: set[str], owners: dict[str, str],
            terminal: Terminal, answered: set[str]) -> UploadResult:
    """The outcome for one upload, once the batch insert is done."""
    first_copy = upload.id not in answered
    answered.add(upload.id)
    if upload.id in new and first_copy:  # the id was checked: no need to validate the answer again
        return UploadResult.model_construct(id=upload.id, outcome="accepted", reason=None)
    owner = owners.get(upload.id) or (terminal.id if upload.id in new else None)
    if owner == terminal.id:
        # a copy of something already accepted stays `duplicate` even if the rules changed since
        return UploadResult.model_construct(id=upload.id, outcome="duplicate", reason=None)
    if owner is not None:
        return UploadResult(id=upload.id, outcome="rejected",
                            reason="this id is used by another terminal's application")
    if isinstance(verdict, str):
        return UploadResult(id=upload.id, outcome="rejected", reason=verdict)
    return UploadResult(id=upload.id, outcome="rejected",
                        reason=f"reference {upload.reference} is used by another application")


def store_audit(session: Session, terminal: Terminal, entries: Sequence[AuditUpload], now: dt.datetime) -> list[int]:
    """Stores the terminal's audit entries once each; answers every id now held (new or not)."""
    for n, entry in enumerate(entries):
        if not -(2**63) <= entry.id < 2**63:
            raise InvalidUpload(f"audit.{n}.id: must fit in 64 bits")
    if entries:
        session.execute(insert_ignoring_conflicts(session, AuditEntry.__table__), [{
            "office_id": terminal.office_id, "terminal_id": terminal.id, "entry_id": entry.id,
            "at": plausible_utc(entry.at) or now,
            "actor": clean_text(entry.actor), "action": clean_text(entry.action), "detail": clean_text(entry.detail),
            "received_at": now} for entry in entries])
    return [entry.id for entry in entries]


def ingest(session: Session, terminal: Terminal, batch: UploadBatch, *, now: dt.datetime | None = None
           ) -> UploadResponse:
    """Stores a batch from `terminal` in the caller's transaction; one result per application, in order."""
    now = now or utcnow()
    audit_stored = store_audit(session, terminal, batch.audit, now)
    uploads = [u for u in batch.applications if not is_request(u)]
    results, expected, written = _ingest_applications(session, terminal, uploads, now, len(batch.applications))
    if len(uploads) < len(batch.applications):  # the citizen's requests, after the applications they are about
        asked = [u for u in batch.applications if is_request(u)]
        answers = iter(ingest_requests(session, terminal, asked, office_material(session, terminal.office_id), now))
        of_applications = iter(results)
        results = [next(answers) if is_request(u) else next(of_applications) for u in batch.applications]
    survey_stored = store_surveys(session, terminal.office_id, batch.survey)
    queue = queue_after(terminal.queue_json, len(results), sum(1 for r in results if r.outcome == "rejected"))
    if queue is not None:
        if written and queue == expected and session.get_bind().dialect.name == "postgresql":
            set_committed_value(terminal, "queue_json", queue)  # stored already, by the insert
        else:
            terminal.queue_json = queue
    return UploadResponse(results=results, audit_stored=audit_stored, survey_stored=survey_stored)


def _ingest_applications(session: Session, terminal: Terminal, uploads: list[ApplicationUpload], now: dt.datetime,
                         sent: int) -> tuple[list[UploadResult], str | None, bool]:
    """The results of `uploads`, with the terminal's queue the insert wrote (as `queue_after` makes it for
    `sent` uploads in all) and whether it wrote one."""
    verdicts = check_uploads(uploads, terminal, office_material(session, terminal.office_id))
    if any(isinstance(v, str) for v in verdicts):  # refuse for good only on what the database says now
        verdicts = check_uploads(uploads, terminal, office_material(session, terminal.office_id, fresh=True))
    first_of_each: dict[str, Opened] = {}
    for verdict in verdicts:
        if isinstance(verdict, Opened):
            first_of_each.setdefault(verdict.upload.id, verdict)
    # the queue as it will be when every upload that passed the checks is accepted or a duplicate (the
    # usual case): written by the insert itself; recomputed by the caller when the database said otherwise
    expected = queue_after(terminal.queue_json, sent, sum(1 for v in verdicts if isinstance(v, str)))
    new = _insert_new(session, terminal, list(first_of_each.values()), now, expected)
    owners = _owners(session, [u.id for u in uploads if u.id not in new and is_uuid(u.id)])
    answered: set[str] = set()
    results = [_settle(upload, verdict, new, owners, terminal, answered)
               for upload, verdict in zip(uploads, verdicts, strict=True)]
    return results, expected, bool(first_of_each)


def queue_after(reported: str | None, sent: int, rejected: int) -> str | None:
    """The queue the terminal reported (in its heartbeat, sent before this batch, as JSON) with `sent`
    applications of this batch moved on, `rejected` of them refused, so that the terminals page never says
    "5 waiting" for five applications already in the inbox; None when there is nothing to change."""
    if not sent:
        return None
    try:
        queue = json.loads(reported or "{}")
    except ValueError:
        return None
    if not isinstance(queue, dict) or not all(isinstance(v, int) for v in queue.values()):
        return None
    left = sent
    for state in ("sending", "queued"):
        taken = min(left, max(0, queue.get(state, 0)))
        queue[state] = queue.get(state, 0) - taken
        left -= taken
    queue["rejected"] = queue.get("rejected", 0) + rejected
    queue["synced"] = queue.get("synced", 0) + sent - rejected
    return json.dumps(queue, sort_keys=True)

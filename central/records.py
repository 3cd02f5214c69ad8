"""What staff do with applications and terminals; the CLI and the staff pages both come through here."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import CentralError, NotFound
from central.keyring import office_private_key
from central.letters.history import letter_history
from central.models import AccessLogEntry, Application, AuditEntry, Office, StatusChange, Terminal, as_utc, utcnow
from central.offices import office_keys
from kiosk.crypto import CryptoFailure, open_sealed
from kiosk.errors import BadReference
from kiosk.lifecycle import CENTRAL_STATUSES
from kiosk.reference import parse_reference

STATUSES = CENTRAL_STATUSES


class PersonalDataDeleted(CentralError):
    """The application's personal data was deleted at the citizen's request: only its skeleton is left."""


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()  # type: ignore[union-attr]


@dataclass(frozen=True)
class ApplicationRow:
    """An application as staff lists it: no personal data."""

    id: str
    reference: str
    office: str
    terminal: str
    service_code: str
    status: str
    filed_at: str | None
    received_at: str | None


def list_applications(session: Session, *, office: str | None = None, status: str | None = None,
                      limit: int = 1000) -> list[ApplicationRow]:
    """Newest first, optionally of one office and in one status."""
    if status is not None and status not in STATUSES:
        raise CentralError(f"status {status!r}: use one of {', '.join(STATUSES)}")
    query = (select(Application, Office.code, Terminal.code).join(Office, Office.id == Application.office_id)
             .join(Terminal, Terminal.id == Application.terminal_id)
             .order_by(Application.received_at.desc(), Application.reference).limit(limit))
    if office:
        query = query.where(Office.code == office)
    if status:
        query = query.where(Application.status == status)
    return [ApplicationRow(a.id, a.reference, office_code, terminal_code, a.service_code, a.status,
                           _iso(a.filed_at), _iso(a.received_at))
            for a, office_code, terminal_code in session.execute(query)]


def find_application(session: Session, reference: str) -> Application:
    """By reference number (as typed, folded and checked) or by id."""
    app = session.get(Application, reference.strip().lower())
    if app is None:
        try:
            canonical = parse_reference(reference)
        except BadReference as e:
            raise NotFound(str(e)) from None
        app = session.scalar(select(Application).where(Application.reference == canonical))
    if app is None:
        raise NotFound(f"no application {reference!r}")
    return app


def show_application(session: Session, reference: str, *, actor: str, purpose: str) -> dict[str, Any]:
    """Everything about one application, with its personal data opened by the office's key; the look is
    written to the access log first, as `actor` (who looked) for `purpose` (why)."""
    app = find_application(session, reference)
    personal_data = open_application(session, app, actor, purpose)
    history = session.scalars(select(StatusChange).where(StatusChange.application_id == app.id)
                              .order_by(StatusChange.id))
    return {
        "id": app.id, "reference": app.reference, "office": session.get(Office, app.office_id).code,  # type: ignore[union-attr]
        "terminal": session.get(Terminal, app.terminal_id).code,  # type: ignore[union-attr]
        "service_code": app.service_code, "catalog_version": app.catalog_version, "status": app.status,
        "filed_at": _iso(app.filed_at), "received_at": _iso(app.received_at),
        "flags": [f for f in app.flags.split(",") if f],
        "history": sorted([{"status": h.status, "at": _iso(h.at), "actor": h.actor} for h in history]
                          + letter_history(session, app.id), key=lambda h: h["at"] or ""),
        "personal_data": personal_data,
    }


#: the access log's action for an opening of personal data (the console, letters and the CLI write it)
OPENED = "personal_data.opened"


def log_access(session: Session, actor: str, action: str, app: Application | None = None, detail: str = "",
               *, office_id: int | None = None) -> AccessLogEntry:
    """Writes to the access log that `actor` did `action` (to `app`, in its office, or else in `office_id`)."""
    entry = AccessLogEntry(at=utcnow(), username=actor[:60], office_id=app.office_id if app else office_id,
                           action=action, application_id=app.id if app else None,
                           reference=app.reference if app else None, detail=detail[:300])
    session.add(entry)
    return entry


def log_opening(session: Session, app: Application, actor: str, purpose: str) -> None:
    """Writes to the access log that `actor` opened the application's personal data, and why."""
    log_access(session, actor, OPENED, app, purpose)


def open_application(session: Session, app: Application, actor: str, purpose: str) -> dict[str, Any]:
    """The application's sealed data, opened with the office key that opened it on arrival, and logged.

    The access-log row is flushed to the database before the data is opened: if it cannot be written,
    the data is not opened (and the caller's transaction rolls back)."""
    log_opening(session, app, actor, purpose)
    session.flush()
    return open_personal_data(session, app)


def open_personal_data(session: Session, app: Application) -> dict[str, Any]:
    """The application's sealed answers, opened with the key that opened them on arrival (or, for one
    taken in while central lacked its key-encryption key, whichever of the office's keys opens them).

    Raises `KeysUnavailable` when central cannot unwrap its keys, `PersonalDataDeleted` when the citizen
    had it deleted."""
    if app.personal_data_deleted_at is not None:
        raise PersonalDataDeleted(f"the personal data of {app.reference} was deleted at the citizen's request")
    keys = sorted(office_keys(session, app.office_id), key=lambda k: k.id != app.office_key_id)
    for key in keys:
        try:
            return open_sealed(office_private_key(session, key), app.sealed)
        except CryptoFailure:
            continue
    raise CentralError(f"the sealed data of {app.reference} does not open with any key of its office")


def terminal_summary(session: Session, terminal: Terminal) -> dict[str, Any]:
    office = session.get(Office, terminal.office_id)
    return {
        "id": terminal.id, "code": terminal.code, "office": office.code if office else None,
        "enrolled_at": _iso(terminal.enrolled_at), "revoked_at": _iso(terminal.revoked_at),
        "last_seen_at": _iso(terminal.last_seen_at), "queue": json.loads(terminal.queue_json or "{}"),
        "oldest_unsynced_age_s": terminal.oldest_unsynced_age_s, "app_version": terminal.app_version,
        "catalog_version": terminal.catalog_version, "last_error": terminal.last_error,
        "clock_offset_s": terminal.clock_offset_s,
    }


def list_terminals(session: Session) -> list[dict[str, Any]]:
    return [terminal_summary(session, t) for t in session.scalars(select(Terminal).order_by(Terminal.enrolled_at))]


def find_terminal(session: Session, id_or_code: str) -> Terminal:
    terminal = session.get(Terminal, id_or_code.strip()) or session.scalar(
        select(Terminal).where(Terminal.code == id_or_code.strip().upper()))
    if terminal is None:
        raise NotFound(f"no terminal {id_or_code!r}")
    return terminal


def revoke_terminal(session: Session, id_or_code: str) -> Terminal:
    """From now on the terminal's every request is refused (403); its applications stay."""
    terminal = find_terminal(session, id_or_code)
    if terminal.revoked_at is None:
        terminal.revoked_at = utcnow()
    return terminal


def terminal_keys(session: Session) -> dict[str, str]:
    """{terminal code: Ed25519 verify key}, to check the signature on a receipt's QR code."""
    return {t.code: t.verify_key for t in session.scalars(select(Terminal).order_by(Terminal.code))}


def list_audit(session: Session, *, terminal: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The terminals' audit entries (maintenance, PIN failures, exports ...), newest first."""
    query = (select(AuditEntry, Terminal.code).join(Terminal, Terminal.id == AuditEntry.terminal_id)
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    if terminal:
        query = query.where(AuditEntry.terminal_id == find_terminal(session, terminal).id)
    return [{"terminal": code, "entry_id": e.entry_id, "at": _iso(e.at), "actor": e.actor, "action": e.action,
             "detail": e.detail, "received_at": _iso(e.received_at)} for e, code in session.execute(query)]

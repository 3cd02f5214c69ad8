"""What staff do to one application in the console: which status may follow which, a change with its
note (a decline needs a reason, which travels to the terminal), and opening the sealed personal data,
each opening written to the access log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central import records
from central.console.sessions import StaffContext
from central.models import AccessLogEntry, Application, StatusChange, utcnow
from central.records import find_application
from central.values import clean_text
from kiosk.errors import LoketError

MAX_NOTE = 500
#: the statuses each may move to; done and declined are final
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "received": ("in_process", "ready", "declined"),
    "in_process": ("ready", "declined"),
    "ready": ("done", "in_process"),
    "done": (),
    "declined": (),
}
FLAG_WORDS = {"region_unknown": "Kode wilayah tidak dikenal"}


class RefusedChange(LoketError):
    """A status change that makes no sense; the message is an i18n key with its values."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message, self.values = message, values


def application_of_office(session: Session, staff: StaffContext, reference: str) -> Application | None:
    """The application when it is this office's (an admin's too, for any office); None otherwise."""
    try:
        app = find_application(session, reference)
    except LoketError:
        return None
    return app if app.office_id == staff.office_id or staff.is_admin else None


def describe_flags(flags: str, t: Callable[..., str]) -> list[str]:
    """Validation flags like `nik:region_unknown` as staff read them."""
    described = []
    for flag in filter(None, flags.split(",")):
        field, _, code = flag.rpartition(":")
        words = t(FLAG_WORDS[code]) if code in FLAG_WORDS else code
        described.append(f"{field}: {words}" if field else words)
    return described


def change_status(session: Session, staff: StaffContext, app: Application, status: str, note: str,
                  *, now: dt.datetime | None = None) -> StatusChange:
    """Moves `app` to `status` with `note`; raises `RefusedChange` for an illegal step or a missing reason."""
    note = (clean_text(note) or "").strip()
    if status not in NEXT_STATUSES:
        raise RefusedChange("Pilih status baru.")
    if status not in NEXT_STATUSES[app.status]:
        raise RefusedChange("Status {from_} tidak bisa diubah menjadi {to}.", from_=app.status, to=status)
    if len(note) > MAX_NOTE:
        raise RefusedChange("Catatan terlalu panjang: paling banyak {n} karakter.", n=MAX_NOTE)
    if status == "declined" and not note:
        raise RefusedChange("Untuk menolak, tulis alasannya (warga membacanya di kios).")
    now = now or utcnow()
    app.status, app.status_at = status, now
    change = StatusChange(office_id=app.office_id, application_id=app.id, terminal_id=app.terminal_id,
                          status=status, at=now, actor=staff.username[:40], note=note or None)
    session.add(change)
    log_access(session, staff, "status.changed", app, f"{status}")
    return change


def history(session: Session, app: Application) -> list[StatusChange]:
    return list(session.scalars(select(StatusChange).where(StatusChange.application_id == app.id)
                                .order_by(StatusChange.id)))


def open_personal_data(session: Session, staff: StaffContext, app: Application) -> dict[str, Any]:
    """The citizen's sealed answers, opened with the office's private key; the look is logged first."""
    log_access(session, staff, "personal_data.opened", app)
    return records.open_personal_data(session, app)


def log_access(session: Session, staff: StaffContext, action: str, app: Application | None = None,
               detail: str = "") -> None:
    session.add(AccessLogEntry(at=utcnow(), username=staff.username, office_id=app.office_id if app else
                               staff.office_id, action=action, application_id=app.id if app else None,
                               reference=app.reference if app else None, detail=detail[:300]))

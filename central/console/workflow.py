"""What staff do to one application in the console besides changing its status (`central.status`):
finding it in their office, reading its flags, and opening the sealed personal data, each opening
written to the access log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from central import records
from central.console.sessions import StaffContext
from central.models import AccessLogEntry, Application, StaffSession, StatusChange, as_utc
from central.records import find_application
from kiosk.errors import LoketError

FLAG_WORDS = {"region_unknown": "Kode wilayah tidak dikenal"}


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


def history(session: Session, app: Application) -> list[StatusChange]:
    return list(session.scalars(select(StatusChange).where(StatusChange.application_id == app.id)
                                .order_by(StatusChange.id)))


@dataclass(frozen=True)
class Opened:
    """The citizen's answers as one logged opening showed them: the log row names the opening."""

    data: dict[str, Any]
    entry_id: int
    at: dt.datetime


def open_personal_data(session: Session, staff: StaffContext, app: Application) -> Opened:
    """The citizen's sealed answers, opened with the office's private key; the look is logged first."""
    entry = records.log_access(session, staff.username, records.OPENED, app, office_id=staff.office_id)
    session.flush()
    return Opened(records.open_personal_data(session, app), entry.id, entry.at)


def still_open(session: Session, staff: StaffContext, app: Application, opening: str) -> Opened | None:
    """The answers again, with no second log row, when `opening` names an opening of this application that
    this staff member logged in this very session (a new login, logout or the idle limit ends the session,
    and a page reached by a link carries no opening); None otherwise."""
    if not opening.isdigit() or len(opening) > 18:
        return None
    entry = session.get(AccessLogEntry, int(opening))
    row = session.get(StaffSession, staff.token_hash)
    if (entry is None or row is None or entry.action != records.OPENED or entry.application_id != app.id
            or entry.username != staff.username or as_utc(entry.at) < as_utc(row.created_at)):  # type: ignore[operator]
        return None
    return Opened(records.open_personal_data(session, app), entry.id, entry.at)


def log_access(session: Session, staff: StaffContext, action: str, app: Application | None = None,
               detail: str = "") -> None:
    records.log_access(session, staff.username, action, app, detail, office_id=staff.office_id)

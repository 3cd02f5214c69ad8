"""What a staff member does to one application in the console besides changing its status
(`central.status`): finding it in their office (`central.application_file`, refused as the console's
404), and opening the sealed personal data, each opening written to the access log under their name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from central import records
from central.application_file import application_of_office
from central.console.sessions import StaffContext
from central.console.web import ConsoleError
from central.errors import NotFound
from central.models import AccessLogEntry, Application, StaffSession, as_utc


def staff_application(session: Session, staff: StaffContext, reference: str) -> Application:
    """The application when it is this staff member's office's (an admin's: any office's); the console's
    404 otherwise."""
    try:
        return application_of_office(session, staff.office_id, reference, any_office=staff.is_admin)
    except NotFound:
        raise ConsoleError(404, "Permohonan itu tidak ada di kantor Anda.") from None


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

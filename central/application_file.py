"""One application as staff see it at their office: found by reference (only their office's, any office
for an admin), its status history, the kiosk it came from, whether it is overdue on the office's
calendar, the changes the lifecycle allows next, its letter, and — when "Cetak surat" cannot work now —
why, as a reason code. Queries only, no HTTP: the console's application page renders `application_file()`
in the staff's words; changing the status is `central.status.change_status`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.errors import NotFound
from central.letters.history import issued_letter
from central.letters.office_settings import letter_settings
from central.models import Application, IssuedLetter, Office, StatusChange, Terminal
from central.office_profile import OfficeProfile
from central.records import find_application
from kiosk.lifecycle import LETTER_ALLOWED, NEXT_STATUSES, is_overdue

#: why "Cetak surat" cannot work now
DECLINED, NOT_YET, NO_TEMPLATE, NO_PUBLIC_URL = "declined", "not_yet", "no_template", "no_public_url"


@dataclass(frozen=True)
class StatusStep:
    status: str
    at: dt.datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class ApplicationFile:
    app: Application
    terminal_code: str
    history: list[StatusStep]
    overdue: bool
    next_statuses: tuple[str, ...]
    letter: IssuedLetter | None
    #: why no letter can be printed now (DECLINED, NOT_YET, NO_TEMPLATE, NO_PUBLIC_URL), "" when one can
    letter_blocked: str


def application_of_office(session: Session, office_id: int, reference: str, *, any_office: bool = False
                          ) -> Application:
    """The application `reference` when it is the office's (any office's with `any_office`, for an admin);
    raises `NotFound` otherwise, the same for another office's as for none."""
    app = find_application(session, reference)
    if app.office_id != office_id and not any_office:
        raise NotFound(f"no application {reference!r} at this office")
    return app


def history(session: Session, app: Application) -> list[StatusStep]:
    return [StatusStep(c.status, c.at, c.actor, c.note) for c in session.scalars(
        select(StatusChange).where(StatusChange.application_id == app.id).order_by(StatusChange.id))]


def letter_blocked(session: Session, app: Application, profile: OfficeProfile) -> str:
    """Why "Cetak surat" cannot work now ("" when it can): it is never offered only to fail."""
    service = profile.services.get(app.service_code)
    if app.status == "declined":
        return DECLINED
    if app.status not in LETTER_ALLOWED:
        return NOT_YET
    if service is None or service.letter is None:
        return NO_TEMPLATE
    if not letter_settings(session, session.get(Office, app.office_id)).public_url:
        return NO_PUBLIC_URL
    return ""


def application_file(session: Session, app: Application, profile: OfficeProfile,
                     *, now: dt.datetime | None = None) -> ApplicationFile:
    """Everything the application's page shows but the personal data; reads only."""
    terminal = session.get(Terminal, app.terminal_id)
    return ApplicationFile(app, terminal.code if terminal else "", history(session, app),
                           is_overdue(app.status, app.due_on, profile.today(now)), NEXT_STATUSES[app.status],
                           issued_letter(session, app.id), letter_blocked(session, app, profile))


__all__ = ["DECLINED", "NOT_YET", "NO_PUBLIC_URL", "NO_TEMPLATE", "ApplicationFile", "StatusStep",
           "application_file", "application_of_office", "history", "letter_blocked"]

"""The one way an application's status changes at central, whoever asks (the console, the CLI, anything
later): the lifecycle's rules checked (`kiosk.lifecycle.check_change`), the change recorded for the
terminal's next pull, and who made it written to the access log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from central.models import Application, StatusChange, utcnow
from central.records import log_access
from central.values import clean_text
from kiosk.lifecycle import check_change

#: the access log's action for a status change
CHANGED = "status.changed"


def change_status(session: Session, actor: str, app: Application, status: str, note: str = "",
                  *, now: dt.datetime | None = None) -> StatusChange:
    """Moves `app` to `status` with `note`, as `actor` (a staff username, `cli:<user>`, ...).

    Raises `RefusedChange` (nothing changed) for a step the lifecycle does not allow, a note too long,
    or a decline without its reason."""
    note = check_change(app.status, status, clean_text(note) or "")
    now = now or utcnow()
    app.status, app.status_at = status, now
    change = StatusChange(application_id=app.id, terminal_id=app.terminal_id, status=status, at=now,
                          actor=actor[:40], note=note or None)
    session.add(change)
    log_access(session, actor, CHANGED, app, status)
    return change


__all__ = ["CHANGED", "change_status"]
